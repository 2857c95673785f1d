// SLCO1B1's single-position fallback: when no pair of defined alleles fits, the gene is called from one position
// (rs4149056) alone, as the CPIC guideline allows and PharmCAT does; the data says which position and which allele each
// base stands for.
import type { DiplotypeMatch, PgxWarning } from '../model.ts';
import type { PreparedGene } from './prepare.ts';

/**
 * The fallback call from the genotype at the gene's fallback position, or undefined when the gene has none, the
 * position was not genotyped or carries a base the data does not map. Named by position and base
 * (`rs4149056T/rs4149056C`, reference base first); `allele1`/`allele2` are the alleles whose function the bases stand
 * for (*1, *5), which the phenotyper uses.
 */
export function singlePositionCall(gene: PreparedGene, called: readonly number[], observed: ReadonlyArray<readonly [string, string]>, reason: string): { diplotype: DiplotypeMatch; warning: PgxWarning } | undefined {
  const fb = gene.fallback;
  if (!fb) return undefined;
  const k = called.indexOf(fb.index);
  const bases = observed[k];
  if (k < 0 || !bases) return undefined;
  const [b1, b2] = [...bases].sort((x, y) => (x === gene.refs[fb.index] ? -1 : y === gene.refs[fb.index] ? 1 : x.localeCompare(y)));
  const a1 = fb.alleles[b1 ?? ''];
  const a2 = fb.alleles[b2 ?? ''];
  if (!a1 || !a2) return undefined;
  const label = gene.labels[fb.index] ?? fb.rsid;
  return {
    diplotype: { name: `${fb.rsid}${b1}/${fb.rsid}${b2}`, allele1: a1, allele2: a2, score: 1 },
    warning: {
      code: 'SINGLE_POSITION_FALLBACK',
      message: `${gene.gene}: ${reason}; called from ${label} alone (${b1}/${b2}), phenotyped as ${a1}/${a2} — ${Object.entries(fb.alleles).map(([b, a]) => `${b} stands for ${a}`).join(', ')}. Other ${gene.gene} variants are not assessed; recommendations follow this position only, as the CPIC guideline allows.`,
    },
  };
}
