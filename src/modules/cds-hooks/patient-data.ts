// The patient data a decision needs: stored PGx phenotypes and active medications, from the prefetch when the client
// sent it, else fetched: from Flaura's own FHIR store (Flaura callers) or from the client's FHIR server with the
// `fhirAuthorization` it gave (outside EHRs, CDS Hooks 2.0 §FHIR Resource Access).
import type { Bundle, MedicationRequest, MedicationStatement, Observation } from '@medplum/fhirtypes';
import { FlauraError } from '../../errors.ts';
import type { FhirStore } from '../../fhir/store/types.ts';
import { validateResource } from '../../fhir/validation/index.ts';
import type { GenePhenotype } from '../pgx/model.ts';
import { FLAURA_PGX_CODES } from '../pgx/report/fhir.ts';
import { CODES, LOINC, PGX_SUPERSEDED_BY_EXTENSION } from '../pgx/storage/conventions.ts';
import { partialVcfGenes } from '../pgx/storage/import-options.ts';
import { geneOf, hasLoinc, observationSource } from '../pgx/storage/read-back.ts';
import { medicationUse, type MedicationUse } from './medications.ts';
import type { HookRequest } from './request.ts';

/** Prefetch templates (CDS Hooks 2.0 §Prefetch Template) every service of this module asks for. */
export const PREFETCH: Readonly<Record<string, string>> = {
  pgxPhenotypes: `Observation?patient={{context.patientId}}&code=${LOINC}|${CODES.phenotype}&status=final&_count=1000`,
  activeMedicationRequests: 'MedicationRequest?patient={{context.patientId}}&status=active&_count=1000',
  activeMedicationStatements: 'MedicationStatement?patient={{context.patientId}}&status=active&_count=1000',
};

export interface PatientData {
  /** gene → the phenotypes of the newest usable result (several when diplotypes tie). */
  phenotypes: Map<string, GenePhenotype[]>;
  /** Genes with any stored phenotype, usable or not (a tested gene is not suggested for testing). */
  testedGenes: Set<string>;
  medications: MedicationUse[];
  /** Which data came from the prefetch and which had to be fetched (for the tests and the logs). */
  fetched: string[];
  /** `Type/id` of every resource the data was read from (the cache drops the patient when one of them changes). */
  resources: string[];
  /** The phenotype Observations read (consent is decided on them per caller: consent-filter.ts). */
  observations: Observation[];
  /** Genes whose stored result the caller may not see (consent); set by consent-filter.ts. */
  withheldGenes?: Set<string>;
}

/** Where to fetch what the prefetch lacked. */
export type Fetcher = (query: string) => Promise<Bundle>;

/** Sensitive resources (e.g. genomic Observations) are encrypted at rest; search hands back their sealed form. */
function isSealed(resource: unknown): boolean {
  return typeof resource === 'object' && resource !== null && '_sealed' in resource;
}

export function storeFetcher(store: FhirStore): Fetcher {
  // The SQL store can decrypt a stored form directly; any other store is asked for the resource by id.
  const reader = (store as { reader?: () => { open<T>(stored: T): T } }).reader?.();
  return async (query) => {
    const [type = '', qs = ''] = query.split('?');
    const bundle = await store.search(type, qs);
    for (const entry of bundle.entry ?? []) {
      const r = entry.resource;
      if (!r || !isSealed(r)) continue;
      entry.resource = reader ? reader.open(r) : (await store.read(r.resourceType, r.id ?? '')).resource;
    }
    return bundle;
  };
}

