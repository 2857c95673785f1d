// Lowest-function genes (DPYD, RYR1): the phenotype comes from the two lowest-function alleles found (CPIC DPYD
// guideline, Amstutz et al., CPT 2018; CPIC RYR1/CACNA1S guideline, Gonsalves et al., CPT 2019; as PharmCAT does).
import { parseActivity } from '../activity-score.ts';
import type { PhenotypeTable } from '../table.ts';

/**
 * How low an allele's function is (lower = lower function): its activity value where the table has activity values
 * (DPYD), else the position of its function in the table's `functionRank` (RYR1: Malignant Hyperthermia associated <
 * Uncertain function < Normal function). Undefined when the table can rank neither way; an allele without a value in
 * an activity table ranks last, as it cannot lower the score.
 */
function functionLevel(table: PhenotypeTable, allele: string): number | undefined {
  const entry = table.alleles[allele];
  if (!entry) return undefined;
  if (table.derivation === 'activity-score') return parseActivity(entry.activity)?.quarters ?? Number.POSITIVE_INFINITY;
  const rank = table.functionRank?.indexOf(entry.function) ?? -1;
  return rank < 0 ? undefined : rank;
}

/** Whether the table can rank its alleles by function (activity values or a function ranking). */
export function ranksFunction(table: PhenotypeTable): boolean {
  return table.derivation === 'activity-score' || (table.functionRank?.length ?? 0) > 0;
}

/**
 * When the matcher cannot (or, unphased, need not) pair several variants it reports the alleles found
 * (`haplotypes`). CPIC then takes the two lowest-function alleles (assuming they are in trans, the conservative
 * choice); a single variant is paired with the reference allele. An allele the table does not know is returned first
 * (its function could be the lowest), so that the phenotyper reports it as unknown instead of silently dropping it.
 */
export function lowestFunctionPair(table: PhenotypeTable, found: readonly string[], reference: string): string[] {
  const unknown = found.filter((a) => a !== reference && functionLevel(table, a) === undefined);
  const scored = found
    .filter((a) => a !== reference && functionLevel(table, a) !== undefined)
    .map((a) => ({ a, v: functionLevel(table, a) as number }))
    .sort((x, y) => x.v - y.v || x.a.localeCompare(y.a))
    .map((s) => s.a);
  const variants = [...unknown, ...scored];
  return [variants[0] ?? reference, variants[1] ?? reference];
}
