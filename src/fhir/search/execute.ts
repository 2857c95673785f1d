// Runs a SearchRequest: match query with keyset paging, total, includes/revincludes, searchset Bundle.
import type { Bundle, BundleEntry, BundleLink, OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../../db/index.ts';
import { FlauraError } from '../../errors.ts';
import { compartmentCondition } from './compartment.ts';
import { decodeCursor, encodeCursor, type Cursor } from './cursor.ts';
import { searchRequestPairs } from './format.ts';
import { filterCondition, sortExpression } from './plan.ts';
import { getSearchParameters } from './registry.ts';
import { SqlParams } from './sql/params.ts';
import { subsetResource } from './summary.ts';
import type { IncludeRule, SearchRequest } from './types.ts';

/** A fhir_resource row as searches read it. */
export interface ResourceRow { rid: number; resource_type: string; id: string; version_id: number; content: Resource }

export interface SearchOptions {
  baseUrl: string;
  compartment?: { resourceType: 'Patient'; id: string };
  /** Turns a stored resource into the resource (sensitive ones are stored encrypted); applied before `_elements`/`_summary`. */
  open?: (stored: Resource) => Resource;
}

/** Includes and revincludes stop after this many resources (the spec lets servers limit them). */
const MAX_INCLUDED = 1000;
const MAX_ITERATIONS = 4;

interface Where { sql: SqlParams; where: string; keys: { expr: string; type: string; descending: boolean }[] }

function buildWhere(request: SearchRequest, options: SearchOptions): Where {
  const sql = new SqlParams();
  const ctx = { sql, baseUrl: options.baseUrl };
  const conds = ['NOT r.deleted'];
  if (request.resourceType) conds.push(`r.resource_type = ${sql.add(request.resourceType)}`);
  if (options.compartment) conds.push(compartmentCondition(request.resourceType, options.compartment.id, 'r', sql));
  for (const f of request.filters) conds.push(filterCondition(request.resourceType, f, 'r', ctx));
  const keys = request.sort.map((s) => ({ ...sortExpression(request.resourceType, s.code, s.descending, 'r', sql), descending: s.descending }));
  return { sql, where: conds.join(' AND '), keys };
}

/**
 * Lexicographic "after (or before) the cursor" over (key IS NULL, key)… and rid. Nulls sort last in both
 * directions; a null cursor value makes its key equal for every null row.
 */
function cursorCondition(w: Where, c: Cursor): string {
  const { sql } = w;
  const before = c.d === 'p';
  const terms: string[] = [];
  const equal: string[] = [];
  w.keys.forEach((k, i) => {
    const col = `q.k${i}`;
    const v = c.v[i] ?? null;
    if (v === null) {
      if (before) terms.push([...equal, `${col} IS NOT NULL`].join(' AND '));
      equal.push(`${col} IS NULL`);
      return;
    }
    if (!before) terms.push([...equal, `${col} IS NULL`].join(' AND '));
    const p = sql.add(v, k.type);
    const greater = k.descending === before;
    terms.push([...equal, `${col} IS NOT NULL`, `${col} ${greater ? '>' : '<'} ${p}`].join(' AND '));
    equal.push(`${col} = ${p}`);
  });
  terms.push([...equal, `q.rid ${before ? '<' : '>'} ${sql.add(c.rid)}`].join(' AND '));
  return terms.map((t) => `(${t})`).join(' OR ');
}

/**
 * Nulls last (first when paging backwards) via NULLS LAST/FIRST rather than a `(k IS NULL)` key: the planner
 * inlines each key's subquery into every expression that names it, so a separate null key evaluated it twice.
 */
function orderBy(w: Where, reverse: boolean): string {
  const parts = w.keys.map((k, i) => `q.k${i} ${k.descending !== reverse ? 'DESC' : 'ASC'} NULLS ${reverse ? 'FIRST' : 'LAST'}`);
  parts.push(`q.rid ${reverse ? 'DESC' : 'ASC'}`);
  return parts.join(', ');
}

type MatchRow = ResourceRow & Record<`k${number}`, unknown>;

const keyText = (v: unknown): string | null => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v));

