// The VcfCaller wired into `flaura pgx call`: read the VCF's PGx positions once, then match every gene.
import type { VcfCaller } from '../pipeline.ts';
import { readVcf } from '../vcf/reader.ts';
import { readVcfCohort } from '../vcf/cohort.ts';
import type { GeneCall } from '../model.ts';
import { covers, readBed, type AssayedRegions } from '../vcf/bed.ts';
import type { VcfGenotype } from '../vcf/lines.ts';
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
    const regions = options.assayed ? await readBed(options.assayed) : undefined;
    const { sample, genotypes } = await readVcf(path, { positions, ...(options.sample ? { sample: options.sample } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
    return {
      sample,
      calls: prepared.map((g) => {
        if (!regions) return matchGene(g, genotypes, { allMatches: options.allMatches });
        const { genotypes: filled, assumed } = assumeReference(g, genotypes, regions);
        const call = matchGene(g, filled, { allMatches: options.allMatches });
        if (assumed.length === 0) return call;
        const w = { code: 'ASSUMED_REFERENCE', message: `${g.gene}: ${assumed.length} position(s) absent from the VCF were taken as reference because the BED file declares them assayed (${assumed.slice(0, 5).join(', ')}${assumed.length > 5 ? ', …' : ''}).` };
        return { ...call, assumedReference: true, warnings: [...call.warnings, w] };
      }),
      alleleDefinitionsVersion: `PharmCAT allele definitions ${version}`,
    };
  };
}

/** Definition positions the VCF lacks but the BED covers become homozygous reference (the definition's REF). */
function assumeReference(g: PreparedGene, genotypes: ReadonlyMap<string, VcfGenotype>, regions: AssayedRegions): { genotypes: ReadonlyMap<string, VcfGenotype>; assumed: string[] } {
  const assumed: string[] = [];
  let filled: Map<string, VcfGenotype> | undefined;
  g.keys.forEach((key, i) => {
    if (genotypes.get(key)?.alleles || genotypes.get(key)?.blockReference) return;
    const colon = key.lastIndexOf(':');
    const chromosome = key.slice(0, colon);
    const position = Number(key.slice(colon + 1));
    if (!covers(regions, chromosome, position)) return;
    filled ??= new Map(genotypes);
    const ref = g.refs[i] ?? '';
    filled.set(key, { chromosome, position, ref, alts: [], alleles: [ref, ref], phased: true });
    assumed.push(g.labels[i] ?? key);
  });
  return { genotypes: filled ?? genotypes, assumed };
}

/**
 * Calls every sample of a multi-sample VCF, reading the file once: per sample the matcher's calls for all genes.
 * Definitions are loaded once per folder.
 */
export async function callVcfCohort(path: string, options: { samples?: readonly string[]; allMatches?: boolean; dir?: string; onProgress?: (bytesRead: number, totalBytes: number) => void } = {}): Promise<{ samples: string[]; calls: GeneCall[][]; alleleDefinitionsVersion: string }> {
  const { index, genes } = loadAlleleDefinitions(options.dir ?? DEFAULT_ALLELES_DIR);
  const prepared = genes.map(prepareGene);
  const cohort = await readVcfCohort(path, { positions: positionKeys(prepared), ...(options.samples ? { samples: options.samples } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  const calls = cohort.genotypes.map((genotypes) => prepared.map((g) => matchGene(g, genotypes, { allMatches: options.allMatches === true })));
  return { samples: cohort.samples, calls, alleleDefinitionsVersion: `PharmCAT allele definitions ${index.version}` };
}

/** The default caller (data/pgx/alleles). */
export const callVcf: VcfCaller = createVcfCaller();
