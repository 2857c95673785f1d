// The VcfCaller wired into `flaura pgx call`: read the VCF's PGx positions once, then match every gene.
import type { VcfCaller } from '../pipeline.ts';
import { readVcf } from '../vcf/reader.ts';
import { readVcfCohort } from '../vcf/cohort.ts';
import { FlauraError } from '../../../errors.ts';
import type { GeneCall, PgxWarning } from '../model.ts';
import { covers, readBed, type AssayedRegions } from '../vcf/bed.ts';
import type { VcfGenotype } from '../vcf/lines.ts';
import { DEFAULT_ALLELES_DIR, loadAlleleDefinitions } from './definitions.ts';
import { matchGene } from './matcher.ts';
import { positionKeys, prepareGene } from './prepare.ts';
import type { PreparedGene } from './prepare.ts';

/** The prepared genes of one folder: those called from every VCF and the opt-in ones (CYP2D6). */
interface Ready { version: string; prepared: PreparedGene[]; optIn: Map<string, { prepared: PreparedGene; warning?: PgxWarning }>; positions: Map<string, Set<string>> }

function prepareFolder(dir: string): Ready {
  const { index, genes, optIn } = loadAlleleDefinitions(dir);
  return {
    version: index.version,
    prepared: genes.map(prepareGene),
    optIn: new Map(optIn.map((d) => [d.gene, { prepared: prepareGene(d), ...(d.callWarning ? { warning: d.callWarning } : {}) }])),
    positions: new Map(),
  };
}

/**
 * The genes to call: every default gene plus the requested opt-in ones (400 `PGX_OPT_IN_UNKNOWN` for a gene that is
 * not opt-in in the data), with the set of positions the reader keeps (cached per combination).
 */
function genesFor(ready: Ready, optIn: readonly string[] | undefined): { genes: Array<{ prepared: PreparedGene; warning?: PgxWarning }>; positions: Set<string> } {
  const wanted = [...new Set(optIn ?? [])].sort();
  const unknown = wanted.filter((g) => !ready.optIn.has(g));
  if (unknown.length > 0) throw new FlauraError('PGX_OPT_IN_UNKNOWN', 400, `${unknown.join(', ')}: not an opt-in gene of the allele definitions (opt-in genes: ${[...ready.optIn.keys()].join(', ') || 'none'})`);
  const genes = [...ready.prepared.map((prepared) => ({ prepared })), ...wanted.map((g) => ready.optIn.get(g)!)];
  const key = wanted.join(',');
  let positions = ready.positions.get(key);
  if (!positions) {
    positions = positionKeys(genes.map((g) => g.prepared));
    ready.positions.set(key, positions);
  }
  return { genes, positions };
}

/** An opt-in gene's call carries its data warning (CYP2D6: copy number not assessed). */
function withCallWarning(call: GeneCall, warning: PgxWarning | undefined): GeneCall {
  return warning ? { ...call, warnings: [warning, ...call.warnings] } : call;
}

/**
 * Builds a VcfCaller over a definitions folder (default data/pgx/alleles); definitions are loaded and prepared once, on
 * first use. Opt-in genes (CYP2D6) are called only when `options.optIn` names them.
 */
export function createVcfCaller(dir: string = DEFAULT_ALLELES_DIR): VcfCaller {
  let ready: Ready | undefined;
  return async (path, options) => {
    ready ??= prepareFolder(dir);
    const { genes, positions } = genesFor(ready, options.optIn);
    const regions = options.assayed ? await readBed(options.assayed) : undefined;
    const { sample, genotypes } = await readVcf(path, { positions, ...(options.sample ? { sample: options.sample } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
    return {
      sample,
      calls: genes.map(({ prepared: g, warning }) => {
        const match = { allMatches: options.allMatches, ...(options.sex ? { sex: options.sex } : {}), ...(options.findCombinations ? { findCombinations: true } : {}) };
        if (!regions) return withCallWarning(matchGene(g, genotypes, match), warning);
        const { genotypes: filled, assumed } = assumeReference(g, genotypes, regions);
        const call = withCallWarning(matchGene(g, filled, match), warning);
        if (assumed.length === 0) return call;
        const w = { code: 'ASSUMED_REFERENCE', message: `${g.gene}: ${assumed.length} position(s) absent from the VCF were taken as reference because the BED file declares them assayed (${assumed.slice(0, 5).join(', ')}${assumed.length > 5 ? ', …' : ''}).` };
        return { ...call, assumedReference: true, warnings: [...call.warnings, w] };
      }),
      alleleDefinitionsVersion: `PharmCAT allele definitions ${ready.version}`,
    };
  };
}

/** Definition positions the VCF lacks but the BED covers become homozygous reference (the definition's REF). */
function assumeReference(g: PreparedGene, genotypes: ReadonlyMap<string, VcfGenotype>, regions: AssayedRegions): { genotypes: ReadonlyMap<string, VcfGenotype>; assumed: string[] } {
  const assumed: string[] = [];
  let filled: Map<string, VcfGenotype> | undefined;
  g.keys.forEach((key, i) => {
    // Any record (a no-call line or gVCF block included) says more than the BED: only absent positions are filled.
    if (genotypes.has(key)) return;
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

/** One sample's call of one gene in a cohort: BED-covered absent positions as reference, flagged as the single-sample caller does. */
function cohortGeneCall(g: PreparedGene, warning: PgxWarning | undefined, genotypes: ReadonlyMap<string, VcfGenotype>, regions: AssayedRegions | undefined, allMatches: boolean): GeneCall {
  if (!regions) return withCallWarning(matchGene(g, genotypes, { allMatches }), warning);
  const { genotypes: filled, assumed } = assumeReference(g, genotypes, regions);
  const call = withCallWarning(matchGene(g, filled, { allMatches }), warning);
  if (assumed.length === 0) return call;
  const w = { code: 'ASSUMED_REFERENCE', message: `${g.gene}: ${assumed.length} position(s) absent from the VCF were taken as reference because the BED file declares them assayed (${assumed.slice(0, 5).join(', ')}${assumed.length > 5 ? ', …' : ''}).` };
  return { ...call, assumedReference: true, warnings: [...call.warnings, w] };
}

/**
 * Calls every sample of a multi-sample VCF, reading the file once: per sample the matcher's calls for all genes.
 * Definitions are loaded once per folder. `assayed` (BED) applies to every sample, as in the single-sample caller.
 */
export async function callVcfCohort(path: string, options: { samples?: readonly string[]; allMatches?: boolean; optIn?: readonly string[]; dir?: string; assayed?: string; onProgress?: (bytesRead: number, totalBytes: number) => void } = {}): Promise<{ samples: string[]; calls: GeneCall[][]; alleleDefinitionsVersion: string }> {
  const ready = prepareFolder(options.dir ?? DEFAULT_ALLELES_DIR);
  const { genes, positions } = genesFor(ready, options.optIn);
  const regions = options.assayed ? await readBed(options.assayed) : undefined;
  const cohort = await readVcfCohort(path, { positions, ...(options.samples ? { samples: options.samples } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  const calls = cohort.genotypes.map((genotypes) => genes.map(({ prepared: g, warning }) => cohortGeneCall(g, warning, genotypes, regions, options.allMatches === true)));
  return { samples: cohort.samples, calls, alleleDefinitionsVersion: `PharmCAT allele definitions ${ready.version}` };
}

/** The default caller (data/pgx/alleles). */
export const callVcf: VcfCaller = createVcfCaller();
