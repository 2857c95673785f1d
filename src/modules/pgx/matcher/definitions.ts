// Compact named-allele definitions (data/pgx/alleles/), their types and a loader that reads them once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlauraError } from '../../../errors.ts';

/** One position a gene's definitions use (GRCh38, VCF coordinates and alleles). */
export interface DefinedPosition {
  /** `chr`-prefixed chromosome, e.g. `chr10`. */
  chromosome: string;
  position: number;
  rsid?: string;
  ref: string;
  alts: string[];
  /** PharmCAT's genomic HGVS name per VCF ALT (`{ "A": "g.94942234G>A" }`); absent where the build cannot map them. */
  hgvs?: Record<string, string>;
}

/** One named allele: its defining bases as `[position index, base]` (IUPAC codes allowed, VCF allele strings). */
export interface AlleleDefinition {
  name: string;
  reference: boolean;
  defining: Array<[number, string]>;
}

/** The compact definition file of one gene. */
export interface GeneDefinition {
  gene: string;
  version: string;
  positions: DefinedPosition[];
  alleles: AlleleDefinition[];
  /** Lowest-function gene (DPYD, RYR1): the matcher also reports every allele found (`haplotypes`). */
  lowestFunction?: boolean;
  /** PharmCAT exemptions: positions without which the gene is not called (NAT2). */
  requiredPositions?: number[];
  /** PharmCAT exemptions: when unphased top ties are exactly `list`, report `pick` (NAT2). */
  unphasedPriorities?: Array<{ list: string[]; pick: string }>;
  /** PharmCAT exemptions `extraPositions`: read and reported with the gene, not part of any allele (CYP2C9 rs12777823). */
  extraPositions?: Array<DefinedPosition & { use: string }>;
  /**
   * When no diplotype fits, call the gene from this one position (SLCO1B1 rs4149056): `alleles` maps each VCF base
   * to the allele whose function it stands for (reference base → reference allele, `C` → *5).
   */
  singlePositionFallback?: { index: number; rsid: string; alleles: Record<string, string> };
  /**
   * PharmCAT exemptions `amp1Positions` / `amp1Alleles`: the AMP tier-1 variant positions (genomic, GRCh38) a test of
   * the gene should cover (Pratt et al., AMP PGx working group), and per tier-1 allele the tier-1 positions it is
   * defined at (derived from the definitions); `notCallable` = tier-1 alleles with no SNV/indel definition (CYP2D6 *5).
   */
  ampTier1?: { positions: number[]; alleles: Array<{ name: string; positions: number[] }>; notCallable?: string[] };
  /**
   * A base no allele defines, found at a definition position, is read as the reference base (with a warning) so the
   * gene is still called; otherwise such a base leaves the gene uncalled. From data/pgx/undocumented-variations.json
   * (PharmCAT: genes whose defined variants affect drug toxicity).
   */
  undocumentedAsReference?: boolean;
  /** Opt-in genes (CYP2D6): the warning every VCF call of the gene carries (copy number not assessed). */
  callWarning?: { code: string; message: string };
}

/** data/pgx/alleles/index.json. */
export interface AlleleIndex {
  source: string;
  licence: string;
  version: string;
  /** Genes called from every VCF. */
  genes: string[];
  /**
   * Genes called from a VCF only on request (CYP2D6, `--cyp2d6-from-vcf`): the warning code their calls carry and
   * the phenotype-table alleles with no SNV/indel definition (structural / copy-number alleles) that cannot be called.
   */
  optIn: Array<{ gene: string; warning: string; notCallable: string[] }>;
}

/** The repository's data/pgx/alleles folder. */
export const DEFAULT_ALLELES_DIR = join(import.meta.dirname, '../../../../data/pgx/alleles');

/** A folder's definitions: `genes` are called from every VCF, `optIn` only on request. */
export interface LoadedDefinitions { index: AlleleIndex; genes: GeneDefinition[]; optIn: GeneDefinition[] }

const cache = new Map<string, LoadedDefinitions>();

/** Loads every gene definition of a folder, once per folder (throws 500 PGX_ALLELES_MISSING when absent). */
export function loadAlleleDefinitions(dir: string = DEFAULT_ALLELES_DIR): LoadedDefinitions {
  const hit = cache.get(dir);
  if (hit) return hit;
  try {
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as AlleleIndex;
    const read = (g: string) => JSON.parse(readFileSync(join(dir, `${g}.json`), 'utf8')) as GeneDefinition;
    const loaded = { index, genes: index.genes.map(read), optIn: (index.optIn ?? []).map((o) => read(o.gene)) };
    cache.set(dir, loaded);
    return loaded;
  } catch (err) {
    throw new FlauraError('PGX_ALLELES_MISSING', 500, `cannot load allele definitions from ${dir}: ${(err as Error).message}`, { cause: err });
  }
}
