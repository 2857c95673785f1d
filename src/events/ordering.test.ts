// Proof of the ordering scheme: concurrent writers with random delays and rollbacks, a consumer running alongside.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../test/test-db.ts';
import { migrate } from '../db/index.ts';
import { appendEvents, eventMigrations, OutboxEventLog, type FlauraEvent } from './index.ts';

let t: TestDb;
let log: OutboxEventLog | undefined;

beforeEach(async () => {
  t = await createTestDb();
  await migrate(t.db, [...eventMigrations, { id: 'test/ord-resource', sql: 'CREATE TABLE ord_resource (id text PRIMARY KEY, version int NOT NULL)' }]);
});

afterEach(async () => {
  await log?.stop({ drain: false });
  await t.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('a consumer sees every committed event exactly once, in commit order per resource, despite concurrent writers', async () => {
  const resources = ['r0', 'r1', 'r2', 'r3', 'r4'];
  for (const id of resources) await t.db.query('INSERT INTO ord_resource VALUES ($1, 0)', [id]);
  const seen: FlauraEvent[] = [];
  log = new OutboxEventLog(t.db, { pollIntervalMs: 20, listen: t.config.databaseUrl ? { connectionString: t.config.databaseUrl } : undefined });
  log.subscribe('checker', ['fhir.Thing.*'], (e) => void seen.push(e));
  await log.start();

  // A deterministic pseudo-random sequence keeps failures reproducible.
  let state = 12345;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let committed = 0;
  const writer = async (w: number) => {
    for (let i = 0; i < 25; i++) {
      const id = resources[Math.floor(random() * resources.length)]!;
      const before = Math.floor(random() * 4);
      const after = Math.floor(random() * 4);
      const rollback = random() < 0.1;
      try {
        await t.db.transaction(async (tx) => {
          // The row lock orders writers of one resource, as the store's SELECT ... FOR UPDATE does.
          const { rows } = await tx.query<{ version: number }>('UPDATE ord_resource SET version = version + 1 WHERE id = $1 RETURNING version', [id]);
          await sleep(before);
          await appendEvents(tx, [{ topic: 'fhir.Thing.update', resourceType: 'Thing', resourceId: id, versionId: String(rows[0]!.version), payload: { w, i } }]);
          await sleep(after);
          if (rollback) throw new Error('rolled back on purpose');
        });
        committed++;
      } catch (err) {
        if (!(err instanceof Error && err.message === 'rolled back on purpose')) throw err;
      }
    }
  };
  await Promise.all([0, 1, 2, 3, 4, 5].map(writer));
  await log.waitForIdle(20_000);

  expect(seen).toHaveLength(committed);
  const seqs = seen.map((e) => e.seq);
  expect(new Set(seqs).size).toBe(seqs.length);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  const { rows } = await t.db.query<{ id: string; version: number }>('SELECT id, version FROM ord_resource ORDER BY id');
  for (const { id, version } of rows) {
    const versions = seen.filter((e) => e.resourceId === id).map((e) => Number(e.versionId));
    expect(versions).toEqual(Array.from({ length: version }, (_, k) => k + 1));
  }
}, 60_000);
