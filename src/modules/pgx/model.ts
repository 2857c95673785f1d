// The PGx pipeline's result model: plain, JSON-serialisable values passed between its stages
// (read VCF -> match alleles -> phenotype -> drug-drug-gene modifiers -> recommend -> render).

/** A message attached to a call: ambiguity, missing positions, a data exemption, a lab note. */
export interface PgxWarning {
  /** Stable machine code, e.g. `MISSING_POSITIONS`, `AMBIGUOUS_CALL`, `CN_NOT_ASSESSED`. */
  code: string;
  /** The rule's id when the warning comes from a message rule in the data. */
  ruleId?: string;
  message: string;
}

/** One candidate diplotype from the named allele matcher. */
export interface DiplotypeMatch {
  /** As written in the standards, e.g. `*1/*17`, `c.1905+1G>A/Reference`, `rs4149056T/rs4149056C`. */
  name: string;
  allele1: string;
  allele2: string;
  /** Sum of the two alleles' scores (number of defining positions), PharmCAT semantics. */
  score: number;
  /**
   * Set when either allele is a combination (`[*2 + *9]`, several defined alleles on one strand) or partial allele (a
   * defined allele plus variants no definition explains); such alleles have no function in the phenotype tables.
   */
  combination?: true;
}

/** A variant reported for lowest-function genes (DPYD, RYR1) and for every called position. */
export interface VariantCall {
  chromosome: string;
  position: number;
  rsid?: string;
  /** Genotype as bases, e.g. `A/G` or `A|G` when phased. */
  call: string;
  phased: boolean;
}

/** Stage 2 output: the matcher's call for one gene of one sample. */
export interface GeneCall {
  gene: string;
  source: 'vcf' | 'outside-call';
  /** Every tied top candidate (or every plausible one with all-matches), best score first. Empty = no call. */
  diplotypes: DiplotypeMatch[];
  /** For lowest-function genes: the alleles found, whatever their pairing (an allele on both strands listed twice). */
  haplotypes?: string[];
  /** Lowest-function genes, phased data: the alleles found on each strand. */
  haplotypeStrands?: [string[], string[]];
  /** Positions the definitions need but the input did not cover, as `chr:pos` (`rsid` when known). */
  missingPositions: string[];
  /** True when the positions used were assumed reference because the caller declared them assayed (e.g. BED). */
  assumedReference?: boolean;
  phased: boolean;
  variants?: VariantCall[];
  /** Positions read with the gene but outside its allele definitions (PharmCAT extra positions, e.g. CYP2C9 rs12777823 for warfarin); `call` null when not genotyped. */
  extraPositions?: Array<{ chromosome: string; position: number; rsid?: string; call: string | null; use: string }>;
  /**
   * VCF calls of genes with AMP tier-1 variants (PharmCAT exemptions): whether every tier-1 position was genotyped (a
   * gVCF reference block or a BED-declared assayed position counts), the missing ones (`chrN:pos (rsid)`), the tier-1
   * alleles defined there that therefore could not be ruled out, and tier-1 alleles a VCF cannot show (CYP2D6 *5).
   */
  ampTier1?: { covered: boolean; positions: number; missingPositions: string[]; allelesNotRuledOut: string[]; notAssessed?: string[] };
  warnings: PgxWarning[];
  /** Outside calls: the phenotype the lab reported, when given instead of a diplotype. */
  reportedPhenotype?: string;
}

/** A lab's phenotype without diplotype (an outside call): phenotyped, recommended and annotated as such. */
export function isPhenotypeOnly(call: GeneCall): call is GeneCall & { reportedPhenotype: string } {
  return Boolean(call.reportedPhenotype) && call.diplotypes.length === 0;
}

/** Stage 3 output: a gene's phenotype(s) for the diplotype(s) of a call. */
export interface GenePhenotype {
  gene: string;
  diplotype?: string;
  /** e.g. `Poor Metabolizer`, `Decreased Function`, `HLA-B*57:01 positive`. */
  phenotype: string;
  /** e.g. `1.5`, `≥3.0`, or undefined where the gene has no activity score. */
  activityScore?: string;
  /** The key used to look up recommendations: phenotype, activity score or allele status. */
  lookupKey: string;
}

/** Versions of the knowledge a result was computed with. */
export interface PgxDataVersion {
  alleleDefinitions: string;
  phenotypes: string;
  cpicRecommendations: string;
  dpwgRecommendations?: string;
  /** The message rules attached to calls and drugs (data/pgx/messages.json). */
  messageRules?: string;
}
