// The compact phenotype table format stored in data/pgx/phenotypes/<GENE>.json (written by scripts/pgx-data).

/** One allele's function and, for activity-score genes, its activity value as CPIC writes it. */
export interface AlleleFunction {
  function: string;
  activity?: string;
}

/** A phenotype result for one diplotype (or one hemizygous/haploid allele). */
export interface PhenotypeEntry {
  phenotype: string;
  lookupKey: string;
  activityScore?: string;
}

/** An activity-score → phenotype bin, inclusive on both ends, in activity-score units. */
export interface ActivityBin {
  min: number;
  max: number;
  phenotype: string;
}

/**
 * A gene's phenotype knowledge in derivable form: allele functions plus either activity-score bins or a
 * function-pair map, with explicit overrides for the few diplotypes the rule does not reproduce.
 */
export interface PhenotypeTable {
  gene: string;
  version: string;
  source: { name: string; repository: string; commit: string; path: string; licence: string };
  alleles: Record<string, AlleleFunction>;
  /** `activity-score`: sum of activity values → bins; `function-pair`: sorted allele functions → phenotype. */
  derivation: 'activity-score' | 'function-pair';
  bins?: ActivityBin[];
  /** Result when an allele has no numeric activity value (unknown/uncertain function), e.g. Indeterminate / n/a. */
  unscored?: PhenotypeEntry;
  /** Key: allele functions sorted and joined with ` + ` (one function for a haploid call). */
  functionPairs?: Record<string, PhenotypeEntry>;
  /**
   * Lowest-function genes without activity values (RYR1): the allele functions from lowest to highest, so that the
   * phenotyper can take the two lowest-function alleles found (hand-kept in scripts/pgx-data/supplements/function-ranking.json).
   */
  functionRank?: string[];
  /** Key: canonical diplotype (allele names sorted, joined with `/`). */
  overrides: Record<string, PhenotypeEntry>;
  /** Which diplotype shapes the source table lists: two-allele pairs and/or single (hemizygous/haploid) alleles. */
  shapes: Array<'pair' | 'single'>;
  /** sha256 of the source table's canonical rows; the derived table must reproduce it (see phenotype tests). */
  sourceChecksum: string;
  sourceRows: number;
}

/** The canonical key of a diplotype: allele names sorted (code-point order) and joined with `/`. */
export function canonicalDiplotype(alleles: readonly string[]): string {
  return [...alleles].sort().join('/');
}
