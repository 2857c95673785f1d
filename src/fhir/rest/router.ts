// The FHIR dispatcher: one plain request in, one response out. Live HTTP requests and bundle entries use it alike.
import type { Bundle, CapabilityStatement, Parameters, Resource } from '@medplum/fhirtypes';
import { errors, FlauraError, type ErrorIssue } from '../../errors.ts';
import type { Queryable } from '../../db/index.ts';
import { informationOutcome, operationOutcome } from '../outcomes.ts';
import type { SqlFhirStore, StoreTransaction } from '../store/sql-store.ts';
import type { StoredResource } from '../store/types.ts';
import { formatEtag, parseEtag } from '../store/versions.ts';
import { applyFhirPathPatch, applyJsonPatch } from './patch.ts';
import { parsePrefer } from './prefer.ts';
import { resolveRoute, type ResolvedRoute } from './routes.ts';
import type { FhirRequest, FhirResponse } from './types.ts';
import { processBundle } from './bundle.ts';
import type { GuardAction, GuardFactory, RequestGuard } from './guard.ts';
import { outcomeForError } from '../outcomes.ts';

/** An extended operation (`$name`), registered by the core or a module. */
export interface OperationDefinition {
  name: string;
  /** Where it may be invoked. */
  scope: { system?: boolean; resourceTypes?: readonly string[]; instance?: boolean; type?: boolean };
  methods: readonly ('GET' | 'POST')[];
  handler: (req: FhirRequest, route: ResolvedRoute, ctx: RouterContext) => Promise<FhirResponse>;
}

export interface RouterContext {
  store: SqlFhirStore;
  isResourceType(name: string): boolean;
  /** Validation issues of a resource (empty when valid), for `$validate`. */
  validationIssues(resource: unknown): ErrorIssue[];
  capabilityStatement(): CapabilityStatement;
  /** The access policy and audit trail; requests with a principal pass through it (absent: no enforcement). */
  guard?: GuardFactory;
}

/** The same answer as for a resource that does not exist: a hidden resource must not be told apart from a missing one. */
const hidden = (type: string, id: string) => errors.notFound(`${type}/${id} is not known`);
const forbidden = (what: string) => errors.forbidden(`Access denied: ${what}`);

/** Parameters that only shape the response format; the search engine never sees them. */
const FORMAT_PARAMS = new Set(['_format', '_pretty']);
const JSON_FORMATS = new Set(['json', 'application/json', 'application/fhir+json', 'application/json+fhir']);

function checkFormat(req: FhirRequest): void {
  const format = req.query.find(([k]) => k === '_format')?.[1];
  if (format !== undefined && !JSON_FORMATS.has(format.split(';')[0]!.trim())) {
    throw new FlauraError('FORMAT_NOT_SUPPORTED', 406, `_format '${format}' is not supported; this server speaks application/fhir+json`, { type: 'not-supported' });
  }
}

function searchParams(req: FhirRequest): [string, string][] {
  return req.query.filter(([k]) => !FORMAT_PARAMS.has(k));
}

function resourceHeaders(s: StoredResource, baseUrl: string): Record<string, string> {
  const { resourceType, id } = s.resource;
  return {
    etag: formatEtag(s.versionId),
    'last-modified': new Date(s.lastUpdated).toUTCString(),
    location: `${baseUrl}/${resourceType}/${id}/_history/${s.versionId}`,
  };
}

/** Applies `Prefer: return=` to a write's response (R4 http.html#ops). */
function writeResponse(req: FhirRequest, status: number, s: StoredResource, message: string): FhirResponse {
  const headers = resourceHeaders(s, req.baseUrl);
  const prefer = parsePrefer(req.headers.prefer).return;
  if (prefer === 'minimal') return { status, headers };
  if (prefer === 'OperationOutcome') return { status, headers, body: informationOutcome(message) };
  return { status, headers, body: s.resource };
}

function bodyResource(req: FhirRequest, resourceType: string): Resource {
  const body = req.body;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw errors.badRequest('BODY_REQUIRED', `A ${resourceType} resource is required as the request body`);
  }
  const resource = body as Resource;
  if (resource.resourceType !== resourceType) {
    throw errors.badRequest('RESOURCE_TYPE_MISMATCH', `The body is a ${String(resource.resourceType)}, but the URL names ${resourceType}`);
  }
  return resource;
}