/** GETs `<fhirServer>/<query>` with the bearer token the client handed over; failures are 412 (prefetch not satisfiable). */
export function remoteFetcher(fhirServer: string, accessToken: string, timeoutMs = 5000): Fetcher {
  return async (query) => {
    let res: Response;
    try {
      res = await fetch(`${fhirServer}/${query}`, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/fhir+json' }, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new FlauraError('CDS_FHIR_UNREACHABLE', 412, `the FHIR server ${fhirServer} could not be reached for data the prefetch did not supply (${(err as Error).message})`, { cause: err });
    }
    const body = (await res.json().catch(() => undefined)) as Bundle | undefined;
    if (!res.ok || body?.resourceType !== 'Bundle') throw new FlauraError('CDS_FHIR_FETCH_FAILED', 412, `the FHIR server answered ${res.status} to ${query.split('?')[0] ?? ''}: the data the prefetch did not supply cannot be read`);
    // Like prefetch, the answer is untrusted: an invalid Bundle is refused with its first issues, not read half-way.
    const issues = entryIssues(body, 'Bundle');
    if (issues.length > 0) throw new FlauraError('CDS_FHIR_FETCH_INVALID', 412, `the FHIR server's answer to ${query.split('?')[0] ?? ''} is not a valid FHIR R4 Bundle: ${issues.slice(0, 3).map((x) => x.diagnostics).join('; ')}`);
    return body;
  };
}

/**
 * Errors of a searchset Bundle's entries, each resource validated on its own (FHIR R4 schema) so the message names
 * the element; the envelope is only required to hold an array of entry objects (nothing else of it is read).
 */
function entryIssues(bundle: Bundle, path: string): { diagnostics: string; expression: string }[] {
  const entries: unknown = bundle.entry;
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) return [{ diagnostics: `${path}.entry must be an array`, expression: `${path}.entry` }];
  return entries.flatMap((e: unknown, i) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return [{ diagnostics: `${path}.entry[${i}] must be an object`, expression: `${path}.entry[${i}]` }];
    const resource = (e as { resource?: unknown }).resource;
    return resource === undefined ? [] : validateResource(resource, {}, `${path}.entry[${i}].resource`).filter((x) => x.severity === 'error');
  });
}

function resources<T>(bundle: Bundle, type: string): T[] {
  return (bundle.entry ?? []).flatMap((e) => (e.resource?.resourceType === type && (e.search?.mode ?? 'match') === 'match' ? [e.resource as T] : []));
}

function component(obs: Observation, code: string): string | undefined {
  return (obs.component ?? []).find((c) => (c.code.coding ?? []).some((x) => x.system === FLAURA_PGX_CODES && x.code === code))?.valueString;
}

/**
 * Phenotype Observations (as report/fhir.ts writes them) → per gene the newest result: every final, not superseded
 * Observation of the gene issued with the newest usable one (ties of a result share `issued`). A partial VCF call (CYP2D6
 * from a VCF's SNVs, copy number not assessed) counts only when the gene has no other usable call, however old, as in
 * the PGx summary (pgx/storage/summary.ts).
 */
export function phenotypesFrom(observations: readonly Observation[]): { phenotypes: Map<string, GenePhenotype[]>; tested: Set<string> } {
  const byGene = new Map<string, Observation[]>();
  for (const o of observations) {
    // Prefetch from outside EHRs is untrusted: an Observation without a code is skipped, not a crash.
    if (typeof o.code !== 'object' || o.code === null || !hasLoinc(o, CODES.phenotype) || o.status !== 'final') continue;
    if ((o.extension ?? []).some((e) => e.url === PGX_SUPERSEDED_BY_EXTENSION)) continue;
    const gene = geneOf(o);
    if (gene) byGene.set(gene, [...(byGene.get(gene) ?? []), o]);
  }
  const phenotypes = new Map<string, GenePhenotype[]>();
  const partial = partialVcfGenes();
  for (const [gene, list] of byGene) {
    const callable = list.filter((o) => o.valueCodeableConcept?.text !== 'Indeterminate');
    const complete = partial.has(gene) ? callable.filter((o) => observationSource(o) !== 'vcf') : callable;
    const usable = complete.length > 0 ? complete : callable;
    if (usable.length === 0) continue;
    const newest = usable.map((o) => o.issued ?? '').sort().at(-1);
    const current = usable.filter((o) => (o.issued ?? '') === newest);
    phenotypes.set(
      gene,
      current.map((o) => {
        const score = component(o, 'activity-score');
        return { gene, phenotype: o.valueCodeableConcept?.text ?? '', lookupKey: component(o, 'lookup-key') ?? o.valueCodeableConcept?.text ?? '', ...(score ? { activityScore: score } : {}) };
      }),
    );
  }
  return { phenotypes, tested: new Set(byGene.keys()) };
}

