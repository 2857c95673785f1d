// Batch and transaction Bundles (R4 http.html#transaction): each entry goes through the same dispatcher as a live
// request; a transaction runs in one database transaction, in FHIR's processing order, with references resolved.
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, BundleEntryResponse, Resource } from '@medplum/fhirtypes';
import { errors, FlauraError } from '../../errors.ts';
import { outcomeForError } from '../outcomes.ts';
import type { StoreTransaction } from '../store/sql-store.ts';
import type { StoredResource } from '../store/types.ts';
import type { RequestGuard } from './guard.ts';
import type { FhirRouter } from './router.ts';
import type { FhirRequest, FhirResponse, HttpMethod } from './types.ts';

const METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** FHIR R4 http.html#trules: DELETE, then POST, then PUT/PATCH, then GET/HEAD. */
const PROCESSING_ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };
export const MAX_BUNDLE_ENTRIES = 10_000;

interface PlannedEntry {
  index: number;
  entry: BundleEntry;
  method: HttpMethod;
  path: string;
  query: [string, string][];
}

function splitUrl(url: string, baseUrl: string): { path: string; query: [string, string][] } {
  let rest = url.startsWith(baseUrl + '/') ? url.slice(baseUrl.length + 1) : url;
  if (/^[a-z]+:\/\//i.test(rest)) throw errors.badRequest('BUNDLE_ENTRY_URL', `Entry request url '${url}' is not on this server`);
  rest = rest.replace(/^\//, '');
  const q = rest.indexOf('?');
  return q < 0 ? { path: rest, query: [] } : { path: rest.slice(0, q), query: [...new URLSearchParams(rest.slice(q + 1)).entries()] };
}

function planEntries(bundle: Bundle, baseUrl: string): PlannedEntry[] {
  const entries = bundle.entry ?? [];
  if (entries.length > MAX_BUNDLE_ENTRIES) {
    throw new FlauraError('BUNDLE_TOO_LARGE', 413, `A bundle may hold at most ${MAX_BUNDLE_ENTRIES} entries (this one has ${entries.length})`);
  }
  const fullUrls = new Set<string>();
  return entries.map((entry, index) => {
    const where = `Bundle.entry[${index}]`;
    if (entry.fullUrl) {
      if (fullUrls.has(entry.fullUrl)) throw errors.badRequest('BUNDLE_DUPLICATE_FULLURL', `${where}: fullUrl '${entry.fullUrl}' appears more than once`, [`${where}.fullUrl`]);
      fullUrls.add(entry.fullUrl);
    }
    const request = entry.request;
    if (!request?.method || !request.url) throw errors.badRequest('BUNDLE_ENTRY_REQUEST', `${where}: request.method and request.url are required`, [`${where}.request`]);
    if (!METHODS.has(request.method)) throw errors.badRequest('BUNDLE_ENTRY_REQUEST', `${where}: unsupported method '${request.method}'`, [`${where}.request.method`]);
    return { index, entry, method: request.method as HttpMethod, ...splitUrl(request.url, baseUrl) };
  });
}

function entryRequest(planned: PlannedEntry, parent: FhirRequest): FhirRequest {
  const r = planned.entry.request!;
  const isPatch = planned.method === 'PATCH';
  const binary = planned.entry.resource as { resourceType?: string; contentType?: string; data?: string } | undefined;
  let body: unknown = planned.entry.resource;
  let contentType = 'application/fhir+json';
  // A JSON Patch travels in a transaction as a Binary (R4 http.html#patch).
  if (isPatch && binary?.resourceType === 'Binary' && binary.data) {
    body = JSON.parse(Buffer.from(binary.data, 'base64').toString('utf8'));
    contentType = 'application/json-patch+json';
  }
  return {
    method: planned.method,
    path: planned.path,
    query: planned.query,
    headers: {
      prefer: parent.headers.prefer,
      'if-match': r.ifMatch,
      'if-none-match': r.ifNoneMatch,
      'if-none-exist': r.ifNoneExist,
      'if-modified-since': r.ifModifiedSince,
    },
    body,
    contentType,
    baseUrl: parent.baseUrl,
    actor: parent.actor,
    // Every entry passes the access policy (and the audit trail) as the caller, like a request of its own.
    ...(parent.principal ? { principal: parent.principal } : {}),
  };
}

function responseEntry(res: FhirResponse, baseUrl: string): BundleEntry {
  const response: BundleEntryResponse = { status: String(res.status) };
  if (res.headers.location) response.location = res.headers.location.startsWith(baseUrl + '/') ? res.headers.location.slice(baseUrl.length + 1) : res.headers.location;
  if (res.headers.etag) response.etag = res.headers.etag;
  if (res.headers['last-modified']) response.lastModified = new Date(res.headers['last-modified']).toISOString();
  const body = res.body;
  if (body?.resourceType === 'OperationOutcome') return { response: { ...response, outcome: body } };
  return {
    ...(body?.id && body.resourceType !== 'Bundle' ? { fullUrl: `${baseUrl}/${body.resourceType}/${body.id}` } : {}),
    ...(body ? { resource: body } : {}),
    response,
  };
}

/** Entry point for `POST [base]` with a Bundle body. */
export async function processBundle(router: FhirRouter, req: FhirRequest, guard?: RequestGuard): Promise<FhirResponse> {
  const bundle = req.body as Bundle | undefined;
  if (!bundle || bundle.resourceType !== 'Bundle') throw errors.badRequest('BUNDLE_REQUIRED', 'POST to the FHIR base takes a Bundle of type batch or transaction');
  if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
    throw errors.badRequest('BUNDLE_TYPE', `Bundle.type must be 'batch' or 'transaction', not '${String(bundle.type)}'`, ['Bundle.type']);
  }
  const planned = planEntries(bundle, req.baseUrl);
  return bundle.type === 'transaction' ? processTransaction(router, req, planned, guard) : processBatch(router, req, planned);
}

async function processBatch(router: FhirRouter, req: FhirRequest, planned: PlannedEntry[]): Promise<FhirResponse> {
  const entries: BundleEntry[] = [];
  for (const p of planned) {
    try {
      entries.push(responseEntry(await router.handle(entryRequest(p, req)), req.baseUrl));
    } catch (err) {
      const { status, outcome } = outcomeForError(err);
      entries.push({ response: { status: String(status), outcome } });
    }
  }
  return { status: 200, headers: {}, body: { resourceType: 'Bundle', type: 'batch-response', entry: entries } };
}

/** Walks a resource and rewrites every `reference` found in `map` (urn:uuid and conditional references). */
function rewriteReferences(value: unknown, map: ReadonlyMap<string, string>): void {
  if (Array.isArray(value)) {
    for (const item of value) rewriteReferences(item, map);
  } else if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    for (const [key, child] of Object.entries(obj)) {
      if (key === 'reference' && typeof child === 'string') {
        const target = map.get(child);
        if (target) obj[key] = target;
      } else if (typeof child === 'object') {
        rewriteReferences(child, map);
      }
    }
  }
}

