// Plain-text clinician summary (the CLI's `--format text`).
import { markdownToPlain } from '../recommend/html-to-markdown.ts';
import type { PgxResult } from './types.ts';

/** Genes, then medicines with a recommendation (others listed by status), then data versions. */
export function toTextReport(result: PgxResult, generatedAt: string): string {
  const out: string[] = [`Pharmacogenomic report — sample ${result.sample ?? 'unnamed'} — ${generatedAt}`, '', 'GENES'];
  for (const g of result.genes) {
    const score = g.phenotypes.map((p) => p.activityScore).filter((s) => s).join(' or ');
    out.push(`  ${g.gene.padEnd(8)} ${(g.call.diplotypes.map((d) => d.name).join(' or ') || 'not called').padEnd(24)} ${[...new Set(g.phenotypes.map((p) => p.phenotype))].join(' or ')}${score ? ` (AS ${score})` : ''}${g.call.source === 'outside-call' ? ' [outside call]' : ''}`);
    for (const w of [...g.call.warnings, ...g.warnings]) out.push(`           ! ${w.message}`);
  }
  out.push('', 'MEDICINES WITH RECOMMENDATIONS');
  for (const d of result.drugs.filter((x) => x.status === 'recommendation')) {
    out.push(`  ${d.drug} (${d.genes.join(', ')})`);
    for (const w of d.warnings) out.push(`    ! ${w.message}`);
    for (const m of d.recommendations) {
      const r = m.recommendation;
      const first = markdownToPlain(r.text).split('\n')[0] ?? '';
      out.push(`    [${m.source}${r.classification ? ` ${r.classification}` : ''}${r.population ? `, ${r.population}` : ''}] ${first}`);
    }
  }
  const indeterminate = result.drugs.filter((x) => x.status === 'indeterminate').map((d) => d.drug);
  if (indeterminate.length > 0) out.push('', `INDETERMINATE (a needed gene has no result): ${indeterminate.join(', ')}`);
  for (const n of result.dataNotes) out.push(`Note: ${n}`);
  const v = result.dataVersion;
  out.push('', `Data: alleles ${v.alleleDefinitions}; phenotypes ${v.phenotypes}; CPIC ${v.cpicRecommendations}${v.dpwgRecommendations ? `; DPWG ${v.dpwgRecommendations}` : ''}`);
  return out.join('\n') + '\n';
}
