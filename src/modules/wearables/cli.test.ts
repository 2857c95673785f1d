// The wearables CLI: import a fixture into an in-memory database, then report alerts and the weekly summary.
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../db/index.ts';
import { registerWearablesCli } from './cli.ts';
import { FIXTURES } from './importers/test-support.ts';

/** One in-memory database shared by the commands of a test (close is a no-op until the test ends). */
async function sharedDb(): Promise<{ open: () => Promise<Db>; close: () => Promise<void> }> {
  const db = await openDb({});
  const handle: Db = Object.assign(Object.create(db) as Db, { close: async () => undefined });
  return { open: async () => handle, close: () => db.close() };
}

function program(open: () => Promise<Db>, lines: string[]): Command {
  const p = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  registerWearablesCli(p, { openDb: open, now: () => new Date('2024-03-03T12:00:00Z'), stdout: (t) => lines.push(t), newId: () => 'imp-cli' });
  return p;
}

describe('flaura wearables', () => {
  it('imports an Apple Health zip, then reports the week in plain language', async () => {
    const db = await sharedDb();
    const out: string[] = [];
    try {
      await program(db.open, out).parseAsync(['node', 'flaura', 'wearables', 'import', join(FIXTURES, 'export.zip'), '--format', 'apple-health', '--patient', 'p1', '--time-zone', 'America/New_York']);
      expect(JSON.parse(out[0]!)).toMatchObject({ importId: 'imp-cli', received: 17, inserted: 17, rejected: 4 });
      await program(db.open, out).parseAsync(['node', 'flaura', 'wearables', 'report', '--patient', 'p1', '--time-zone', 'America/New_York', '--as-of', '2024-03-03']);
      expect(out[1]).toContain('Your week, 2024-02-26 to 2024-03-03');
      expect(out[1]).toContain('You slept 6 h 55 min a night on average.');
      expect(out[1]).toContain('You walked about 700 steps a day.');
    } finally {
      await db.close();
    }
  });

  it('exits with code 2 and a clear message on bad input', async () => {
    const db = await sharedDb();
    try {
      const run = (args: string[]) => program(db.open, []).parseAsync(['node', 'flaura', 'wearables', ...args]);
      await expect(run(['import', join(FIXTURES, 'export.xml'), '--format', 'fitbit', '--patient', 'p1'])).rejects.toMatchObject({ exitCode: 2, code: 'wearables.WEARABLES_FITBIT_OFFSET_REQUIRED' });
      await expect(run(['import', join(FIXTURES, 'export.xml'), '--format', 'fitbit', '--patient', 'p1', '--utc-offset', '60'])).rejects.toMatchObject({ exitCode: 2, code: 'wearables.WEARABLES_BAD_JSON' });
      await expect(run(['import', join(FIXTURES, 'export.xml'), '--format', 'fitbit', '--patient', 'p1', '--utc-offset', 'east'])).rejects.toMatchObject({ exitCode: 2, code: 'wearables.WEARABLES_BAD_OFFSET' });
      await expect(run(['report', '--patient', 'p1', '--as-of', 'yesterday'])).rejects.toMatchObject({ exitCode: 2, code: 'wearables.WEARABLES_BAD_DATE' });
    } finally {
      await db.close();
    }
  });
});
