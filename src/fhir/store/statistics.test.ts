// ANALYZE runs once the writes since the last one cross the policy's threshold, on the current schema's tables only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDbKind, type TestDb } from '../../../test/test-db.ts';
import { migrate } from '../../db/index.ts';
import { storeMigrations } from './migrations.ts';
import { StatisticsKeeper } from './statistics.ts';

describe('StatisticsKeeper', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    await migrate(t.db, storeMigrations);
  });
  afterAll(async () => t.drop());

  const insert = (from: number, to: number) =>
    t.db.query("INSERT INTO fhir_resource (resource_type, id, version_id, last_updated, content) SELECT 'Patient', 'p' || g, 1, now(), '{}' FROM generate_series($1::int, $2::int) g", [from, to]);
  const counted = async () => (await t.db.query<{ n: number }>("SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'fhir_resource'::regclass")).rows[0]!.n;

  it('analyzes after minWrites on a never-analyzed table, then after the fraction of what it counted', async () => {
    const keeper = new StatisticsKeeper(t.db, { minWrites: 5, fraction: 0.5 });
    await insert(1, 40);
    const before = await counted();
    await keeper.noteWrites(4);
    expect(keeper.runs).toBe(0);
    expect(await counted()).toBe(before);
    await keeper.noteWrites(1);
    expect(keeper.runs).toBe(1);
    expect(await counted()).toBe(40);

    // Threshold is now max(5, 0.5 × 40) = 20 writes on PGlite; PostgreSQL leaves analyzed tables to autovacuum.
    await insert(41, 60);
    await keeper.noteWrites(19);
    expect(keeper.runs).toBe(1);
    await keeper.noteWrites(1);
    expect(keeper.runs).toBe(testDbKind === 'pglite' ? 2 : 1);
    expect(await counted()).toBe(testDbKind === 'pglite' ? 60 : 40);
  });

  it.runIf(testDbKind === 'postgres')('on PostgreSQL, does nothing for tables that were analyzed before', async () => {
    const keeper = new StatisticsKeeper(t.db, { minWrites: 1, fraction: 0 });
    await keeper.noteWrites(100);
    expect(keeper.runs).toBe(0);
  });

  it('ignores transactions that wrote nothing', async () => {
    const keeper = new StatisticsKeeper(t.db, { minWrites: 1, fraction: 0 });
    await keeper.noteWrites(0);
    expect(keeper.runs).toBe(0);
  });
});
