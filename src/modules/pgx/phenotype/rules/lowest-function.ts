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

/** One allele per function level the table knows (per activity value, or per function of `functionRank`). */
function levelRepresentatives(table: PhenotypeTable): string[] {
  const byLevel = new Map<number, string>();
  for (const name of Object.keys(table.alleles).sort()) {
    const level = functionLevel(table, name);
    if (level !== undefined && !byLevel.has(level)) byLevel.set(level, name);
  }
  return [...byLevel.values()];
}

/** At most this many unlisted alleles are tried at every level (levels ^ count combinations). */
const MAX_UNLISTED = 6;

/**
 * Alleles the phenotype table does not list (the allele definitions are newer than the table): every unlisted allele is
 * given, in turn, each function level the table has. `outcomes` maps each such assignment to a result; the answer is
 * the one result they all share, or undefined when the unlisted alleles could change it (or there are too many).
 */
export function resultDespiteUnlisted<T>(table: PhenotypeTable, unlisted: readonly string[], outcome: (stand: (allele: string) => string) => T | undefined, key: (r: T) => string): T | undefined {
  if (unlisted.length === 0 || unlisted.length > MAX_UNLISTED) return undefined;
  const levels = levelRepresentatives(table);
  let shared: T | undefined;
  const total = levels.length ** unlisted.length;
  for (let combo = 0; combo < total; combo++) {
    const as = new Map(unlisted.map((a, i) => [a, levels[Math.floor(combo / levels.length ** i) % levels.length]!]));
    const r = outcome((allele) => as.get(allele) ?? allele);
    if (r === undefined) return undefined;
    if (shared === undefined) shared = r;
    else if (key(shared) !== key(r)) return undefined;
  }
  return shared;
}
