// The whole database surface the rest of Flaura may use: one PostgreSQL dialect, two drivers behind it.

/** Rows returned by a statement, plus how many rows an INSERT/UPDATE/DELETE touched. */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

/** Anything that runs SQL: the database itself or an open transaction. */
export interface Queryable {
  /** Runs one statement with `$1`-style bound parameters. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs a script of several statements without parameters (migrations). */
  execScript(sql: string): Promise<void>;
}

/** A connection to Flaura's database, embedded (PGlite) or server (PostgreSQL). */
export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /**
   * Runs `fn` inside one transaction (READ COMMITTED): committed when `fn` resolves, rolled back when it throws.
   * Nested calls on the transaction handle reuse the same transaction.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Bulk-loads rows into `table` with COPY (text format). Values are written with `formatCopyValue`.
   * Returns the number of rows loaded.
   */
  copyRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], tx?: Queryable): Promise<number>;
  close(): Promise<void>;
}

/** Escapes one value for PostgreSQL COPY text format (tab-separated, `\N` for null). */
export function formatCopyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** Renders rows as a COPY text-format payload. */
export function formatCopyText(rows: readonly (readonly unknown[])[]): string {
  let out = '';
  for (const row of rows) out += row.map(formatCopyValue).join('\t') + '\n';
  return out;
}

/** Quotes an SQL identifier (table or column name) that comes from code, never from a request. */
export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}