function collectConditionalReferences(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectConditionalReferences(item, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'reference' && typeof child === 'string' && /^[A-Z][A-Za-z]+\?/.test(child)) out.add(child);
      else if (typeof child === 'object') collectConditionalReferences(child, out);
    }
  }
}

function entryError(p: PlannedEntry, err: unknown): unknown {
  if (!(err instanceof FlauraError)) return err;
  // A failing entry fails the whole transaction; say which entry.
  return new FlauraError(err.code, err.status, `Bundle.entry[${p.index}] (${p.method} ${p.entry.request!.url}): ${err.message}`, {
    issues: err.issues.map((i) => ({ ...i, diagnostics: `Bundle.entry[${p.index}]: ${i.diagnostics}` })),
    headers: err.headers,
  });
}

function createdResponse(s: StoredResource, baseUrl: string): FhirResponse {
  const { resourceType, id } = s.resource;
  return {
    status: 201,
    headers: { etag: `W/"${s.versionId}"`, 'last-modified': new Date(s.lastUpdated).toUTCString(), location: `${baseUrl}/${resourceType}/${id}/_history/${s.versionId}` },
    body: s.resource,
  };
}

async function processTransaction(router: FhirRouter, req: FhirRequest, planned: PlannedEntry[], guard?: RequestGuard): Promise<FhirResponse> {
  const responses = new Array<BundleEntry>(planned.length);
  await router.ctx.store.transaction(async (tx) => {
    const references = await resolveIdentities(router, tx, planned);
    for (const p of planned) if (p.entry.resource) rewriteReferences(p.entry.resource, references);
    const ordered = [...planned].sort((a, b) => PROCESSING_ORDER[a.method]! - PROCESSING_ORDER[b.method]! || a.index - b.index);
    // New resources (POSTs that matched nothing) are created together: one statement per table, not per entry.
    const fresh = ordered.filter((p) => p.method === 'POST' && p.entry.resource && assignedIds.has(p) && !matchedExisting.has(p));
    const freshSet = new Set(fresh);
    let freshDone = false;
    for (const p of ordered) {
      try {
        if (freshSet.has(p)) {
          if (freshDone) continue;
          freshDone = true;
          for (const f of fresh) {
            const resource = f.entry.resource as Resource;
            if (f.path !== resource.resourceType) throw entryError(f, errors.badRequest('RESOURCE_TYPE_MISMATCH', `The entry resource is a ${resource.resourceType}, but request.url names ${f.path}`));
            // The bulk path skips router.handle: the access decision is taken here, per entry.
            if (guard) {
              try {
                guard.checkType('create', resource.resourceType);
              } catch (err) {
                throw entryError(f, err);
              }
              if (!(await guard.allows('create', resource, tx.q))) throw entryError(f, errors.forbidden(`Access denied: you may not create this ${resource.resourceType}`));
            }
          }
          const created = await tx.createMany(
            fresh.map((f) => ({ resource: f.entry.resource as Resource, assignedId: assignedIds.get(f)! })),
            { actor: req.actor, onInvalid: (i, err) => { throw entryError(fresh[i]!, err); } },
          );
          for (const s of created) guard?.written(s.resource);
          fresh.forEach((f, i) => {
            responses[f.index] = responseEntry(createdResponse(created[i]!, req.baseUrl), req.baseUrl);
          });
          continue;
        }
        responses[p.index] = responseEntry(await handleTransactionEntry(router, tx, p, req, guard), req.baseUrl);
      } catch (err) {
        throw entryError(p, err);
      }
    }
  });
  return { status: 200, headers: {}, body: { resourceType: 'Bundle', type: 'transaction-response', entry: responses } };
}

