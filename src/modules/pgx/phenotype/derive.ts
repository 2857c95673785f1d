// Derives a diplotype's phenotype, activity score and lookup key from a compact phenotype table (pure).
import { activityNumber, formatActivity, parseActivity, sumActivity } from './activity-score.ts';
import type { ActivityValue } from './activity-score.ts';
import { canonicalDiplotype } from './table.ts';
import type { PhenotypeEntry, PhenotypeTable } from './table.ts';

/**
 * The phenotype of one or two alleles exactly as the gene's table defines it, or undefined when an allele
 * is not in the table. Overrides win; activity-score genes sum activity values and bin the score (CPIC
 * activity-score method); other genes look up the pair of allele functions.
 */
export function derivePhenotype(table: PhenotypeTable, alleles: readonly string[]): PhenotypeEntry | undefined {
  const key = canonicalDiplotype(alleles);
  const override = table.overrides[key];
  if (override) return override;
  const functions = alleles.map((a) => table.alleles[a]);
  if (functions.some((f) => f === undefined)) return undefined;
  if (table.derivation === 'activity-score') {
    const values = functions.map((f) => parseActivity(f?.activity));
    if (values.some((v) => v === undefined)) return table.unscored;
    const score = sumActivity(values as ActivityValue[]);
    const phenotype = binFor(table, activityNumber(score));
    if (phenotype === undefined) return undefined;
    const text = formatActivity(score);
    return { phenotype, lookupKey: text, activityScore: text };
  }
  const pairKey = functions.map((f) => f?.function ?? '').sort().join(' + ');
  return table.functionPairs?.[pairKey];
}

function binFor(table: PhenotypeTable, score: number): string | undefined {
  return table.bins?.find((b) => score >= b.min && score <= b.max)?.phenotype;
}

/** Every diplotype shape the table covers (all unordered pairs and/or single alleles), in canonical form. */
export function enumerateDiplotypes(table: PhenotypeTable): string[][] {
  const names = Object.keys(table.alleles).sort();
  const out: string[][] = [];
  if (table.shapes.includes('single')) for (const a of names) out.push([a]);
  if (table.shapes.includes('pair')) {
    for (let i = 0; i < names.length; i++) {
      for (let j = i; j < names.length; j++) out.push([names[i] as string, names[j] as string]);
    }
  }
  return out;
}

/** One canonical row of a phenotype table, the unit of the equivalence checksum. */
export function canonicalRow(alleles: readonly string[], entry: PhenotypeEntry): string {
  return `${canonicalDiplotype(alleles)}\t${entry.phenotype}\t${entry.activityScore ?? ''}\t${entry.lookupKey}\n`;
}
