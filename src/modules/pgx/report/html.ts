// The clinician HTML report: one self-contained page (inline CSS, no scripts), every value escaped.
import { escapeHtml as e } from './escape.ts';
import { markdownToHtml } from './markdown-html.ts';
import type { PgxResult } from './types.ts';

const CSS = `body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.5rem}h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2rem}h3{margin-bottom:.3rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.warn{color:#8a4b00}.status{font-weight:600;text-transform:uppercase;font-size:.8rem}
.rec{border-left:4px solid #3a6ea5;padding:.2rem .8rem;margin:.6rem 0;background:#f8fafc}.src{font-size:.85rem;color:#555}
footer{margin-top:2rem;font-size:.8rem;color:#555}`;

function genesTable(result: PgxResult): string {
  const rows = result.genes.map((g) => {
    const warnings = [...g.call.warnings, ...g.warnings].map((w) => `<div class="warn">${e(w.message)}</div>`).join('');
    const missing = g.call.missingPositions.length > 0 ? `<div class="warn">Missing positions: ${e(g.call.missingPositions.join(', '))}</div>` : '';
    return `<tr><td>${e(g.gene)}</td><td>${e(g.call.diplotypes.map((d) => d.name).join(' or ') || 'not called')}</td><td>${e([...new Set(g.phenotypes.map((p) => p.phenotype))].join(' or '))}</td><td>${e(g.phenotypes.map((p) => p.activityScore ?? '').filter((s) => s).join(' or '))}</td><td>${e(g.call.source)}</td><td>${warnings}${missing}</td></tr>`;
  });
  return `<table><thead><tr><th>Gene</th><th>Diplotype</th><th>Phenotype</th><th>Activity score</th><th>Source</th><th>Notes</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const ACTION: Record<string, string> = { avoid: 'Avoid / use an alternative', reduce: 'Reduce dose', increase: 'Increase dose', titrate: 'Titrate / monitor', standard: 'Standard dose' };

/** Medicines whose advice differs from standard dosing, with the first stated action of each source. */
function summaryTable(result: PgxResult): string {
  const rows = result.drugs.flatMap((d) => {
    if (d.status !== 'recommendation') return [];
    const actions = d.recommendations
      .filter((m) => m.recommendation.doseAdjustment && m.recommendation.doseAdjustment.kind !== 'standard')
      .map((m) => {
        const a = m.recommendation.doseAdjustment;
        const pct = a?.percentRange ? ` (${a.percentRange[0]}–${a.percentRange[1]} %)` : a?.percentOfStandard !== undefined ? ` (${a.percentOfStandard} %)` : '';
        return `${m.source}: ${ACTION[a?.kind ?? ''] ?? ''}${pct}`;
      });
    const distinct = [...new Set(actions)];
    return distinct.length > 0 ? [`<tr><td>${e(d.drug)}</td><td>${e(d.genes.join(', '))}</td><td>${distinct.map(e).join('<br>')}</td></tr>`] : [];
  });
  if (rows.length === 0) return '<p>No medicine needs a change from standard dosing based on these results.</p>';
  return `<table><thead><tr><th>Medicine</th><th>Genes</th><th>Action (details below)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function drugSection(d: PgxResult['drugs'][number]): string {
  const recs = d.recommendations.map((m) => {
    const r = m.recommendation;
    const key = Object.entries(m.lookupKey).map(([g, k]) => `${g}: ${k}`).join(', ');
    const implications = r.implications.length > 0 ? `<p><strong>Implications:</strong> ${e(r.implications.join(' '))}</p>` : '';
    return `<div class="rec"><div class="src">${e(m.source)} · ${e(r.classification ?? 'unclassified')}${r.population ? ` · ${e(r.population)}` : ''} · ${e(key)}</div>${implications}${markdownToHtml(r.text)}</div>`;
  });
  const warnings = d.warnings.map((w) => `<p class="warn">${e(w.message)}</p>`).join('');
  return `<section><h3>${e(d.drug)} <span class="status">${e(d.status)}</span></h3><div class="src">Genes: ${e(d.genes.join(', '))}</div>${warnings}${recs.join('') || '<p>No matching recommendation.</p>'}</section>`;
}

/** Renders the clinician report. Drugs with an actionable recommendation come first, then the rest by name. */
export function toHtmlReport(result: PgxResult, generatedAt: string): string {
  const order = { recommendation: 0, indeterminate: 1, 'no-recommendation': 2 } as const;
  const drugs = [...result.drugs].sort((a, b) => order[a.status] - order[b.status] || a.drug.localeCompare(b.drug));
  const v = result.dataVersion;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Pharmacogenomic report${result.sample ? ` – ${e(result.sample)}` : ''}</title><style>${CSS}</style></head>
<body><h1>Pharmacogenomic report</h1>
<p>Sample: ${e(result.sample ?? 'unnamed')} · Generated: ${e(generatedAt)} · Input: ${e(result.inputs.map((i) => `${i.name} (${i.kind})`).join(', ') || 'none')}</p>
<h2>Summary: medicines to review</h2>${summaryTable(result)}
<h2>Genes</h2>${genesTable(result)}
<h2>Medicines</h2>${drugs.map(drugSection).join('\n')}
<footer><p>Data: allele definitions ${e(v.alleleDefinitions)}; phenotypes ${e(v.phenotypes)}; CPIC ${e(v.cpicRecommendations)}${v.dpwgRecommendations ? `; DPWG ${e(v.dpwgRecommendations)}` : ''}.</p>
${result.dataNotes.map((n) => `<p class="warn">${e(n)}</p>`).join('')}
${result.attributions.map((a) => `<p>${e(a)}</p>`).join('')}
<p>This report supports, and does not replace, clinical judgement.</p></footer>
</body></html>
`;
}
