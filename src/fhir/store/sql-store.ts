// The resource store on SQL: versioned writes, reads, history; search index and outbox event in the same transaction.
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { isRetryableDbError, type Db, type Queryable } from '../../db/index.ts';
import { errors, FlauraError } from '../../errors.ts';
import type { PreparedIndex, StoreDeps, StoreEvent } from './deps.ts';
import { parseDateRange } from './instant.ts';
import { StatisticsKeeper } from './statistics.ts';
import { formatEtag, parseEtag } from './versions.ts';
import type { FhirStore, HistoryOptions, StoredResource, WriteOptions } from './types.ts';

const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;
const MAX_WRITE_ATTEMPTS = 3;
const DEFAULT_HISTORY_COUNT = 50;
const MAX_HISTORY_COUNT = 1000;

interface CurrentRow {
  rid: number;
  version_id: number;
  deleted: boolean;
  last_updated: Date;
}

interface HistoryRow {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Date;
  deleted: boolean;
  method: string;
  content: Resource | null;
}

/** Options of a create: a client-chosen id is only honoured through update-as-create and transactions. */
export interface CreateOptions extends WriteOptions {
  /** Id assigned beforehand (transaction bundles resolve `urn:uuid` references to it). */
  assignedId?: string;
}

export function assertValidId(id: string): void {
  if (!ID_PATTERN.test(id)) throw errors.badRequest('INVALID_ID', `'${id}' is not a valid FHIR id (1-64 of A-Z a-z 0-9 - .)`);
}

function stored<T extends Resource>(resource: T, created?: boolean): StoredResource<T> {
  return { resource, versionId: resource.meta?.versionId ?? '', lastUpdated: resource.meta?.lastUpdated ?? '', created };
}

function withMeta<T extends Resource>(resource: T, id: string, versionId: number, lastUpdated: Date): T {
  return { ...resource, id, meta: { ...resource.meta, versionId: String(versionId), lastUpdated: lastUpdated.toISOString() } };
}

/**
 * Store operations bound to one open transaction. Events are collected and appended once, as the transaction's
 * last statement, so the outbox lock (src/events) is held for as short a time as possible.
 */
export class StoreTransaction {
  private readonly events: StoreEvent[] = [];
  /** Resources written (created, updated or deleted) in this transaction. */
  written = 0;

  constructor(
    readonly q: Queryable,
    private readonly deps: StoreDeps,
  ) {}

  private now(): Date {
    return this.deps.now ? this.deps.now() : new Date();
  }

  /** The JSON text stored for a resource: encrypted when it is sensitive. */
  private stored(resource: Resource): string {
    return JSON.stringify(this.deps.sealer ? this.deps.sealer.seal(resource) : resource);
  }

  /** A resource from its stored form. */
  open<T extends Resource>(content: T): T {
    return this.deps.sealer ? this.deps.sealer.open(content) : content;
  }

  private record(resource: Resource, action: StoreEvent['action'], options?: WriteOptions): void {
    this.events.push({
      topic: `fhir.${resource.resourceType}.${action}`,
      resourceType: resource.resourceType,
      resourceId: resource.id ?? '',
      versionId: resource.meta?.versionId ?? '',
      action,
      actor: options?.actor,
    });
  }

  /** Appends the collected events; called once by the owner of the transaction just before commit. */
  async flushEvents(): Promise<void> {
    if (this.events.length === 0) return;
    await this.deps.appendEvents(this.q, this.events.splice(0));
  }

  private async lockCurrent(resourceType: string, id: string): Promise<CurrentRow | undefined> {
    const { rows } = await this.q.query<CurrentRow>(
      'SELECT rid, version_id, deleted, last_updated FROM fhir_resource WHERE resource_type = $1 AND id = $2 FOR UPDATE',
      [resourceType, id],
    );
    return rows[0];
  }

