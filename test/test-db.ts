// A fresh, empty database for one test file: in-memory PGlite, or a new schema on the real PostgreSQL server.
// FLAURA_TEST_DB=postgres selects PostgreSQL (FLAURA_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDb, type Db } from '../src/db/index.ts';

export const testDbKind: 'pglite' | 'postgres' = process.env.FLAURA_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
export const testDatabaseUrl = process.env.FLAURA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDb {
  db: Db;
  /** Closes the connection and drops the schema (PostgreSQL). */
  drop(): Promise<void>;
  /** Connection settings that open the same database again (PostgreSQL only; PGlite memory is private). */
  config: { databaseUrl?: string; schema?: string };
}

export async function createTestDb(): Promise<TestDb> {
  if (testDbKind === 'pglite') {
    const db = await openDb({});
    return { db, drop: () => db.close(), config: {} };
  }
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const db = await openDb({ databaseUrl: testDatabaseUrl, schema, maxConnections: 8 });
  return {
    db,
    config: { databaseUrl: testDatabaseUrl, schema },
    drop: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: testDatabaseUrl });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}
