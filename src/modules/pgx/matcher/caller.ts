// The VcfCaller wired into `flaura pgx call`: read the VCF's PGx positions once, then match every gene.
import type { VcfCaller } from '../pipeline.ts';
import { readVcf } from '../vcf/reader.ts';
import { DEFAULT_ALLELES_DIR, loadAlleleDefinitions } from './definitions.ts';
import { matchGene } from './matcher.ts';
import { positionKeys, prepareGene } from './prepare.ts';

/** Builds a VcfCaller over a definitions folder (default data/pgx/alleles); definitions are loaded once. */
export function createVcfCaller(dir: string = DEFAULT_ALLELES_DIR): VcfCaller {
  return async (path, options) => {
    const { index, genes } = loadAlleleDefinitions(dir);
    const prepared = genes.map(prepareGene);
    const { sample, genotypes } = await readVcf(path, { positions: positionKeys(prepared), ...(options.sample ? { sample: options.sample } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
    return { sample, calls: prepared.map((g) => matchGene(g, genotypes, { allMatches: options.allMatches })), alleleDefinitionsVersion: `PharmCAT allele definitions ${index.version}` };
  };
}

/** The default caller (data/pgx/alleles). */
export const callVcf: VcfCaller = createVcfCaller();