  /** A new version of an existing resource (null: a deletion) and its history row, in one statement. */
  private async writeVersion(resourceType: string, id: string, versionId: number, lastUpdated: Date, resource: Resource | null, method: 'PUT' | 'DELETE'): Promise<void> {
    await this.q.query(
      `WITH r AS (
         UPDATE fhir_resource SET version_id = $3, last_updated = $4, deleted = $5, content = $6::jsonb WHERE resource_type = $1 AND id = $2
         RETURNING content)
       INSERT INTO fhir_resource_history (resource_type, id, version_id, last_updated, deleted, method, content)
       SELECT $1::text, $2::text, $3::bigint, $4::timestamptz, $5::boolean, $7::text, content FROM r`,
      [resourceType, id, versionId, lastUpdated, resource === null, resource === null ? null : this.stored(resource), method],
    );
  }

  /** Inserts version 1 of a new resource and its history row in one statement; returns its rid. */
  private async insertNew(resource: Resource, lastUpdated: Date, method: 'POST' | 'PUT'): Promise<number> {
    const { rows } = await this.q.query<{ rid: number }>(
      `WITH r AS (
         INSERT INTO fhir_resource (resource_type, id, version_id, last_updated, deleted, content) VALUES ($1::text, $2::text, 1, $3::timestamptz, false, $4::jsonb)
         RETURNING rid, content),
       h AS (
         INSERT INTO fhir_resource_history (resource_type, id, version_id, last_updated, deleted, method, content)
         SELECT $1::text, $2::text, 1, $3::timestamptz, false, $5::text, content FROM r)
       SELECT rid FROM r`,
      [resource.resourceType, resource.id, lastUpdated, this.stored(resource), method],
    );
    return rows[0]!.rid;
  }

  async create<T extends Resource>(input: T, options?: CreateOptions): Promise<StoredResource<T>> {
    const valid = this.deps.validate(input) as T;
    const id = options?.assignedId ?? randomUUID();
    const lastUpdated = this.now();
    const resource = withMeta(valid, id, 1, lastUpdated);
    const rid = await this.insertNew(resource, lastUpdated, 'POST');
    await this.deps.writeIndex(this.q, [{ rid, resource }], { fresh: true });
    this.record(resource, 'create', options);
    this.written++;
    return stored(resource, true);
  }

  /**
   * Creates many resources with one statement per table (transaction ingest). Ids are pre-assigned by the caller;
   * `onInvalid` names the failing item when validation throws.
   */
  async createMany(items: readonly { resource: Resource; assignedId: string }[], options?: WriteOptions & { onInvalid?: (index: number, err: unknown) => never }): Promise<StoredResource[]> {
    if (items.length === 0) return [];
    const lastUpdated = this.now();
    const resources = items.map((item, index) => {
      let valid: Resource;
      try {
        valid = this.deps.validate(item.resource);
      } catch (err) {
        if (options?.onInvalid) options.onInvalid(index, err);
        throw err;
      }
      assertValidId(item.assignedId);
      return withMeta(valid, item.assignedId, 1, lastUpdated);
    });
    const types = resources.map((r) => r.resourceType);
    const ids = resources.map((r) => r.id!);
    // One JSON array for all contents: no per-string escaping into an array literal, one parse in the database.
    const contents = `[${resources.map((r) => this.stored(r)).join(',')}]`;
    // One statement for both tables: the JSON travels and is parsed once, and one round trip instead of two.
    const inserting = this.q.query<{ rid: number; resource_type: string; id: string }>(
      `WITH r AS (
         INSERT INTO fhir_resource (resource_type, id, version_id, last_updated, deleted, content)
         SELECT ($1::text[])[c.n], ($2::text[])[c.n], 1, $4, false, c.doc FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS c(doc, n)
         RETURNING rid, resource_type, id, content),
       h AS (
         INSERT INTO fhir_resource_history (resource_type, id, version_id, last_updated, deleted, method, content)
         SELECT resource_type, id, 1, $4, false, 'POST', content FROM r)
       SELECT rid, resource_type, id FROM r`,
      [types, ids, contents, lastUpdated],
    );
    // Index extraction needs no rid: it runs while the database inserts the rows.
    let prepared: PreparedIndex | undefined;
    try {
      prepared = this.deps.prepareIndex?.(resources);
    } catch (err) {
      await inserting.catch(() => undefined);
      throw err;
    }
    const { rows } = await inserting;
    const ridByKey = new Map(rows.map((r) => [`${r.resource_type}/${r.id}`, r.rid]));
    await this.deps.writeIndex(this.q, resources.map((resource) => ({ rid: ridByKey.get(`${resource.resourceType}/${resource.id}`)!, resource })), { fresh: true, ...(prepared ? { prepared } : {}) });
    for (const resource of resources) this.record(resource, 'create', options);
    this.written += resources.length;
    return resources.map((r) => stored(r, true));
  }

