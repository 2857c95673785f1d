// Test helper: a database with the store and search tables, and a loader that writes rows + index like the store.
import type { Resource } from '@medplum/fhirtypes';
import { migrate } from '../../db/index.ts';
import { storeMigrations } from '../store/migrations.ts';
import { createTestDb, type TestDb } from '../../../test/test-db.ts';
import { searchMigrations } from './migrations.ts';
import { writeSearchIndexBatch } from './write.ts';

export async function createSearchTestDb(): Promise<TestDb> {
  const t = await createTestDb();
  // The store's migration holds several statements, which PGlite cannot prepare at once: apply them one by one.
  const store = storeMigrations.flatMap((m) => m.sql.split(';').map((sql) => sql.trim()).filter((sql) => sql !== '').map((sql, i) => ({ id: `${m.id}/${i}`, sql })));
  await migrate(t.db, [...store, ...searchMigrations]);
  return t;
}

/** Inserts current versions into fhir_resource and indexes them in one transaction; returns the rids. */
export async function loadResources(t: TestDb, resources: readonly Resource[], lastUpdated = '2024-01-01T00:00:00Z'): Promise<number[]> {
  return t.db.transaction(async (tx) => {
    const { rows } = await tx.query<{ rid: number }>(
      `INSERT INTO fhir_resource (resource_type, id, version_id, last_updated, content)
       SELECT t, i, 1, $4::timestamptz, c FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS u(t, i, c) RETURNING rid`,
      [resources.map((r) => r.resourceType), resources.map((r) => r.id), resources.map((r) => JSON.stringify(r)), lastUpdated],
    );
    const items = resources.map((resource, i) => ({ rid: rows[i]!.rid, resource }));
    await writeSearchIndexBatch(tx, items);
    return items.map((i) => i.rid);
  });
}
