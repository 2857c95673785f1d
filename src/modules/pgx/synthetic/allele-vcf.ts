// Synthetic VCFs written from the allele definitions themselves: a chosen diplotype per gene, every other definition
// position homozygous for the reference allele. Used by the demo data, the exhaustive self-test and the benchmarks.
import type { GeneDefinition } from '../matcher/definitions.ts';
import { baseMatches } from '../matcher/iupac.ts';
import { prepareGene } from '../matcher/prepare.ts';

/** One VCF data record (GRCh38, `chr`-prefixed). */
export interface SyntheticRecord {
  chromosome: string;
  position: number;
  rsid?: string;
  ref: string;
  alts: string[];
  /** GT per sample, e.g. `0/1`, `1|0`. */
  gts: string[];
}

/** A diplotype to write for one gene: the two allele names (as in the definitions). */
export type DiplotypeChoice = readonly [string, string];

/** VCF allele index of an expected base (IUPAC resolved to the first listed allele it allows), adding an ALT if needed. */
function alleleIndex(expected: string, ref: string, alts: string[]): number {
  const options = [ref, ...alts];
  const exact = options.indexOf(expected);
  if (exact >= 0) return exact;
  const fits = options.findIndex((o) => baseMatches(expected, o));
  if (fits >= 0) return fits;
  // An IUPAC code with no listed allele inside it: write its first base as a new ALT.
  const base = /^[ACGT]+$/.test(expected) ? expected : ({ R: 'A', Y: 'C', S: 'C', W: 'A', K: 'G', M: 'A', B: 'C', D: 'A', H: 'A', V: 'A', N: 'A' } as Record<string, string>)[expected] ?? 'A';
  alts.push(base);
  return alts.length;
}

/**
 * Records for one gene and one sample per choice: every definition position, GT from each allele's expected base
 * (a position an allele leaves undefined carries the reference). `phased` writes `|` with allele 1 first.
 */
export function geneRecords(def: GeneDefinition, choices: readonly DiplotypeChoice[], phased = false): SyntheticRecord[] {
  const prepared = prepareGene(def);
  const byName = new Map(prepared.alleles.map((a) => [a.name, a]));
  const reference = prepared.alleles.find((a) => a.reference) ?? prepared.alleles[0];
  const pairs = choices.map(([n1, n2]) => {
    const a1 = byName.get(n1);
    const a2 = byName.get(n2);
    if (!a1 || !a2) throw new Error(`${def.gene}: no allele named ${a1 ? n2 : n1}`);
    return [a1, a2] as const;
  });
  return def.positions.map((p, i) => {
    const alts = [...p.alts];
    const gts = pairs.map(([a1, a2]) => {
      const i1 = alleleIndex(a1.bases[i] ?? reference?.bases[i] ?? p.ref, p.ref, alts);
      const i2 = alleleIndex(a2.bases[i] ?? reference?.bases[i] ?? p.ref, p.ref, alts);
      return `${i1}${phased ? '|' : '/'}${i2}`;
    });
    return { chromosome: p.chromosome, position: p.position, ...(p.rsid ? { rsid: p.rsid } : {}), ref: p.ref, alts, gts };
  });
}

/** The reference diplotype of a gene (its reference allele twice). */
export function referenceChoice(def: GeneDefinition): DiplotypeChoice {
  const ref = def.alleles.find((a) => a.reference) ?? def.alleles[0];
  if (!ref) throw new Error(`${def.gene}: no alleles`);
  return [ref.name, ref.name];
}

const CHROM_ORDER = (c: string): number => {
  const n = c.replace(/^chr/, '');
  return n === 'X' ? 23 : n === 'Y' ? 24 : n === 'M' ? 25 : Number(n) || 26;
};

/** Sorts by chromosome then position and merges records two genes share (a non-reference GT wins). */
export function sortRecords(records: readonly SyntheticRecord[]): SyntheticRecord[] {
  const byKey = new Map<string, SyntheticRecord>();
  for (const r of records) {
    const key = `${r.chromosome}:${r.position}`;
    const seen = byKey.get(key);
    if (!seen || (seen.gts.every((g) => /^0[/|]0$/.test(g)) && !r.gts.every((g) => /^0[/|]0$/.test(g)))) byKey.set(key, r);
  }
  return [...byKey.values()].sort((a, b) => CHROM_ORDER(a.chromosome) - CHROM_ORDER(b.chromosome) || a.position - b.position);
}

export function vcfHeader(samples: readonly string[], extraMeta: readonly string[] = []): string {
  return [
    '##fileformat=VCFv4.2',
    '##reference=GRCh38',
    '##source=flaura synthetic PGx VCF (written from the allele definitions)',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    ...extraMeta,
    ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', ...samples].join('\t'),
  ].join('\n') + '\n';
}

export function recordLine(r: SyntheticRecord, format = 'GT', sampleSuffix = ''): string {
  return [r.chromosome, r.position, r.rsid ?? '.', r.ref, r.alts.length > 0 ? r.alts.join(',') : '.', '.', 'PASS', '.', format, ...r.gts.map((g) => g + sampleSuffix)].join('\t');
}

/**
 * A single-sample panel VCF over every gene: `choices` names the diplotype of some genes, the others are written
 * homozygous for their reference allele.
 */
export function panelVcf(defs: readonly GeneDefinition[], choices: Readonly<Record<string, DiplotypeChoice>>, options: { sample?: string; phased?: boolean } = {}): string {
  for (const gene of Object.keys(choices)) if (!defs.some((d) => d.gene === gene)) throw new Error(`no allele definitions for ${gene}`);
  const records = sortRecords(defs.flatMap((d) => geneRecords(d, [choices[d.gene] ?? referenceChoice(d)], options.phased === true)));
  return vcfHeader([options.sample ?? 'SAMPLE']) + records.map((r) => recordLine(r)).join('\n') + '\n';
}
