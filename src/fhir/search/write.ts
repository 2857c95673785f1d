// Writes and deletes the search index rows of resources: one statement per call, whatever the tables and rows.
import type { Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../../db/index.ts';
import { extractIndexEntries, type CompositeEntry, type DateEntry, type IndexEntries, type QuantityEntry, type ReferenceEntry, type StringEntry, type TokenEntry } from './extract.ts';
import { INDEX_TABLES } from './migrations.ts';

type Row = unknown[];

const COLUMNS = {
  fhir_search_token: ['rid', 'param', 'system', 'code', 'text', 'type_system', 'type_code'],
  fhir_search_string: ['rid', 'param', 'norm', 'exact'],
  fhir_search_date: ['rid', 'param', 'low', 'high'],
  fhir_search_number: ['rid', 'param', 'low', 'high'],
  fhir_search_quantity: ['rid', 'param', 'low', 'high', 'system', 'code', 'unit', 'canonical_low', 'canonical_high', 'canonical_unit'],
  fhir_search_reference: ['rid', 'param', 'target_type', 'target_id', 'version', 'url', 'ident_system', 'ident_value'],
  fhir_search_uri: ['rid', 'param', 'value'],
  fhir_search_composite: ['rid', 'param', 't_system', 't_code', 'v_system', 'v_code', 'v_text', 'v_low', 'v_high', 'v_start', 'v_end'],
} as const satisfies Record<(typeof INDEX_TABLES)[number], readonly string[]>;

/** SQL column type of each column, so one `unnest($1::type[], …)` statement inserts every row of a table. */
const COLUMN_TYPES: Record<string, string> = {
  rid: 'bigint', canonical_low: 'numeric', canonical_high: 'numeric', low: 'text', high: 'text', v_low: 'numeric', v_high: 'numeric', v_start: 'timestamptz', v_end: 'timestamptz',
};

const token = (rid: number, key: string, e: TokenEntry): Row => [rid, key, e.system, e.code, e.text, e.typeSystem, e.typeCode];

function compositeRow(rid: number, key: string, c: CompositeEntry): Row {
  const base = [rid, key, c.first.system, c.first.code];
  const e = c.second.entry;
  switch (c.second.type) {
    case 'token': { const t = e as TokenEntry; return [...base, t.system, t.code, t.text, null, null, null, null]; }
    case 'string': return [...base, null, null, (e as StringEntry).norm, null, null, null, null];
    case 'date': { const d = e as DateEntry; return [...base, null, null, null, null, null, d.low, d.high]; }
    case 'reference': { const r = e as ReferenceEntry; return [...base, null, r.targetType && r.targetId ? `${r.targetType}/${r.targetId}` : r.url, null, null, null, null, null]; }
    default: { const q = e as QuantityEntry; return [...base, q.system, q.code, q.unit, q.low, q.high, null, null]; }
  }
}

/** Rows per index table for a set of resources. */
function rowsOf(items: readonly { rid: number; entries: IndexEntries }[]): Map<string, Row[]> {
  const rows = new Map<string, Row[]>(INDEX_TABLES.map((t) => [t, []]));
  const add = (table: string, row: Row) => rows.get(table)!.push(row);
  for (const { rid, entries } of items) {
    for (const { key, e } of entries.token) add('fhir_search_token', token(rid, key, e));
    for (const { key, e } of entries.string) add('fhir_search_string', [rid, key, e.norm, e.exact]);
    for (const { key, e } of entries.date) add('fhir_search_date', [rid, key, e.low, e.high]);
    for (const { key, e } of entries.number) add('fhir_search_number', [rid, key, e.low, e.high]);
    for (const { key, e } of entries.quantity) add('fhir_search_quantity', [rid, key, e.low, e.high, e.system, e.code, e.unit, e.canonicalLow ?? null, e.canonicalHigh ?? null, e.canonicalUnit ?? null]);
    for (const { key, e } of entries.reference) add('fhir_search_reference', [rid, key, e.targetType, e.targetId, e.version, e.url, e.identSystem, e.identValue]);
    for (const { key, e } of entries.uri) add('fhir_search_uri', [rid, key, e.value]);
    for (const { key, e } of entries.composite) add('fhir_search_composite', compositeRow(rid, key, e));
  }
  return rows;
}

/** Column expressions of one table's rows, read from `unnest` of one array parameter per column. */
function insertCte(table: keyof typeof COLUMNS, rows: Row[], params: unknown[]): string {
  const columns = COLUMNS[table];
  const casts = columns.map((c, i) => {
    params.push(rows.map((r) => r[i] ?? null));
    return `$${params.length}::${COLUMN_TYPES[c] ?? 'text'}[]`;
  });
  const select = columns.map((c) => (c === 'low' || c === 'high' ? (table === 'fhir_search_date' ? `${c}::timestamptz` : `${c}::numeric`) : c));
  return `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${select.join(', ')} FROM unnest(${casts.join(', ')}) AS u(${columns.join(', ')})`;
}

/**
 * One statement for the whole replacement: a DELETE of the old rows (unless every resource is new) and an
 * INSERT … SELECT FROM unnest(arrays) per table that has rows, as data-modifying CTEs. They run on one snapshot,
 * so the DELETEs never see the rows inserted beside them (PostgreSQL 15 docs, queries-with.html#QUERIES-WITH-MODIFYING).
 */
async function replaceRows(tx: Queryable, rids: readonly number[], rows: Map<string, Row[]>, fresh: boolean): Promise<void> {
  const params: unknown[] = [];
  const ctes: string[] = [];
  if (!fresh && rids.length > 0) {
    params.push(rids);
    for (const table of INDEX_TABLES) ctes.push(`DELETE FROM ${table} WHERE rid = ANY($1::bigint[])`);
  }
  for (const table of INDEX_TABLES) {
    const tableRows = rows.get(table)!;
    if (tableRows.length > 0) ctes.push(insertCte(table, tableRows, params));
  }
  if (ctes.length === 0) return;
  await tx.query(`WITH ${ctes.map((sql, i) => `w${i} AS (${sql})`).join(', ')} SELECT 1`, params);
}

/** Index entries of resources, computed before their rids are known (CPU work that can overlap a database round trip). */
export interface PreparedIndex {
  readonly entries: ReadonlyMap<Resource, IndexEntries>;
}

export function prepareSearchIndex(resources: readonly Resource[]): PreparedIndex {
  return { entries: new Map(resources.map((r) => [r, extractIndexEntries(r)] as const)) };
}

/**
 * Replaces the index rows of many resources (transaction ingest) in one statement. `fresh`: every resource was
 * created in this transaction, so it has no rows to delete yet. `prepared`: entries already extracted.
 */
export async function writeSearchIndexBatch(tx: Queryable, items: readonly { rid: number; resource: Resource }[], options: { fresh?: boolean; prepared?: PreparedIndex } = {}): Promise<void> {
  if (items.length === 0) return;
  // The last version of a resource written twice in one batch wins.
  const latest = new Map(items.map((i) => [i.rid, i.resource] as const));
  const rows = rowsOf([...latest].map(([rid, resource]) => ({ rid, entries: options.prepared?.entries.get(resource) ?? extractIndexEntries(resource) })));
  await replaceRows(tx, [...latest.keys()], rows, options.fresh === true);
}

/** Replaces the index rows of one resource (`rid` from fhir_resource). */
export function writeSearchIndex(tx: Queryable, rid: number, resource: Resource): Promise<void> {
  return writeSearchIndexBatch(tx, [{ rid, resource }]);
}

/** Removes the index rows of a resource (on delete; the fhir_resource row stays with deleted = true). */
export function deleteSearchIndex(tx: Queryable, rid: number): Promise<void> {
  return replaceRows(tx, [rid], new Map(INDEX_TABLES.map((t) => [t, []])), false);
}