function prefetched(request: HookRequest, key: string): Bundle | undefined {
  const v = request.prefetch[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || (v as Bundle).resourceType !== 'Bundle') {
    throw new FlauraError('CDS_REQUEST_INVALID', 400, `prefetch.${key} must be the searchset Bundle of '${PREFETCH[key] ?? ''}'`, { type: 'invalid', expression: [`prefetch.${key}`] });
  }
  // Prefetch is untrusted: an invalid resource is refused with its location rather than read half-way or dropped.
  const issues = entryIssues(v as Bundle, `prefetch.${key}`);
  if (issues.length > 0) {
    throw new FlauraError('CDS_REQUEST_INVALID', 400, `prefetch.${key} is not a valid FHIR R4 Bundle: ${issues.slice(0, 3).map((x) => x.diagnostics).join('; ')}`, { type: 'invalid', expression: [issues[0]!.expression] });
  }
  return v as Bundle;
}

/** Reads the patient data for a request: prefetch first, then `fetcher` for each key the prefetch lacks. */
export async function loadPatientData(request: HookRequest, fetcher: Fetcher): Promise<PatientData> {
  const fetched: string[] = [];
  const get = async (key: string): Promise<Bundle> => {
    const given = prefetched(request, key);
    if (given) return given;
    fetched.push(key);
    return fetcher((PREFETCH[key] ?? '').replace('{{context.patientId}}', request.patientId));
  };
  const [pgx, requests, statements] = await Promise.all([get('pgxPhenotypes'), get('activeMedicationRequests'), get('activeMedicationStatements')]);
  const observations = resources<Observation>(pgx, 'Observation');
  const { phenotypes, tested } = phenotypesFrom(observations);
  // Prefetch from an outside EHR may hold more than asked: keep active ones only.
  const medications = [
    ...resources<MedicationRequest>(requests, 'MedicationRequest').filter((m) => m.status === 'active').map((m) => medicationUse(m, 'active-request')),
    ...resources<MedicationStatement>(statements, 'MedicationStatement').filter((m) => m.status === 'active').map((m) => medicationUse(m, 'active-statement')),
  ];
  const read = [pgx, requests, statements].flatMap((b) => (b.entry ?? []).flatMap((e) => (e.resource?.id ? [`${e.resource.resourceType}/${e.resource.id}`] : [])));
  return { phenotypes, testedGenes: tested, medications, fetched, resources: read, observations };
}

/** Whether the request leaves every prefetch key to be read from the store (then its context may come from the cache). */
export function nothingPrefetched(request: HookRequest): boolean {
  return Object.keys(PREFETCH).every((key) => request.prefetch[key] === undefined || request.prefetch[key] === null);
}

/**
 * The patients that changed resources now belong to (for the context cache): one `_id` search per type and 100 ids;
 * Observations only when they are phenotype results, the only ones a context is built from.
 */
export async function ownersOf(fetcher: Fetcher, changed: readonly { type: string; id: string }[]): Promise<string[]> {
  const ids = new Map<string, Set<string>>();
  for (const c of changed) if (FHIR_ID.test(c.id)) ids.set(c.type, (ids.get(c.type) ?? new Set()).add(c.id));
  const owners = new Set<string>();
  for (const [type, set] of ids) {
    const list = [...set];
    for (let i = 0; i < list.length; i += 100) {
      const chunk = list.slice(i, i + 100).join(',');
      const filter = type === 'Observation' ? `&code=${LOINC}|${CODES.phenotype}` : '';
      const bundle = await fetcher(`${type}?_id=${chunk}${filter}&_count=1000`);
      for (const e of bundle.entry ?? []) {
        const subject = (e.resource as { subject?: { reference?: string } } | undefined)?.subject?.reference;
        const m = subject ? /^(?:.*\/)?Patient\/([^/]+)$/.exec(subject) : null;
        if (m?.[1]) owners.add(m[1]);
      }
    }
  }
  return [...owners];
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
