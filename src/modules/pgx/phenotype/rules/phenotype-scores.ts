// A phenotype reported without diplotype or score (a lab's "CYP2D6 Intermediate Metabolizer") for an activity-score gene:
// every activity score the table can give that phenotype, so that each score's recommendations can be shown (PharmCAT
// does the same and notes it with its `pcat-score-multimatch` message).
import { derivePhenotype } from '../derive.ts';
import { activityNumber, parseActivity } from '../activity-score.ts';
import type { PhenotypeEntry, PhenotypeTable } from '../table.ts';

const cache = new WeakMap<PhenotypeTable, PhenotypeEntry[]>();

/**
 * Every distinct result of an allele pair in the table, lowest score first. One allele stands for each activity value
 * (the sum depends on the values only), so a gene with k values costs k(k+1)/2 derivations, once per table.
 */
function pairResults(table: PhenotypeTable): PhenotypeEntry[] {
  let out = cache.get(table);
  if (out) return out;
  const byValue = new Map<string, string>();
  for (const [name, f] of Object.entries(table.alleles)) {
    const v = parseActivity(f.activity);
    if (v && !byValue.has(f.activity ?? '')) byValue.set(f.activity ?? '', name);
  }
  const alleles = [...byValue.values()];
  const seen = new Map<string, PhenotypeEntry>();
  for (let i = 0; i < alleles.length; i++) {
    for (let j = i; j < alleles.length; j++) {
      const entry = derivePhenotype(table, [alleles[i]!, alleles[j]!]);
      if (entry?.activityScore !== undefined && !seen.has(entry.lookupKey)) seen.set(entry.lookupKey, entry);
    }
  }
  out = [...seen.values()].sort((a, b) => activityNumber(parseActivity(a.activityScore)!) - activityNumber(parseActivity(b.activityScore)!));
  cache.set(table, out);
  return out;
}

/** The results (one per activity score) whose phenotype is the reported one; empty when none is. */
export function scoresOfPhenotype(table: PhenotypeTable, phenotype: string): PhenotypeEntry[] {
  const wanted = phenotype.trim().toLowerCase();
  return pairResults(table).filter((e) => e.phenotype.toLowerCase() === wanted);
}