function queryString(req: FhirRequest): string {
  return new URLSearchParams(searchParams(req)).toString();
}

export class FhirRouter {
  private readonly operations = new Map<string, OperationDefinition[]>();

  constructor(readonly ctx: RouterContext) {}

  registerOperation(op: OperationDefinition): void {
    const list = this.operations.get(op.name) ?? [];
    list.push(op);
    this.operations.set(op.name, list);
  }

  listOperations(): OperationDefinition[] {
    return [...this.operations.values()].flat();
  }

  /** Resolves and runs a request. With `tx`, writes join that transaction (transaction bundles). */
  async handle(req: FhirRequest, tx?: StoreTransaction): Promise<FhirResponse> {
    checkFormat(req);
    const route = resolveRoute(req, (t) => this.ctx.isResourceType(t));
    const guard = this.ctx.guard?.forRequest(req, route.interaction, tx?.q);
    if (!guard) return this.dispatch(req, route, tx, undefined);
    try {
      const res = await this.dispatch(req, route, tx, guard);
      guard.finish(res.status);
      return res;
    } catch (err) {
      const { status, outcome } = outcomeForError(err);
      guard.finish(status, outcome.issue?.[0]?.diagnostics);
      throw err;
    }
  }

  /** Reads for a guarded request: a resource the caller may not see is "not known" (404), and so is its deletion. */
  private async guardedRead(guard: RequestGuard | undefined, read: () => Promise<StoredResource>, type: string, id: string): Promise<StoredResource> {
    if (!guard) return read();
    let s: StoredResource;
    try {
      s = await read();
    } catch (err) {
      // A deletion (410) tells that the resource existed; callers limited to one patient cannot know whose it was.
      if (err instanceof FlauraError && err.status === 410 && guard.searchCompartment(type) !== undefined) throw hidden(type, id);
      throw err;
    }
    if (!(await guard.allows('read', s.resource))) throw hidden(type, id);
    return s;
  }

  /** A write to an existing resource (`current`) and/or of a new state (`next`): hidden → 404, visible but denied → 403. */
  private async checkWrite(q: Queryable, guard: RequestGuard | undefined, action: 'update' | 'delete', current: Resource | undefined, next?: Resource): Promise<void> {
    if (!guard) return;
    if (current && !(await guard.allows(action, current, q))) {
      if (!(await guard.allows('read', current, q))) throw hidden(current.resourceType, current.id ?? '');
      throw forbidden(`you may not ${action} ${current.resourceType}/${current.id}`);
    }
    if (next && !(await guard.allows(current ? action : 'create', next, q))) throw forbidden(`you may not write this ${next.resourceType}`);
  }

  /**
   * Drops what the caller may not see from a searchset-like Bundle (matches with `matchAction`, includes with read);
   * a total that could count hidden resources becomes the visible count (one page) or is left out.
   */
  async filterBundle(guard: RequestGuard, bundle: Bundle, matchAction: GuardAction, exactType: string | undefined | false, keepBare = false): Promise<Bundle> {
    const entries = bundle.entry ?? [];
    const matchEntries = entries.filter((e) => e.search?.mode !== 'include' && e.search?.mode !== 'outcome');
    const keptMatches = await guard.filter(matchAction, matchEntries, (e) => e.resource, keepBare);
    const keptIncludes = await guard.filter('read', entries.filter((e) => e.search?.mode === 'include'), (e) => e.resource);
    const kept = new Set([...keptMatches, ...keptIncludes]);
    bundle.entry = entries.filter((e) => kept.has(e) || e.search?.mode === 'outcome');
    if (bundle.total !== undefined) {
      const exact = exactType !== false && keptMatches.length === matchEntries.length && (await guard.countsAreExact(exactType));
      const onePage = !(bundle.link ?? []).some((l) => l.relation === 'next' || l.relation === 'previous') && bundle.total === matchEntries.length;
      if (!exact) {
        if (onePage) bundle.total = keptMatches.length;
        else delete bundle.total;
      }
    }
    return bundle;
  }

  private write<T>(tx: StoreTransaction | undefined, fn: (t: StoreTransaction) => Promise<T>): Promise<T> {
    return tx ? fn(tx) : this.ctx.store.transaction(fn);
  }

