// The shared case file every Db driver runs (see test/test-db.ts for which one).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDbKind, type TestDb } from '../../test/test-db.ts';
import { migrate } from './index.ts';
import { FlauraError } from '../errors.ts';

describe(`Db on ${testDbKind}`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('applies each migration once, in order', async () => {
    const migrations = [
      { id: 'test/001', sql: 'CREATE TABLE kv (k text PRIMARY KEY, v jsonb, n bigint, at timestamptz)' },
      { id: 'test/002', sql: 'ALTER TABLE kv ADD COLUMN note text' },
    ];
    expect(await migrate(t.db, migrations)).toEqual(['test/001', 'test/002']);
    expect(await migrate(t.db, migrations)).toEqual([]);
  });

  it('returns int8 as number, jsonb parsed and timestamptz as Date on every driver', async () => {
    await t.db.query('INSERT INTO kv (k, v, n, at) VALUES ($1, $2, $3, $4)', ['a', JSON.stringify({ x: [1] }), 42, '2024-05-01T10:00:00Z']);
    const { rows } = await t.db.query<{ v: unknown; n: unknown; at: unknown }>('SELECT v, n, at FROM kv WHERE k = $1', ['a']);
    expect(rows[0]?.v).toEqual({ x: [1] });
    expect(rows[0]?.n).toBe(42);
    expect(rows[0]?.at).toBeInstanceOf(Date);
  });

  it('rolls a transaction back when its function throws', async () => {
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query("INSERT INTO kv (k) VALUES ('rolled-back')");
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await t.db.query("SELECT 1 FROM kv WHERE k = 'rolled-back'");
    expect(rows).toHaveLength(0);
  });

  it('maps a unique violation to a 409 FlauraError', async () => {
    const err = await t.db.query("INSERT INTO kv (k) VALUES ('a')").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlauraError);
    expect((err as FlauraError).status).toBe(409);
  });

  it('bulk-loads rows with COPY, escaping tabs, newlines, backslashes and nulls', async () => {
    const rows = [
      ['c1', JSON.stringify({ t: 'tab\there' }), 1, null, 'line\nbreak \\ slash'],
      ['c2', null, 2, new Date('2024-01-02T03:04:05Z'), null],
    ];
    expect(await t.db.copyRows('kv', ['k', 'v', 'n', 'at', 'note'], rows)).toBe(2);
    const { rows: back } = await t.db.query<{ k: string; v: unknown; note: string | null; at: Date | null }>("SELECT k, v, note, at FROM kv WHERE k LIKE 'c%' ORDER BY k");
    expect(back[0]).toMatchObject({ k: 'c1', v: { t: 'tab\there' }, note: 'line\nbreak \\ slash', at: null });
    expect(back[1]?.at?.toISOString()).toBe('2024-01-02T03:04:05.000Z');
  });

  it('COPY inside a transaction is undone by its rollback', async () => {
    await expect(
      t.db.transaction(async (tx) => {
        await t.db.copyRows('kv', ['k'], [['in-tx']], tx);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await t.db.query("SELECT 1 FROM kv WHERE k = 'in-tx'")).rows).toHaveLength(0);
  });
});
