// Storing a PGx result in the EMR: run the engine on the uploaded file(s), then write the raw file(s) (Binary, sealed
// by the store), the Genomics Reporting resources and a Provenance in ONE FHIR transaction; older calls of the same
// genes are marked `amended` in that same transaction.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Binary, Bundle, BundleEntry, DiagnosticReport, DocumentReference, Observation, Patient, Provenance } from '@medplum/fhirtypes';
import { FlauraError } from '../../../errors.ts';
import type { FhirStore, RequestActor } from '../../../fhir/store/types.ts';
import type { PgxWarning } from '../model.ts';
import { runPgx, type VcfCaller } from '../pipeline.ts';
import { DEFAULT_PGX_DATA_DIR, loadPhenotypeKnowledge } from '../phenotype/knowledge.ts';
import { INDETERMINATE } from '../phenotype/types.ts';
import { toFhirBundle } from '../report/fhir.ts';
import type { PgxResult } from '../report/types.ts';
import { CODES, LOINC, PGX_ENGINE, PGX_RESULT_HASH_SYSTEM, PGX_SUPERSEDED_BY_EXTENSION, SOFTWARE_IDENTIFIER_SYSTEM } from './conventions.ts';
import { CYP2D6_FROM_VCF, partialVcfGenes } from './import-options.ts';
import { contentHash, safeFileName, sha256Hex, splitInputs, type UploadedFile } from './input-files.ts';
import { hasLoinc, observationGenes, observationSource, searchAll } from './read-back.ts';

/** What storing needs: the store (reads), a transaction runner (ModuleContext.transaction) and the VCF caller. */
export interface PgxStoreDeps {
  store: FhirStore;
  transaction?: (bundle: Bundle, actor?: RequestActor) => Promise<Bundle>;
  callVcf: VcfCaller;
  dataDir?: string;
  now?: () => Date;
}

