// The phenotyper's per-gene result: the call, its phenotype(s) and any warnings the rules added.
import type { GeneCall, GenePhenotype, PgxWarning } from '../model.ts';

/** Sex as needed for X-linked genes (G6PD): males are hemizygous. */
export type Sex = 'male' | 'female' | 'unknown';

/** Options of the phenotyper. */
export interface PhenotypeOptions {
  sex?: Sex;
}

/** One gene's result: every distinct phenotype of its tied diplotypes (or `Indeterminate`). */
export interface GeneResult {
  gene: string;
  call: GeneCall;
  phenotypes: GenePhenotype[];
  warnings: PgxWarning[];
}

/** The lookup key used when a gene has no call (CPIC's rows key this as `No Result`). */
export const NO_RESULT = 'No Result';

/** The phenotype reported when a gene has no call or the call cannot be interpreted. */
export const INDETERMINATE = 'Indeterminate';