  async update<T extends Resource>(input: T, options?: WriteOptions): Promise<StoredResource<T>> {
    const valid = this.deps.validate(input) as T;
    if (!valid.id) throw errors.badRequest('UPDATE_NO_ID', 'An update needs the resource id in the body');
    assertValidId(valid.id);
    const current = await this.lockCurrent(valid.resourceType, valid.id);
    if (options?.ifMatch !== undefined) {
      const expected = parseEtag(options.ifMatch);
      if (!current || String(current.version_id) !== expected) {
        throw errors.preconditionFailed(`If-Match ${formatEtag(expected)} does not match the current version ${current ? formatEtag(current.version_id) : '(none)'} of ${valid.resourceType}/${valid.id}`);
      }
    }
    const lastUpdated = this.now();
    if (!current) {
      const resource = withMeta(valid, valid.id, 1, lastUpdated);
      const rid = await this.insertNew(resource, lastUpdated, 'PUT');
      await this.deps.writeIndex(this.q, [{ rid, resource }], { fresh: true });
      this.record(resource, 'create', options);
      this.written++;
      return stored(resource, true);
    }
    const versionId = current.version_id + 1;
    const resource = withMeta(valid, valid.id, versionId, lastUpdated);
    await this.writeVersion(resource.resourceType, valid.id, versionId, lastUpdated, resource, 'PUT');
    await this.deps.writeIndex(this.q, [{ rid: current.rid, resource }]);
    this.record(resource, current.deleted ? 'create' : 'update', options);
    this.written++;
    return stored(resource, current.deleted);
  }

  /** Deletes (keeping history). Deleting a deleted resource is a no-op; an unknown one is a 404. */
  async delete(resourceType: string, id: string, options?: WriteOptions): Promise<void> {
    assertValidId(id);
    const current = await this.lockCurrent(resourceType, id);
    if (!current) throw errors.notFound(`${resourceType}/${id} does not exist`);
    if (options?.ifMatch !== undefined && String(current.version_id) !== parseEtag(options.ifMatch)) {
      throw errors.preconditionFailed(`If-Match ${options.ifMatch} does not match the current version ${formatEtag(current.version_id)}`);
    }
    if (current.deleted) return;
    const versionId = current.version_id + 1;
    const lastUpdated = this.now();
    await this.writeVersion(resourceType, id, versionId, lastUpdated, null, 'DELETE');
    await this.deps.deleteIndex(this.q, current.rid);
    this.written++;
    this.events.push({ topic: `fhir.${resourceType}.delete`, resourceType, resourceId: id, versionId: String(versionId), action: 'delete', actor: options?.actor });
  }

  async read<T extends Resource>(resourceType: string, id: string): Promise<StoredResource<T>> {
    assertValidId(id);
    const { rows } = await this.q.query<{ deleted: boolean; content: T | null; version_id: number; last_updated: Date }>(
      'SELECT deleted, content, version_id, last_updated FROM fhir_resource WHERE resource_type = $1 AND id = $2',
      [resourceType, id],
    );
    const row = rows[0];
    if (!row) throw errors.notFound(`${resourceType}/${id} is not known`);
    if (row.deleted || !row.content) {
      throw new FlauraError('GONE', 410, `${resourceType}/${id} was deleted`, { headers: { etag: formatEtag(row.version_id), 'last-modified': row.last_updated.toUTCString() } });
    }
    return stored(this.open(row.content));
  }

