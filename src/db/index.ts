// The database front door: open the configured driver, run migrations. Nothing outside src/db knows the driver.
import { PGliteDb } from './pglite-driver.ts';
import { PostgresDb } from './postgres-driver.ts';
import type { Db } from './types.ts';

export type { Db, Queryable, QueryResult } from './types.ts';
export { quoteIdent } from './types.ts';
export { migrate, type Migration } from './migrate.ts';
export { isRetryableDbError } from './errors.ts';
export { acquireDataDirLock, isProcessAlive, readDataDirLock, type DataDirLock } from './data-dir-lock.ts';

export interface DbConfig {
  /** PostgreSQL connection URL; when absent the embedded database is used. */
  databaseUrl?: string;
  /** Embedded data directory; absent means in memory (tests). */
  dataDir?: string;
  /** PostgreSQL schema (tests create a fresh one per suite). */
  schema?: string;
  maxConnections?: number;
}

export async function openDb(config: DbConfig): Promise<Db> {
  if (config.databaseUrl) {
    return PostgresDb.open({ connectionString: config.databaseUrl, schema: config.schema, maxConnections: config.maxConnections });
  }
  return PGliteDb.open(config.dataDir);
}
