// Import options every EMR door takes (REST query, $pgx-import parameter, CLI flag, importer option): today the
// CYP2D6-from-VCF opt-in. One parser, so every door accepts and refuses the same values.
import { join } from 'node:path';
import { FlauraError } from '../../../errors.ts';
import { loadAlleleDefinitions } from '../matcher/definitions.ts';
import { DEFAULT_PGX_DATA_DIR } from '../phenotype/knowledge.ts';

/** The option's name in a query string, a Parameters resource and the importer options. */
export const CYP2D6_FROM_VCF = 'cyp2d6FromVcf';

/**
 * `true`/`false` (a boolean, or the strings `true`/`false` of a query string); absent → undefined. Anything else is a
 * 400 naming the option and the value, so a typo never silently imports without the opt-in.
 */
export function parseBooleanOption(name: string, value: unknown, expression?: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  const shown = Array.isArray(value) ? `${value.length} values` : `'${String(value).slice(0, 40)}'`;
  throw new FlauraError('PGX_IMPORT_BAD_PARAMETERS', 400, `${name} must be true or false (got ${shown})`, { type: 'invalid', expression: [expression ?? name] });
}

const partialGenesByDir = new Map<string, ReadonlySet<string>>();

/**
 * Genes a VCF is called for only on request and only in part (CYP2D6: SNVs/indels, no copy number), from the allele
 * definitions' `optIn` list. A stored outside call of such a gene is preferred over a VCF call of it.
 */
export function partialVcfGenes(dataDir: string = DEFAULT_PGX_DATA_DIR): ReadonlySet<string> {
  // Read on every PGx summary and CDS hook request: built once per data folder.
  let genes = partialGenesByDir.get(dataDir);
  if (!genes) {
    genes = new Set(loadAlleleDefinitions(join(dataDir, 'alleles')).index.optIn?.map((o) => o.gene) ?? []);
    partialGenesByDir.set(dataDir, genes);
  }
  return genes;
}

/** The warning codes partial VCF calls carry (CYP2D6_COPY_NUMBER_NOT_ASSESSED), to point them out in summaries. */
export function partialVcfWarnings(dataDir: string = DEFAULT_PGX_DATA_DIR): ReadonlySet<string> {
  return new Set(loadAlleleDefinitions(join(dataDir, 'alleles')).index.optIn?.map((o) => o.warning) ?? []);
}