  private reader(tx: StoreTransaction | undefined): StoreTransaction {
    return tx ?? this.ctx.store.reader();
  }

  private search(q: Queryable, req: FhirRequest, resourceType: string | undefined, params: [string, string][], compartment?: { resourceType: 'Patient'; id: string }): Promise<Bundle> {
    const lenient = parsePrefer(req.headers.prefer).handling === 'lenient';
    const reader = this.ctx.store.reader();
    // Opened before `_elements`/`_summary` subset them (a subset of the sealed form would lose the content).
    return this.ctx.store.deps.search(q, resourceType, params, { baseUrl: req.baseUrl, lenient, ...(compartment ? { compartment } : {}), open: (r) => reader.open(r) });
  }

  /** Search results come straight from storage: sensitive resources are decrypted here, in one place. */
  openEntries(bundle: Bundle): Bundle {
    const reader = this.ctx.store.reader();
    for (const entry of bundle.entry ?? []) if (entry.resource) entry.resource = reader.open(entry.resource);
    return bundle;
  }

  private async dispatch(req: FhirRequest, route: ResolvedRoute, tx: StoreTransaction | undefined, guard: RequestGuard | undefined): Promise<FhirResponse> {
    const store = this.ctx.store;
    const q = tx?.q ?? store.db;
    switch (route.interaction) {
      case 'capabilities':
        return { status: 200, headers: {}, body: this.ctx.capabilityStatement() };

      case 'read': {
        guard?.checkType('read', route.resourceType!);
        const s = await this.guardedRead(guard, () => this.reader(tx).read(route.resourceType!, route.id!), route.resourceType!, route.id!);
        const headers = resourceHeaders(s, req.baseUrl);
        delete headers.location;
        const ifNoneMatch = req.headers['if-none-match'];
        if (ifNoneMatch && parseEtag(ifNoneMatch) === s.versionId) return { status: 304, headers };
        const ifModifiedSince = req.headers['if-modified-since'];
        if (ifModifiedSince && Date.parse(s.lastUpdated) <= Date.parse(ifModifiedSince) + 999) return { status: 304, headers };
        return { status: 200, headers, body: s.resource };
      }

      case 'vread': {
        guard?.checkType('read', route.resourceType!);
        const s = await this.guardedRead(guard, () => this.reader(tx).vread(route.resourceType!, route.id!, route.versionId!), route.resourceType!, route.id!);
        const headers = resourceHeaders(s, req.baseUrl);
        delete headers.location;
        return { status: 200, headers, body: s.resource };
      }

      case 'search-type':
      case 'search-system': {
        if (!guard) return { status: 200, headers: {}, body: await this.search(q, req, route.resourceType, searchParams(req)) };
        if (route.resourceType) guard.checkType('search', route.resourceType);
        // Patient users and patient/ scopes search inside their compartment; scope restrictions join the query.
        const own = guard.searchCompartment(route.resourceType);
        const params = [...searchParams(req), ...guard.restrictionParams(route.resourceType)];
        const bundle = await this.search(q, req, route.resourceType, params, own ? { resourceType: 'Patient', id: own } : undefined);
        return { status: 200, headers: {}, body: await this.filterBundle(guard, bundle, 'search', route.resourceType) };
      }

      case 'search-compartment': {
        if (route.resourceType) guard?.checkType('search', route.resourceType, route.compartment!.id);
        // The compartment owner must exist (a 404 otherwise, like a read), and be visible to the caller.
        await this.guardedRead(guard, () => this.reader(tx).read('Patient', route.compartment!.id), 'Patient', route.compartment!.id);
        const params = [...searchParams(req), ...(guard?.restrictionParams(route.resourceType) ?? [])];
        const bundle = await this.search(q, req, route.resourceType, params, route.compartment);
        return { status: 200, headers: {}, body: guard ? await this.filterBundle(guard, bundle, 'search', route.resourceType) : bundle };
      }

      case 'history-instance':
      case 'history-type':
      case 'history-system': {
        const get = (k: string) => req.query.find(([key]) => key === k)?.[1];
        const countText = get('_count');
        const count = countText === undefined ? undefined : Number(countText);
        if (count !== undefined && (!Number.isInteger(count) || count < 0)) throw errors.badRequest('INVALID_COUNT', `_count '${countText}' must be a non-negative integer`);
        if (guard && route.resourceType) guard.checkType(route.id ? 'read' : 'search', route.resourceType);
        const bundle = await this.reader(tx).history(route.resourceType, route.id, { since: get('_since'), at: get('_at'), count, cursor: get('_cursor'), baseUrl: req.baseUrl });
        if (!guard) return { status: 200, headers: {}, body: bundle };
        if (route.id) {
          // One resource's versions: each is decided on its own content; deletions show only next to a visible version.
          const all = bundle.entry ?? [];
          const kept = new Set(await guard.filter('read', all, (e) => e.resource));
          if (all.length > 0 && kept.size === 0) throw hidden(route.resourceType!, route.id);
          bundle.entry = all.filter((e) => kept.has(e) || !e.resource);
          if (bundle.total !== undefined && bundle.entry.length !== all.length) delete bundle.total;
        } else {
          // Deletions carry no content to decide on: shown only to callers not limited to one patient.
          await this.filterBundle(guard, bundle, 'history', false, guard.searchCompartment(route.resourceType) === undefined);
        }
        return { status: 200, headers: {}, body: bundle };
      }

      case 'create': {
        const resource = bodyResource(req, route.resourceType!);
        const ifNoneExist = req.headers['if-none-exist'];
        guard?.checkType('create', route.resourceType!);
        if (guard && !(await guard.allows('create', resource))) throw forbidden(`you may not create this ${route.resourceType}`);
        return this.write(tx, async (t) => {
          if (ifNoneExist) {
            const existing = await this.conditionalMatches(t, route.resourceType!, ifNoneExist);
            if (existing.length > 1) throw errors.preconditionFailed(`If-None-Exist '${ifNoneExist}' matched ${existing.length} resources`);
            if (existing.length === 1) {
              const s = await t.read(route.resourceType!, existing[0]!.id);
              if (guard && !(await guard.allows('read', s.resource, t.q))) throw forbidden(`you may not create this ${route.resourceType}`);
              return writeResponse(req, 200, s, `${route.resourceType}/${s.resource.id} already exists; nothing was created`);
            }
          }
          const s = await t.create(resource, { actor: req.actor });
          guard?.written(s.resource);
          return writeResponse(req, 201, s, `Created ${route.resourceType}/${s.resource.id}`);
        });
      }

      case 'update': {
        const resource = bodyResource(req, route.resourceType!);
        if (resource.id === undefined) throw errors.badRequest('UPDATE_NO_ID', `The body must carry id '${route.id}' to update ${route.resourceType}/${route.id}`);
        if (resource.id !== route.id) throw errors.badRequest('UPDATE_ID_MISMATCH', `The body id '${resource.id}' does not match the URL id '${route.id}'`);
        guard?.checkType('update', route.resourceType!);
        return this.write(tx, async (t) => {
          if (guard) await this.checkWrite(t.q, guard, 'update', await this.current(t, route.resourceType!, route.id!), resource);
          const s = await t.update(resource, { ifMatch: req.headers['if-match'], actor: req.actor });
          guard?.written(s.resource);
          return writeResponse(req, s.created ? 201 : 200, s, `${s.created ? 'Created' : 'Updated'} ${route.resourceType}/${route.id}`);
        });
      }

      case 'conditional-update': {
        const resource = bodyResource(req, route.resourceType!);
        guard?.checkType('update', route.resourceType!);
        return this.write(tx, async (t) => {
          const matches = await this.conditionalMatches(t, route.resourceType!, queryString(req));
          if (guard) await this.checkWrite(t.q, guard, 'update', matches[0] ? await this.current(t, route.resourceType!, matches[0].id) : undefined, resource);
          if (matches.length > 1) throw errors.preconditionFailed(`The update criteria matched ${matches.length} resources`);
          const match = matches[0];
          if (match && resource.id !== undefined && resource.id !== match.id) {
            throw errors.badRequest('UPDATE_ID_MISMATCH', `The body id '${resource.id}' differs from the matching resource ${route.resourceType}/${match.id}`);
          }
          if (!match && resource.id === undefined) {
            const s = await t.create(resource, { actor: req.actor });
            guard?.written(s.resource);
            return writeResponse(req, 201, s, `Created ${route.resourceType}/${s.resource.id}`);
          }
          if (!match && (await t.locate(route.resourceType!, resource.id!))) {
            throw errors.conflict('CONDITIONAL_UPDATE_CONFLICT', `${route.resourceType}/${resource.id} exists but does not match the criteria`);
          }
          const s = await t.update({ ...resource, id: match?.id ?? resource.id }, { ifMatch: req.headers['if-match'], actor: req.actor });
          guard?.written(s.resource);
          return writeResponse(req, s.created ? 201 : 200, s, `${s.created ? 'Created' : 'Updated'} ${route.resourceType}/${s.resource.id}`);
        });
      }

      case 'patch':
      case 'conditional-patch':
        guard?.checkType('update', route.resourceType!);
        return this.write(tx, async (t) => {
          let id = route.id;
          if (route.interaction === 'conditional-patch') {
            const matches = await this.conditionalMatches(t, route.resourceType!, queryString(req));
            if (matches.length !== 1) {
              if (matches.length === 0) throw errors.notFound(`No ${route.resourceType} matches the patch criteria`);
              throw errors.preconditionFailed(`The patch criteria matched ${matches.length} resources`);
            }
            id = matches[0]!.id;
          }
          const current = await t.read(route.resourceType!, id!);
          if (guard) await this.checkWrite(t.q, guard, 'update', current.resource);
          const ifMatch = req.headers['if-match'];
          if (ifMatch !== undefined && parseEtag(ifMatch) !== current.versionId) {
            throw errors.preconditionFailed(`If-Match ${ifMatch} does not match the current version ${formatEtag(current.versionId)}`);
          }
          const patched = this.applyPatch(req, current.resource);
          if (patched.resourceType !== route.resourceType || patched.id !== id) {
            throw errors.unprocessable('PATCH_CHANGES_IDENTITY', 'A patch may not change the resource type or id');
          }
          if (guard) await this.checkWrite(t.q, guard, 'update', undefined, patched);
          const { meta: _ignored, ...withoutMeta } = patched;
          const s = await t.update({ ...withoutMeta, meta: stripVersionMeta(patched.meta) } as Resource, { ifMatch: formatEtag(current.versionId), actor: req.actor });
          guard?.written(s.resource);
          return writeResponse(req, 200, s, `Patched ${route.resourceType}/${id}`);
        });

      case 'delete':
        guard?.checkType('delete', route.resourceType!);
        return this.write(tx, async (t) => {
          if (guard) await this.checkWrite(t.q, guard, 'delete', await this.current(t, route.resourceType!, route.id!));
          await t.delete(route.resourceType!, route.id!, { ifMatch: req.headers['if-match'], actor: req.actor });
          return this.deleted(req, `Deleted ${route.resourceType}/${route.id}`);
        });

      case 'conditional-delete':
        guard?.checkType('delete', route.resourceType!);
        return this.write(tx, async (t) => {
          const matches = await this.conditionalMatches(t, route.resourceType!, queryString(req));
          if (matches.length > 1) throw errors.preconditionFailed(`The delete criteria matched ${matches.length} resources`);
          if (guard && matches[0]) await this.checkWrite(t.q, guard, 'delete', await this.current(t, route.resourceType!, matches[0].id));
          if (matches[0]) await t.delete(route.resourceType!, matches[0].id, { actor: req.actor });
          return this.deleted(req, matches[0] ? `Deleted ${route.resourceType}/${matches[0].id}` : 'No resource matched; nothing was deleted');
        });

      case 'batch':
        return processBundle(this, req, guard);

      case 'operation':
        return this.operation(req, route, guard);

      default:
        throw errors.notSupported('INTERACTION_NOT_SUPPORTED', `Interaction ${route.interaction} is not supported`);
    }
  }

