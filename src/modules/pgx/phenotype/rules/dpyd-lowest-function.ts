// DPYD: the activity score comes from the two lowest-function variants found (CPIC DPYD guideline, Amstutz et al., CPT 2018; as implemented by PharmCAT).
import { parseActivity } from '../activity-score.ts';
import type { PhenotypeTable } from '../table.ts';

/**
 * When the matcher cannot phase several DPYD variants it reports the alleles found (`haplotypes`). CPIC
 * then scores the two lowest-activity alleles (assuming they are in trans, the conservative choice); a
 * single variant is paired with `Reference`. Unknown alleles are ignored here (the caller warns).
 */
export function dpydLowestPair(table: PhenotypeTable, found: readonly string[]): string[] {
  const scored = found
    .filter((a) => table.alleles[a] !== undefined)
    .map((a) => ({ a, v: parseActivity(table.alleles[a]?.activity)?.quarters ?? Number.POSITIVE_INFINITY }))
    .sort((x, y) => x.v - y.v || x.a.localeCompare(y.a));
  const variants = scored.filter((s) => s.a !== 'Reference');
  if (variants.length === 0) return ['Reference', 'Reference'];
  if (variants.length === 1) return [variants[0]?.a ?? 'Reference', 'Reference'];
  return [variants[0]?.a ?? 'Reference', variants[1]?.a ?? 'Reference'];
}