/** Runs the page query; returns the page rows in order and whether rows exist beyond it. */
async function fetchPage(db: Queryable, request: SearchRequest, w: Where): Promise<{ rows: MatchRow[]; more: boolean; cursor?: Cursor }> {
  const cursor = request.cursor ? decodeCursor(request.cursor, w.keys.map((k) => k.type)) : undefined;
  const keyCols = w.keys.map((k, i) => `, ${k.expr} AS k${i}`).join('');
  // Match and page on narrow rows first, then fetch content for the page only: sorting thousands of matches with
  // their jsonb content attached was the cost of common-code and date-range searches.
  const inner = `SELECT r.rid, r.resource_type, r.id, r.version_id${keyCols} FROM fhir_resource r WHERE ${w.where}`;
  const reverse = cursor?.d === 'p';
  const limit = w.sql.add(request.count + 1);
  const offset = !cursor && request.offset ? ` OFFSET ${w.sql.add(request.offset)}` : '';
  const order = orderBy(w, reverse);
  const pageQuery = `SELECT * FROM (${inner}) q${cursor ? ` WHERE ${cursorCondition(w, cursor)}` : ''} ORDER BY ${order} LIMIT ${limit}${offset}`;
  const text = `SELECT q.*, c.content FROM (${pageQuery}) q JOIN fhir_resource c ON c.rid = q.rid ORDER BY ${order}`;
  const { rows } = await db.query<MatchRow>(text, w.sql.values);
  const more = rows.length > request.count;
  const page = rows.slice(0, request.count);
  if (reverse) page.reverse();
  return { rows: page, more, ...(cursor ? { cursor } : {}) };
}

function edgeCursor(row: MatchRow, keyCount: number, d: 'n' | 'p'): string {
  return encodeCursor({ d, v: Array.from({ length: keyCount }, (_, i) => keyText(row[`k${i}`])), rid: row.rid });
}

async function countMatches(db: Queryable, request: SearchRequest, options: SearchOptions): Promise<number> {
  const w = buildWhere({ ...request, sort: [] }, options);
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fhir_resource r WHERE ${w.where}`, w.sql.values);
  return rows[0]?.n ?? 0;
}

/** `_total=estimate`: the planner's row estimate (no scan), as PostgreSQL's EXPLAIN reports it. */
async function estimateMatches(db: Queryable, request: SearchRequest, options: SearchOptions): Promise<number> {
  const w = buildWhere({ ...request, sort: [] }, options);
  const { rows } = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) SELECT 1 FROM fhir_resource r WHERE ${w.where}`, w.sql.values);
  const raw = rows[0]?.['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan?: { 'Plan Rows'?: number } }[];
  return Math.round(plan[0]?.Plan?.['Plan Rows'] ?? 0);
}

/** Reference-param keys a rule follows: one param, or every reference param of the source type (`*`). */
function includeKeys(rule: IncludeRule): string[] | undefined {
  if (rule.sourceType === '*') return undefined;
  if (rule.code !== '*') return [`${rule.sourceType}.${rule.code}`];
  return [...getSearchParameters(rule.sourceType).values()].filter((d) => d.type === 'reference' && d.storage === 'index').map((d) => d.key);
}

const ROW_COLUMNS = 't.rid, t.resource_type, t.id, t.version_id, t.content';

async function runInclude(db: Queryable, rule: IncludeRule, from: readonly ResourceRow[]): Promise<ResourceRow[]> {
  const keys = includeKeys(rule);
  if (!rule.reverse) {
    const sources = from.filter((r) => r.resource_type === rule.sourceType).map((r) => r.rid);
    if (sources.length === 0 || !keys) return [];
    const params: unknown[] = [sources, keys];
    const typeCond = rule.targetType ? ` AND x.target_type = $${params.push(rule.targetType)}` : '';
    const { rows } = await db.query<ResourceRow>(`SELECT DISTINCT ${ROW_COLUMNS} FROM fhir_search_reference x JOIN fhir_resource t ON t.resource_type = x.target_type AND t.id = x.target_id WHERE x.rid = ANY($1::bigint[]) AND x.param = ANY($2::text[])${typeCond} AND NOT t.deleted`, params);
    return rows;
  }
  const targets = rule.targetType ? from.filter((r) => r.resource_type === rule.targetType) : from;
  if (targets.length === 0) return [];
  const params: unknown[] = [targets.map((r) => r.resource_type), targets.map((r) => r.id)];
  const keyCond = keys ? ` AND x.param = ANY($${params.push(keys)}::text[])` : '';
  const { rows } = await db.query<ResourceRow>(`SELECT DISTINCT ${ROW_COLUMNS} FROM unnest($1::text[], $2::text[]) AS m(type, id) JOIN fhir_search_reference x ON x.target_id = m.id AND x.target_type = m.type JOIN fhir_resource t ON t.rid = x.rid WHERE NOT t.deleted${keyCond}`, params);
  return rows;
}