  async vread<T extends Resource>(resourceType: string, id: string, versionId: string): Promise<StoredResource<T>> {
    assertValidId(id);
    if (!/^\d{1,15}$/.test(versionId)) throw errors.notFound(`${resourceType}/${id} has no version '${versionId}'`);
    const { rows } = await this.q.query<{ deleted: boolean; content: T | null }>(
      'SELECT deleted, content FROM fhir_resource_history WHERE resource_type = $1 AND id = $2 AND version_id = $3',
      [resourceType, id, Number(versionId)],
    );
    const row = rows[0];
    if (!row) throw errors.notFound(`${resourceType}/${id}/_history/${versionId} is not known`);
    if (row.deleted || !row.content) throw errors.gone(`${resourceType}/${id}/_history/${versionId} is a deletion`);
    return stored(this.open(row.content));
  }

  /** Resolves a resource id to its row key and current version (undefined when absent or deleted). */
  async locate(resourceType: string, id: string): Promise<{ rid: number; versionId: number } | undefined> {
    const { rows } = await this.q.query<{ rid: number; version_id: number }>(
      'SELECT rid, version_id FROM fhir_resource WHERE resource_type = $1 AND id = $2 AND NOT deleted',
      [resourceType, id],
    );
    return rows[0] ? { rid: rows[0].rid, versionId: rows[0].version_id } : undefined;
  }

