// Turns a compact gene definition into the form the matcher needs (done once per gene and cached).
import type { GeneDefinition } from './definitions.ts';
import { indelSites, type IndelSite } from './indels.ts';

/** A named allele with one expected base per position (null-in-source filled with the reference base). */
export interface PreparedAllele {
  name: string;
  reference: boolean;
  /** Expected VCF allele per position (IUPAC codes possible). */
  bases: string[];
  /** Whether the source defines the position (for scoring: score = defined positions that were genotyped). */
  defines: boolean[];
}

/** A gene ready for matching. */
export interface PreparedGene {
  gene: string;
  /** `chrN:pos` per position, in definition order. */
  keys: string[];
  /** Human labels for missingPositions: `chrN:pos (rsid)`. */
  labels: string[];
  alleles: PreparedAllele[];
  /** Definition REF per position (to flag VCFs whose REF differs). */
  refs: string[];
  /** PharmCAT's genomic HGVS name per VCF ALT, per position (names the variants of partial alleles). */
  hgvs: Array<Readonly<Record<string, string>> | undefined>;
  lowestFunction: boolean;
  /** Position indices that must be genotyped for a call (PharmCAT exemptions). */
  required: Set<number>;
  /** Unphased tie-break rules keyed by the sorted, `|`-joined tied diplotype names. */
  unphasedPriorities: Map<string, string>;
  /** Indel / multi-base positions, read through normalization (matcher/indels.ts). */
  indels: IndelSite[];
  /** Extra positions (not part of any allele) read and reported with the gene. */
  extra: Array<{ key: string; chromosome: string; position: number; rsid?: string; use: string }>;
  /** Position index, rsid and base → allele map of the single-position fallback (SLCO1B1 rs4149056). */
  fallback?: { index: number; rsid: string; alleles: Readonly<Record<string, string>> };
  /** Reference bases the definitions' REF strings give, per chromosome. */
  reference: Map<string, Map<number, string>>;
  /** Per position, the distinct bases some allele expects there (IUPAC codes kept): any other base is undocumented. */
  documented: string[][];
  /** Undocumented variation is read as the reference base (toxicity genes) instead of leaving the gene uncalled. */
  undocumentedAsReference: boolean;
  /** AMP tier-1 position indices and, per tier-1 allele, the tier-1 indices it is defined at. */
  ampTier1?: { indices: number[]; alleles: Array<{ name: string; indices: number[] }>; notCallable: string[] };
}

const cache = new WeakMap<GeneDefinition, PreparedGene>();

/**
 * Prepares a gene. PharmCAT semantics: a position a non-reference allele leaves null is expected to carry the
 * reference allele (PharmCAT NamedAllele "finalization"), but it does not count towards the allele's score.
 */
export function prepareGene(def: GeneDefinition): PreparedGene {
  const hit = cache.get(def);
  if (hit) return hit;
  const refBases = def.positions.map((p) => p.ref);
  const { sites, reference } = indelSites(def.positions);
  const indexOf = (position: number): number => {
    const i = def.positions.findIndex((p) => p.position === position);
    if (i < 0) throw new Error(`${def.gene}: position ${position} is not a definition position`);
    return i;
  };
  const alleles = def.alleles.map((a) => {
    const bases = [...refBases];
    const defines = refBases.map(() => false);
    for (const [i, base] of a.defining) {
      bases[i] = base;
      defines[i] = true;
    }
    return { name: a.name, reference: a.reference, bases, defines };
  });
  const prepared: PreparedGene = {
    gene: def.gene,
    keys: def.positions.map((p) => `${p.chromosome}:${p.position}`),
    labels: def.positions.map((p) => `${p.chromosome}:${p.position}${p.rsid ? ` (${p.rsid})` : ''}`),
    alleles,
    refs: refBases,
    hgvs: def.positions.map((p) => p.hgvs),
    lowestFunction: def.lowestFunction === true,
    required: new Set(def.positions.flatMap((p, i) => (def.requiredPositions?.includes(p.position) ? [i] : []))),
    unphasedPriorities: new Map((def.unphasedPriorities ?? []).map((p) => [[...p.list].sort().join('|'), p.pick])),
    indels: sites,
    reference,
    documented: refBases.map((_, i) => [...new Set(alleles.map((a) => a.bases[i] ?? ''))]),
    undocumentedAsReference: def.undocumentedAsReference === true,
    ...(def.ampTier1
      ? { ampTier1: { indices: def.ampTier1.positions.map(indexOf), alleles: def.ampTier1.alleles.map((a) => ({ name: a.name, indices: a.positions.map(indexOf) })), notCallable: def.ampTier1.notCallable ?? [] } }
      : {}),
    ...(def.singlePositionFallback ? { fallback: def.singlePositionFallback } : {}),
    extra: (def.extraPositions ?? []).map((p) => ({ key: `${p.chromosome}:${p.position}`, chromosome: p.chromosome, position: p.position, ...(p.rsid ? { rsid: p.rsid } : {}), use: p.use })),
  };
  cache.set(def, prepared);
  return prepared;
}

/** All the positions of a set of genes, as `chrN:pos` (what the VCF reader keeps), with the windows around indels. */
export function positionKeys(genes: PreparedGene[]): Set<string> {
  return new Set(genes.flatMap((g) => [...g.keys, ...g.indels.flatMap((s) => s.window), ...g.extra.map((e) => e.key)]));
}