/** `_include`/`_revinclude` over the matches, then `:iterate` rules over what was added until nothing new. */
export async function resolveIncludes(db: Queryable, request: Pick<SearchRequest, 'include' | 'revinclude'>, matches: readonly ResourceRow[]): Promise<ResourceRow[]> {
  const rules = [...request.include, ...request.revinclude];
  if (rules.length === 0 || matches.length === 0) return [];
  const seen = new Set(matches.map((r) => r.rid));
  const included: ResourceRow[] = [];
  const add = (rows: ResourceRow[]) => {
    const fresh = rows.filter((r) => !seen.has(r.rid)).sort((a, b) => a.rid - b.rid);
    for (const r of fresh) seen.add(r.rid);
    included.push(...fresh.slice(0, Math.max(0, MAX_INCLUDED - included.length)));
    return fresh;
  };
  let frontier: ResourceRow[] = [];
  for (const rule of rules) frontier.push(...add(await runInclude(db, rule, matches)));
  const iterating = rules.filter((r) => r.iterate);
  for (let i = 0; i < MAX_ITERATIONS && frontier.length > 0 && iterating.length > 0 && included.length < MAX_INCLUDED; i++) {
    const next: ResourceRow[] = [];
    for (const rule of iterating) next.push(...add(await runInclude(db, rule, frontier)));
    frontier = next;
  }
  return included;
}

function outcomeEntry(request: SearchRequest): BundleEntry | undefined {
  if (request.ignored.length === 0) return undefined;
  const outcome: OperationOutcome = {
    resourceType: 'OperationOutcome',
    issue: request.ignored.map((i) => ({ severity: 'warning', code: 'not-supported', diagnostics: `Ignored parameter '${i.name}': ${i.reason}`, expression: [i.name] })),
  };
  return { resource: outcome, search: { mode: 'outcome' } };
}

/** Executes a parsed search and returns a searchset Bundle with absolute self/next/previous links. */
export async function executeSearch(db: Queryable, request: SearchRequest, options: SearchOptions): Promise<Bundle> {
  if (!request.resourceType && options.compartment === undefined && request.sort.some((s) => s.code !== '_id' && s.code !== '_lastUpdated')) {
    throw new FlauraError('SEARCH_INVALID_VALUE', 400, "Invalid value for search parameter '_sort': a system-wide search sorts on _id or _lastUpdated only", { expression: ['_sort'] });
  }
  const path = options.compartment ? `${options.baseUrl}/Patient/${options.compartment.id}/${request.resourceType ?? '*'}` : `${options.baseUrl}/${request.resourceType ?? ''}`;
  const link = (cursor?: string | null): string => {
    const query = new URLSearchParams(searchRequestPairs(request, cursor)).toString();
    return query ? `${path}?${query}` : path;
  };
  const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset' };
  const outcome = outcomeEntry(request);
  if (request.summary === 'count' || request.count === 0) {
    bundle.total = await countMatches(db, request, options);
    bundle.link = [{ relation: 'self', url: link() }];
    if (outcome) bundle.entry = [outcome];
    return bundle;
  }
  const w = buildWhere(request, options);
  const page = await fetchPage(db, request, w);
  const links: BundleLink[] = [{ relation: 'self', url: link() }];
  const first = page.rows[0];
  const last = page.rows.at(-1);
  const backwards = page.cursor?.d === 'p';
  if (last && (backwards || page.more)) links.push({ relation: 'next', url: link(edgeCursor(last, w.keys.length, 'n')) });
  if (first && (backwards ? page.more : page.cursor !== undefined || (request.offset ?? 0) > 0)) links.push({ relation: 'previous', url: link(edgeCursor(first, w.keys.length, 'p')) });
  bundle.link = links;
  if (request.total === 'accurate') bundle.total = await countMatches(db, request, options);
  else if (request.total === 'estimate') bundle.total = await estimateMatches(db, request, options);
  else if (request.total !== 'none' && !page.cursor && !request.offset && !page.more) bundle.total = page.rows.length;
  const included = await resolveIncludes(db, request, page.rows);
  const open = options.open ?? ((r: Resource) => r);
  const entry = (row: ResourceRow, mode: 'match' | 'include'): BundleEntry => ({
    fullUrl: `${options.baseUrl}/${row.resource_type}/${row.id}`,
    resource: mode === 'match' ? subsetResource(open(row.content), request) : open(row.content),
    search: { mode },
  });
  bundle.entry = [...page.rows.map((r) => entry(r, 'match')), ...included.map((r) => entry(r, 'include')), ...(outcome ? [outcome] : [])];
  return bundle;
}