/** Assigned ids for POST entries (so urn:uuid references can point at them) and resolved conditional references. */
const assignedIds = new WeakMap<PlannedEntry, string>();
/** POST entries whose If-None-Exist matched a stored resource: nothing is created for them. */
const matchedExisting = new WeakSet<PlannedEntry>();

async function resolveIdentities(router: FhirRouter, tx: StoreTransaction, planned: PlannedEntry[]): Promise<Map<string, string>> {
  const references = new Map<string, string>();
  for (const p of planned) {
    const resource = p.entry.resource;
    const fullUrl = p.entry.fullUrl;
    if (p.method === 'POST' && resource) {
      let id: string = randomUUID();
      if (p.entry.request?.ifNoneExist) {
        const existing = await router.conditionalMatches(tx, resource.resourceType, p.entry.request.ifNoneExist);
        if (existing.length > 1) throw errors.preconditionFailed(`Bundle.entry[${p.index}]: If-None-Exist matched ${existing.length} resources`);
        if (existing[0]) {
          id = existing[0].id;
          matchedExisting.add(p);
        }
      }
      assignedIds.set(p, id);
      if (fullUrl) references.set(fullUrl, `${resource.resourceType}/${id}`);
    } else if (p.method === 'PUT' && resource && fullUrl) {
      const [type, id] = p.path.split('/');
      if (type && id) references.set(fullUrl, `${type}/${id}`);
      else if (type && p.query.length > 0) {
        const matches = await router.conditionalMatches(tx, type, new URLSearchParams(p.query).toString());
        if (matches.length > 1) throw errors.preconditionFailed(`Bundle.entry[${p.index}]: the update criteria matched ${matches.length} resources`);
        const target = matches[0]?.id ?? resource.id ?? randomUUID();
        assignedIds.set(p, target);
        references.set(fullUrl, `${type}/${target}`);
      }
    }
  }
  const conditional = new Set<string>();
  for (const p of planned) if (p.entry.resource) collectConditionalReferences(p.entry.resource, conditional);
  for (const ref of conditional) {
    const q = ref.indexOf('?');
    const type = ref.slice(0, q);
    if (!router.ctx.isResourceType(type)) throw errors.badRequest('BUNDLE_CONDITIONAL_REFERENCE', `Conditional reference '${ref}' names an unknown resource type`);
    const matches = await router.conditionalMatches(tx, type, ref.slice(q + 1));
    if (matches.length === 0) {
      // Not stored yet, but created by this bundle under the same criteria (Synthea's conditional-create pattern).
      const creator = planned.find((p) => p.method === 'POST' && p.entry.resource?.resourceType === type && sameQuery(p.entry.request?.ifNoneExist, ref.slice(q + 1)));
      if (creator && assignedIds.has(creator)) {
        references.set(ref, `${type}/${assignedIds.get(creator)}`);
        continue;
      }
    }
    if (matches.length !== 1) {
      throw errors.preconditionFailed(`Conditional reference '${ref}' matched ${matches.length} resources; it must match exactly one`);
    }
    references.set(ref, `${type}/${matches[0]!.id}`);
  }
  return references;
}

function sameQuery(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const norm = (q: string) => [...new URLSearchParams(q.replace(/^\?/, '')).entries()].map(([k, v]) => `${k}=${v}`).sort().join('&');
  return norm(a) === norm(b);
}

async function handleTransactionEntry(router: FhirRouter, tx: StoreTransaction, p: PlannedEntry, parent: FhirRequest, guard?: RequestGuard): Promise<FhirResponse> {
  const request = entryRequest(p, parent);
  const assigned = assignedIds.get(p);
  if (p.method === 'POST' && assigned && p.entry.resource && matchedExisting.has(p)) {
    // If-None-Exist matched a stored resource: it is returned, nothing is created (R4 http.html#ccreate).
    const s = await tx.read(p.entry.resource.resourceType, assigned);
    if (parent.principal && guard && !(await guard.allows('read', s.resource, tx.q))) throw errors.forbidden(`Access denied: you may not create this ${s.resource.resourceType}`);
    return { ...createdResponse(s, parent.baseUrl), status: 200 };
  }
  if (p.method === 'PUT' && assigned && p.entry.resource) {
    const [type] = p.path.split('/');
    return router.handle({ ...request, path: `${type}/${assigned}`, query: [], body: { ...p.entry.resource, id: assigned } }, tx);
  }
  return router.handle(request, tx);
}
