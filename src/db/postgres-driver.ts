// Server driver: PostgreSQL through node-postgres, with a connection pool.
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { formatCopyValue, quoteIdent, type Db, type Queryable, type QueryResult } from './types.ts';
import { translateDbError } from './errors.ts';

// int8 as number (ids and counters stay far below 2^53), like the PGlite driver.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export interface PostgresOptions {
  connectionString: string;
  /** Schema to put first on the search_path of every connection (tests use a fresh one each). */
  schema?: string;
  maxConnections?: number;
}

class ClientHandle implements Queryable {
  constructor(private readonly client: pg.PoolClient) {}
  async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    try {
      const result = await this.client.query(sql, params as unknown[] | undefined);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    } catch (err) {
      throw translateDbError(err);
    }
  }
  async execScript(sql: string): Promise<void> {
    await this.query(sql);
  }
  get raw(): pg.PoolClient {
    return this.client;
  }
}

export class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  private constructor(private readonly pool: pg.Pool) {}

  static async open(options: PostgresOptions): Promise<PostgresDb> {
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      // JIT compiles plans whose estimated cost is high (a search over 10k index rows): 30–40 ms of compilation
      // for queries that run in a few ms. random_page_cost 1.1: the working set is cached (or on SSD), so index
      // probes are not 4× a sequential page; with the default the planner scanned all of fhir_resource instead.
      options: [`-c jit=off -c random_page_cost=1.1`, options.schema ? `-c search_path=${options.schema},public` : ''].join(' ').trim(),
    });
    // Fail fast with a clear message when the server is unreachable.
    const client = await pool.connect();
    client.release();
    return new PostgresDb(pool);
  }

  async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    try {
      const result = await this.pool.query(sql, params as unknown[] | undefined);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    } catch (err) {
      throw translateDbError(err);
    }
  }

  /** Without parameters node-postgres uses the simple protocol, which runs several statements. */
  async execScript(sql: string): Promise<void> {
    await this.query(sql);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(new ClientHandle(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw translateDbError(err);
    } finally {
      client.release();
    }
  }

  async copyRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], tx?: Queryable): Promise<number> {
    if (rows.length === 0) return 0;
    const sql = `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN`;
    const run = async (client: pg.PoolClient) => {
      const sink = client.query(copyFrom(sql));
      const lines = (function* () {
        for (const row of rows) yield row.map(formatCopyValue).join('\t') + '\n';
      })();
      await pipeline(Readable.from(lines), sink);
    };
    try {
      if (tx instanceof ClientHandle) await run(tx.raw);
      else {
        const client = await this.pool.connect();
        try {
          await run(client);
        } finally {
          client.release();
        }
      }
    } catch (err) {
      throw translateDbError(err);
    }
    return rows.length;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