export interface PgxImportRequest {
  patientId: string;
  files: readonly UploadedFile[];
  /** Sample column of a multi-sample VCF (default the first). */
  sample?: string;
  /** Call CYP2D6 from the VCF too (SNVs/indels only: every such call warns that copy number was not assessed). Needs a VCF. */
  cyp2d6FromVcf?: boolean;
  /** Who imports (events, audit); also the Provenance author. */
  actor?: RequestActor;
  /** Provenance author when no FHIR reference is known, e.g. `operator (flaura import pgx)`. */
  authorDisplay?: string;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface PgxImportOutcome {
  /** `created`: stored now; `unchanged`: this content was imported for the patient before (nothing written). */
  status: 'created' | 'unchanged';
  reportId: string;
  contentHash: string;
  /** Per gene the call as stored; `warnings` are the call's warning codes (e.g. CYP2D6_COPY_NUMBER_NOT_ASSESSED). */
  genes: { gene: string; diplotypes: string[]; phenotype: string; source: 'vcf' | 'outside-call'; warnings: string[] }[];
  /** Observation ids marked `amended` because this result replaced them. */
  superseded: string[];
  /** What the import did not do as one might expect, e.g. a stored outside call that stays current (OUTSIDE_CALL_KEPT). */
  warnings: PgxWarning[];
  /** Resources written by the transaction. */
  written: number;
}

const PATIENT_ID = /^[A-Za-z0-9\-.]{1,64}$/;

function idFromLocation(location: string | undefined): string {
  const m = /([A-Za-z]+)\/([A-Za-z0-9\-.]+)(?:\/_history\/[^/]+)?$/.exec(location ?? '');
  if (!m?.[2]) throw new FlauraError('PGX_STORE_FAILED', 500, `the transaction returned no location for the report (${location ?? 'none'})`);
  return m[2];
}

/** Genes this result has a usable call for: those replace older calls of the same gene. */
function calledGenes(result: PgxResult): Set<string> {
  return new Set(result.genes.filter((g) => g.phenotypes.some((p) => p.phenotype !== INDETERMINATE)).map((g) => g.gene));
}

async function findExisting(store: FhirStore, patientId: string, hash: string): Promise<DiagnosticReport | undefined> {
  const found = await store.search('DiagnosticReport', new URLSearchParams({ identifier: `${PGX_RESULT_HASH_SYSTEM}|${hash}`, subject: `Patient/${patientId}` }));
  return found.entry?.find((e) => e.resource?.resourceType === 'DiagnosticReport')?.resource as DiagnosticReport | undefined;
}

async function runEngine(deps: PgxStoreDeps, request: PgxImportRequest, patient: Patient): Promise<PgxResult> {
  const { vcf, outside, bed } = splitInputs(request.files);
  const dir = await mkdtemp(join(tmpdir(), 'flaura-pgx-'));
  try {
    const vcfPath = vcf ? join(dir, safeFileName(vcf, 'vcf')) : undefined;
    const outsidePath = outside ? join(dir, safeFileName(outside, 'outside-call')) : undefined;
    const bedPath = bed ? join(dir, `assayed-${safeFileName(bed, 'bed')}`) : undefined;
    if (vcf && vcfPath) await writeFile(vcfPath, vcf.bytes);
    if (outside && outsidePath) await writeFile(outsidePath, outside.bytes);
    if (bed && bedPath) await writeFile(bedPath, bed.bytes);
    return await runPgx(
      {
        ...(vcfPath ? { vcf: vcfPath } : {}),
        ...(outsidePath ? { outsideCalls: outsidePath } : {}),
        ...(request.sample ? { sample: request.sample } : {}),
        ...(bedPath ? { assayed: bedPath } : {}),
        ...(request.cyp2d6FromVcf ? { cyp2d6FromVcf: true } : {}),
        ...(patient.gender === 'male' || patient.gender === 'female' ? { sex: patient.gender } : {}),
        patientReference: `Patient/${request.patientId}`,
        ...(deps.dataDir ? { dataDir: deps.dataDir } : {}),
        ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      },
      deps.callVcf,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Binary per input file, with a stable id (patient + file hash) so the DocumentReference can point at it. */
function binaryEntries(patientId: string, files: readonly UploadedFile[], result: PgxResult): { entries: BundleEntry[]; byInput: (string | undefined)[]; bed?: { id: string; name: string } } {
  const { vcf, outside, bed } = splitInputs(files);
  const entries: BundleEntry[] = [];
  const binary = (file: UploadedFile, contentType: string): string => {
    const id = `pgx-${sha256Hex(`${patientId}\u0000${sha256Hex(file.bytes)}`).slice(0, 56)}`;
    const resource: Binary = { resourceType: 'Binary', id, contentType, securityContext: { reference: `Patient/${patientId}` }, data: file.bytes.toString('base64') };
    entries.push({ resource, request: { method: 'PUT', url: `Binary/${id}` } });
    return id;
  };
  const byInput = result.inputs.map((input) => {
    const file = input.kind === 'vcf' ? vcf : outside;
    return file ? binary(file, input.contentType) : undefined;
  });
  return { entries, byInput, ...(bed ? { bed: { id: binary(bed, 'text/x-bed'), name: bed.name ?? 'assayed.bed' } } : {}) };
}

/** Imports for one patient run one after the other in this process (so two uploads of one file store it once). */
const patientQueues = new Map<string, Promise<unknown>>();

function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = patientQueues.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  patientQueues.set(key, tail);
  void tail.then(() => {
    if (patientQueues.get(key) === tail) patientQueues.delete(key);
  });
  return run;
}

/**
 * Runs the engine on the file(s) and stores the result for the patient. Re-importing the same content is a no-op
 * (`unchanged`); bad input throws FlauraError 400 before anything is written. Imports for one patient are serialized
 * within the process.
 */
export function importPgxResult(deps: PgxStoreDeps, request: PgxImportRequest): Promise<PgxImportOutcome> {
  return serialized(request.patientId, () => importNow(deps, request));
}

async function importNow(deps: PgxStoreDeps, request: PgxImportRequest): Promise<PgxImportOutcome> {
  if (!PATIENT_ID.test(request.patientId)) throw new FlauraError('PGX_BAD_PATIENT', 400, 'the patient id must be a FHIR id');
  if (!deps.transaction) throw new FlauraError('PGX_STORE_UNAVAILABLE', 501, 'this build gives modules no FHIR transaction runner');
  const { vcf } = splitInputs(request.files); // count, emptiness and size, before anything is hashed or read
  if (request.cyp2d6FromVcf && !vcf) {
    throw new FlauraError('PGX_IMPORT_BAD_PARAMETERS', 400, `${CYP2D6_FROM_VCF} calls CYP2D6 from a VCF, and this upload has no VCF (an outside-call file carries its own CYP2D6 call); send the VCF, or leave ${CYP2D6_FROM_VCF} out`, { type: 'invalid', expression: [CYP2D6_FROM_VCF] });
  }
  const patient = (await deps.store.read<Patient>('Patient', request.patientId)).resource;
  const hash = contentHash(request.files, { ...(request.cyp2d6FromVcf ? { cyp2d6FromVcf: true } : {}), ...(request.sample ? { sample: request.sample } : {}) });
  const existing = await findExisting(deps.store, request.patientId, hash);
  if (existing?.id) return { status: 'unchanged', reportId: existing.id, contentHash: hash, genes: [], superseded: [], written: 0, warnings: [] };

  const result = await runEngine(deps, request, patient);
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const bundle = toFhirBundle(result, now, loadPhenotypeKnowledge(deps.dataDir ?? DEFAULT_PGX_DATA_DIR).hgnc);
  const entries = bundle.entry ?? [];
  const reportEntry = entries.find((e) => e.resource?.resourceType === 'DiagnosticReport');
  if (!reportEntry?.fullUrl) throw new FlauraError('PGX_STORE_FAILED', 500, 'the FHIR rendering has no DiagnosticReport');
  const report = reportEntry.resource as DiagnosticReport;
  report.identifier = [{ system: PGX_RESULT_HASH_SYSTEM, value: hash }];

  const binaries = binaryEntries(request.patientId, request.files, result);
  let docIndex = 0;
  for (const e of entries) {
    if (e.resource?.resourceType !== 'DocumentReference') continue;
    const binaryId = binaries.byInput[docIndex++];
    const attachment = (e.resource as DocumentReference).content[0]?.attachment;
    if (attachment && binaryId) attachment.url = `Binary/${binaryId}`;
  }

  // Older final calls of the genes this result calls are replaced (status `amended`, pointing at the new report), except
  // that a partial VCF call (CYP2D6 without copy number) does not replace a stored outside call of its gene: that call,
  // and the guidance derived from it, stay current (the summary prefers them too).
  const genes = calledGenes(result);
  const older = await searchAll<Observation>(deps.store, 'Observation', {
    subject: `Patient/${request.patientId}`,
    status: 'final',
    code: [CODES.genotype, CODES.phenotype, CODES.implication].map((c) => `${LOINC}|${c}`).join(','),
  });
  const kept = keptOutsideCalls(result, older.map((o) => o.resource), genes, partialVcfGenes(deps.dataDir));
  const superseded = older.filter((s) => {
    const about = observationGenes(s.resource);
    return about.some((g) => genes.has(g) && !kept.has(g)) && !about.some((g) => kept.has(g));
  });
  const supersedeEntries: BundleEntry[] = superseded.map(({ resource, versionId }) => ({
    resource: {
      ...resource,
      status: 'amended',
      extension: [...(resource.extension ?? []).filter((x) => x.url !== PGX_SUPERSEDED_BY_EXTENSION), { url: PGX_SUPERSEDED_BY_EXTENSION, valueReference: { reference: reportEntry.fullUrl } }],
    },
    request: { method: 'PUT', url: `Observation/${resource.id}`, ifMatch: `W/"${versionId}"` },
  }));

  const created = entries.map((e) => ({ ...e, request: e === reportEntry ? { method: 'POST' as const, url: 'DiagnosticReport', ifNoneExist: `identifier=${PGX_RESULT_HASH_SYSTEM}|${hash}&subject=Patient/${request.patientId}` } : { method: 'POST' as const, url: e.resource!.resourceType } }));
  const dv = result.dataVersion;
  const author: NonNullable<Provenance['agent'][number]['who']> = request.actor?.reference ? { reference: request.actor.reference } : { display: request.authorDisplay ?? request.actor?.clientId ?? 'system' };
  const provenance: Provenance = {
    resourceType: 'Provenance',
    target: [...created.map((e) => e.fullUrl!), ...[...binaries.entries, ...supersedeEntries].map((e) => `${e.resource!.resourceType}/${e.resource!.id!}`)].map((reference) => ({ reference })),
    recorded: now,
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'CREATE', display: 'create' }], text: `Pharmacogenomic result import${request.cyp2d6FromVcf ? ' (CYP2D6 called from the VCF on request: SNVs/indels only, copy number not assessed)' : ''}` },
    agent: [
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author', display: 'Author' }] }, who: author },
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'assembler', display: 'Assembler' }] },
        who: {
          identifier: { system: SOFTWARE_IDENTIFIER_SYSTEM, value: PGX_ENGINE },
          display: `${PGX_ENGINE}; ${dv.alleleDefinitions}; phenotypes ${dv.phenotypes}; CPIC ${dv.cpicRecommendations}${dv.dpwgRecommendations ? `; DPWG ${dv.dpwgRecommendations}` : ''}`,
        },
      },
    ],
    entity: [
      ...result.inputs.flatMap((input, i) => {
        const id = binaries.byInput[i];
        return id ? [{ role: 'source' as const, what: { reference: `Binary/${id}`, display: `${input.kind === 'vcf' ? 'VCF' : 'outside-call file'} ${input.name} (sha1 ${input.sha1 ?? '?'})` } }] : [];
      }),
      ...(binaries.bed ? [{ role: 'source' as const, what: { reference: `Binary/${binaries.bed.id}`, display: `BED of assayed regions ${binaries.bed.name}` } }] : []),
    ],
  };
  const transaction: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [...binaries.entries, ...created, ...supersedeEntries, { fullUrl: `urn:uuid:${randomUUID()}`, resource: provenance, request: { method: 'POST', url: 'Provenance' } }],
  };
  const response = await deps.transaction(transaction, request.actor);
  const reportIndex = transaction.entry!.findIndex((e) => e.fullUrl === reportEntry.fullUrl);
  const reportResponse = response.entry?.[reportIndex]?.response;
  return {
    status: reportResponse?.status?.startsWith('200') ? 'unchanged' : 'created',
    reportId: idFromLocation(reportResponse?.location),
    contentHash: hash,
    genes: result.genes.map((g) => ({ gene: g.gene, diplotypes: g.call.diplotypes.map((d) => d.name), phenotype: [...new Set(g.phenotypes.map((p) => p.phenotype))].join(' or '), source: g.call.source, warnings: g.call.warnings.map((w) => w.code) })),
    superseded: superseded.map((s) => s.resource.id!),
    written: transaction.entry!.length,
    warnings: [...kept].map((gene) => ({ code: 'OUTSIDE_CALL_KEPT', message: `${gene}: the call from this VCF is stored, but the patient's stored outside call of ${gene} (a laboratory call, which can include copy number) stays the current one.` })),
  };
}

/**
 * Genes whose new call is a partial VCF call (opt-in gene, called from the VCF) while the patient has a final, usable
 * outside call of that gene stored (a phenotype other than Indeterminate): the outside call stays current.
 */
function keptOutsideCalls(result: PgxResult, older: readonly Observation[], called: ReadonlySet<string>, partial: ReadonlySet<string>): Set<string> {
  const fromVcf = result.genes.filter((g) => g.call.source === 'vcf' && partial.has(g.gene) && called.has(g.gene)).map((g) => g.gene);
  const usableOutside = older.filter((o) => observationSource(o) === 'outside-call' && hasLoinc(o, CODES.phenotype) && o.valueCodeableConcept?.text !== INDETERMINATE);
  return new Set(fromVcf.filter((gene) => usableOutside.some((o) => observationGenes(o).includes(gene))));
}
