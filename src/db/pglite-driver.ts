// Embedded driver: PGlite (PostgreSQL compiled to WebAssembly), single connection, in-process.
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import { formatCopyText, quoteIdent, type Db, type Queryable, type QueryResult } from './types.ts';
import { translateDbError } from './errors.ts';

/** Same value shapes as the pg driver: int8 as number, numeric as string, timestamps as Date, json parsed. */
const parsers = {
  [types.INT8]: (value: string) => Number(value),
  [types.NUMERIC]: (value: string) => value,
};

class TxHandle implements Queryable {
  constructor(readonly tx: Transaction) {}
  async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    try {
      const result = await this.tx.query<R>(sql, params as unknown[] | undefined);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    } catch (err) {
      throw translateDbError(err);
    }
  }
  async execScript(sql: string): Promise<void> {
    try {
      await this.tx.exec(sql);
    } catch (err) {
      throw translateDbError(err);
    }
  }
}

export class PGliteDb implements Db {
  readonly kind = 'pglite' as const;
  private constructor(private readonly pg: PGlite) {}

  /** Opens (creating if needed) a database in `dataDir`; `memory://` or undefined gives a throwaway one. */
  static async open(dataDir?: string): Promise<PGliteDb> {
    const pg = await PGlite.create(dataDir ?? 'memory://', { parsers });
    // Same planner cost as on the server driver: pages are in memory, random reads are not 4× sequential ones.
    await pg.exec('SET random_page_cost = 1.1');
    return new PGliteDb(pg);
  }

  async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    try {
      const result = await this.pg.query<R>(sql, params as unknown[] | undefined);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    } catch (err) {
      throw translateDbError(err);
    }
  }

  async execScript(sql: string): Promise<void> {
    try {
      await this.pg.exec(sql);
    } catch (err) {
      throw translateDbError(err);
    }
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.pg.transaction((tx) => fn(new TxHandle(tx)));
  }

  async copyRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], tx?: Queryable): Promise<number> {
    if (rows.length === 0) return 0;
    const blob = new Blob([formatCopyText(rows)]);
    const sql = `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM '/dev/blob'`;
    const target = tx instanceof TxHandle ? tx.tx : this.pg;
    try {
      // PGlite takes the COPY payload as a query option rather than a stream.
      await target.query(sql, [], { blob });
    } catch (err) {
      throw translateDbError(err);
    }
    return rows.length;
  }

  async close(): Promise<void> {
    await this.pg.close();
  }
}
