// The VcfCaller wired into `flaura pgx call`: read the VCF's PGx positions once, then match every gene.
import type { VcfCaller } from '../pipeline.ts';
import { readVcf } from '../vcf/reader.ts';
import { DEFAULT_ALLELES_DIR, loadAlleleDefinitions } from './definitions.ts';
import { matchGene } from './matcher.ts';
import { positionKeys, prepareGene } from './prepare.ts';
import type { PreparedGene } from './prepare.ts';

/** Builds a VcfCaller over a definitions folder (default data/pgx/alleles); definitions are loaded and prepared once, on first use. */
export function createVcfCaller(dir: string = DEFAULT_ALLELES_DIR): VcfCaller {
  let ready: { version: string; prepared: PreparedGene[]; positions: Set<string> } | undefined;
  return async (path, options) => {
    if (!ready) {
      const { index, genes } = loadAlleleDefinitions(dir);
      const prepared = genes.map(prepareGene);
      ready = { version: index.version, prepared, positions: positionKeys(prepared) };
    }
    const { version, prepared, positions } = ready;
    const { sample, genotypes } = await readVcf(path, { positions, ...(options.sample ? { sample: options.sample } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
    return { sample, calls: prepared.map((g) => matchGene(g, genotypes, { allMatches: options.allMatches })), alleleDefinitionsVersion: `PharmCAT allele definitions ${version}` };
  };
}

/** The default caller (data/pgx/alleles). */
export const callVcf: VcfCaller = createVcfCaller();