  /** The current resource, or undefined when there is none (update-as-create) or it was deleted. */
  private async current(t: StoreTransaction, type: string, id: string): Promise<Resource | undefined> {
    try {
      return (await t.read(type, id)).resource;
    } catch (err) {
      if (err instanceof FlauraError && (err.status === 404 || err.status === 410)) return undefined;
      throw err;
    }
  }

  private deleted(req: FhirRequest, message: string): FhirResponse {
    return parsePrefer(req.headers.prefer).return === 'OperationOutcome' ? { status: 200, headers: {}, body: informationOutcome(message) } : { status: 204, headers: {} };
  }

  /**
   * Conditional criteria (If-None-Exist, conditional update/delete): matched by the search engine after a
   * transaction-scoped advisory lock on the criteria, so two concurrent conditional creates cannot both create.
   */
  async conditionalMatches(t: StoreTransaction, resourceType: string, criteria: string): Promise<{ id: string }[]> {
    const query = criteria.startsWith('?') ? criteria.slice(1) : criteria;
    if (new URLSearchParams(query).size === 0) throw errors.badRequest('CONDITION_EMPTY', 'Conditional criteria must name at least one search parameter');
    await t.q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${resourceType}?${query}`]);
    return this.ctx.store.deps.findMatchingIds(t.q, resourceType, query);
  }

  private applyPatch(req: FhirRequest, resource: Resource): Resource {
    if (req.contentType === 'application/json-patch+json') return applyJsonPatch(resource, req.body);
    if (req.contentType === 'application/fhir+json' || req.contentType === 'application/json') {
      return applyFhirPathPatch(resource, req.body as Parameters);
    }
    throw new FlauraError('UNSUPPORTED_MEDIA_TYPE', 415, `PATCH takes application/json-patch+json (JSON Patch) or application/fhir+json (FHIRPath Patch), not '${req.contentType ?? 'none'}'`);
  }

  private async operation(req: FhirRequest, route: ResolvedRoute, guard?: RequestGuard): Promise<FhirResponse> {
    const name = route.operation!;
    const level = route.id ? 'instance' : route.resourceType ? 'type' : 'system';
    const candidates = this.operations.get(name) ?? [];
    const op = candidates.find((o) => {
      if (level === 'system') return o.scope.system;
      if (o.scope.resourceTypes && !o.scope.resourceTypes.includes(route.resourceType!)) return false;
      return level === 'instance' ? o.scope.instance : o.scope.type;
    });
    if (!op) throw errors.notFound(`Operation $${name} is not defined at the ${level} level${route.resourceType ? ` of ${route.resourceType}` : ''}`);
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (!op.methods.includes(method as 'GET' | 'POST')) throw errors.notSupported('METHOD_NOT_ALLOWED', `$${name} does not accept ${req.method}`);
    if (!guard) return op.handler(req, route, this.ctx);
    // The target of an instance operation must be visible; a Bundle answer (e.g. $everything) is filtered like a search.
    if (route.resourceType) guard.checkType('read', route.resourceType, route.resourceType === 'Patient' ? route.id : undefined);
    if (route.id) await this.guardedRead(guard, () => this.ctx.store.read(route.resourceType!, route.id!), route.resourceType!, route.id);
    const res = await op.handler(req, route, this.ctx);
    if (res.body?.resourceType === 'Bundle') await this.filterBundle(guard, res.body, 'read', false);
    return res;
  }
}

function stripVersionMeta(meta: Resource['meta']): Resource['meta'] {
  if (!meta) return undefined;
  const { versionId: _v, lastUpdated: _l, ...rest } = meta;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/** `$validate` (R4 resource-operation-validate): the same check every write runs, as an OperationOutcome. */
export const validateOperation: OperationDefinition = {
  name: 'validate',
  scope: { type: true, instance: true },
  methods: ['POST'],
  handler: async (req, route, ctx) => {
    let resource: unknown = req.body;
    const body = req.body as Parameters | undefined;
    if (body?.resourceType === 'Parameters' && route.resourceType !== 'Parameters') {
      resource = body.parameter?.find((p) => p.name === 'resource')?.resource;
    }
    if (resource === undefined) throw errors.badRequest('BODY_REQUIRED', '$validate needs a resource in the body or a Parameters with a "resource" parameter');
    const typeIssue: ErrorIssue[] =
      (resource as Resource).resourceType !== route.resourceType
        ? [{ severity: 'error', type: 'invalid', diagnostics: `The resource is a ${String((resource as Resource).resourceType)}, but $validate was called on ${route.resourceType}` }]
        : [];
    const issues = [...typeIssue, ...ctx.validationIssues(resource)];
    const outcome = issues.length > 0 ? operationOutcome(issues) : informationOutcome('The resource is valid');
    return { status: 200, headers: {}, body: outcome };
  },
};