  async history(resourceType: string | undefined, id: string | undefined, options: HistoryOptions & { baseUrl: string }): Promise<Bundle> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (resourceType) add('h.resource_type = ?', resourceType);
    if (id) add('h.id = ?', id);
    if (options.since) add('h.last_updated >= ?', parseDateRange(options.since, '_since').low);
    if (options.at) {
      // _at: versions current at some point during the range (FHIR R4 http.html#history).
      const range = parseDateRange(options.at, '_at');
      add('h.last_updated < ?', range.high);
      add(
        'NOT EXISTS (SELECT 1 FROM fhir_resource_history n WHERE n.resource_type = h.resource_type AND n.id = h.id AND n.version_id > h.version_id AND n.last_updated <= ?)',
        range.low,
      );
    }
    const count = Math.min(options.count ?? DEFAULT_HISTORY_COUNT, MAX_HISTORY_COUNT);
    if (options.cursor) {
      const c = decodeHistoryCursor(options.cursor);
      params.push(new Date(c.t), c.rt, c.id, c.v);
      const n = params.length;
      where.push(`(h.last_updated, h.resource_type, h.id, h.version_id) < ($${n - 3}, $${n - 2}, $${n - 1}, $${n})`);
    }
    if (id && resourceType) {
      const exists = await this.q.query('SELECT 1 FROM fhir_resource WHERE resource_type = $1 AND id = $2', [resourceType, id]);
      if (exists.rows.length === 0) throw errors.notFound(`${resourceType}/${id} is not known`);
    }
    params.push(count + 1);
    const { rows } = await this.q.query<HistoryRow>(
      `SELECT h.resource_type, h.id, h.version_id, h.last_updated, h.deleted, h.method, h.content
         FROM fhir_resource_history h
        ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
        ORDER BY h.last_updated DESC, h.resource_type DESC, h.id DESC, h.version_id DESC
        LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, count);
    const path = [resourceType, id, '_history'].filter(Boolean).join('/');
    const selfParams = new URLSearchParams();
    if (options.since) selfParams.set('_since', options.since);
    if (options.at) selfParams.set('_at', options.at);
    selfParams.set('_count', String(count));
    const link: Bundle['link'] = [{ relation: 'self', url: `${options.baseUrl}/${path}?${selfParams}${options.cursor ? `&_cursor=${options.cursor}` : ''}` }];
    const last = page[page.length - 1];
    if (rows.length > count && last) {
      const next = encodeHistoryCursor({ t: last.last_updated.toISOString(), rt: last.resource_type, id: last.id, v: last.version_id });
      link.push({ relation: 'next', url: `${options.baseUrl}/${path}?${selfParams}&_cursor=${next}` });
    }
    return {
      resourceType: 'Bundle',
      type: 'history',
      link,
      entry: page.map((row) => historyEntry({ ...row, content: row.content ? this.open(row.content) : null }, options.baseUrl)),
    };
  }
}

function historyEntry(row: HistoryRow, baseUrl: string): BundleEntry {
  const fullUrl = `${baseUrl}/${row.resource_type}/${row.id}`;
  const method = row.method as 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  return {
    fullUrl,
    ...(row.content ? { resource: row.content } : {}),
    request: { method, url: method === 'POST' ? row.resource_type : `${row.resource_type}/${row.id}` },
    response: {
      status: row.deleted ? '204' : row.version_id === 1 ? '201' : '200',
      etag: formatEtag(row.version_id),
      lastModified: row.last_updated.toISOString(),
    },
  };
}

interface HistoryCursor {
  t: string;
  rt: string;
  id: string;
  v: number;
}

function encodeHistoryCursor(c: HistoryCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeHistoryCursor(value: string): HistoryCursor {
  try {
    const c = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as HistoryCursor;
    if (typeof c.t === 'string' && typeof c.rt === 'string' && typeof c.id === 'string' && typeof c.v === 'number' && !Number.isNaN(Date.parse(c.t))) return c;
  } catch {
    // fall through to the error below
  }
  throw errors.badRequest('INVALID_CURSOR', `_cursor '${value}' is not a cursor this server issued`);
}

/** The store over a Db: each call is its own transaction (retried on transient conflicts). */
export class SqlFhirStore implements FhirStore {
  /** Planner statistics, refreshed as resources are written (see statistics.ts). */
  readonly statistics: StatisticsKeeper;

  constructor(
    readonly db: Db,
    readonly deps: StoreDeps,
    readonly baseUrl: string,
  ) {
    this.statistics = new StatisticsKeeper(db);
  }

  /** Runs `fn` with store operations in one transaction; all its events are appended before commit. */
  async transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        let written = 0;
        const result = await this.db.transaction(async (q) => {
          const tx = new StoreTransaction(q, this.deps);
          const out = await fn(tx);
          await tx.flushEvents();
          written = tx.written;
          return out;
        });
        await this.statistics.noteWrites(written);
        return result;
      } catch (err) {
        if (attempt >= MAX_WRITE_ATTEMPTS || !isRetryableDbError(err)) throw err;
      }
    }
  }

  /** Read-only operations outside any transaction. */
  reader(): StoreTransaction {
    return new StoreTransaction(this.db, this.deps);
  }

  create<T extends Resource>(resource: T, options?: CreateOptions): Promise<StoredResource<T>> {
    return this.transaction((tx) => tx.create(resource, options));
  }

  update<T extends Resource>(resource: T, options?: WriteOptions): Promise<StoredResource<T>> {
    return this.transaction((tx) => tx.update(resource, options));
  }

  delete(resourceType: string, id: string, options?: WriteOptions): Promise<void> {
    return this.transaction((tx) => tx.delete(resourceType, id, options));
  }

  read<T extends Resource>(resourceType: string, id: string): Promise<StoredResource<T>> {
    return this.reader().read<T>(resourceType, id);
  }

  vread<T extends Resource>(resourceType: string, id: string, versionId: string): Promise<StoredResource<T>> {
    return this.reader().vread<T>(resourceType, id, versionId);
  }

  search(resourceType: string | undefined, query: string | URLSearchParams, options?: { baseUrl?: string }): Promise<Bundle> {
    const params = typeof query === 'string' ? new URLSearchParams(query) : query;
    const reader = this.reader();
    return this.deps.search(this.db, resourceType, [...params.entries()], { baseUrl: options?.baseUrl ?? this.baseUrl, open: (r) => reader.open(r) });
  }

  history(resourceType: string | undefined, id: string | undefined, options?: HistoryOptions): Promise<Bundle> {
    return this.reader().history(resourceType, id, { ...options, baseUrl: this.baseUrl });
  }
}
