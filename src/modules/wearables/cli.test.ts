// `flaura import wearables`: detected formats, progress, the per-record error report, all-or-nothing on a broken
// file, daily summaries published as FHIR; `flaura wearables report`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/test-server.ts';
import { testDbKind } from '../../../test/test-db.ts';
import { buildProgram } from '../../cli/program.ts';
import { registerWearablesCli } from './cli.ts';
import { FIXTURES } from './importers/test-support.ts';
import { appleHealthExport } from './synthetic/apple-health-export.ts';

describe(`flaura import wearables on ${testDbKind}`, () => {
  let s: TestServer;
  let dir: string;
  let ids = 0;
  beforeAll(async () => {
    s = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'flaura-wearables-cli-'));
  }, 60_000);
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(args: string[]): Promise<{ out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const f = s.flaura;
    const p = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
    registerWearablesCli(p, {
      open: async () => ({
        deps: { db: f.db, store: f.store, transaction: async (bundle) => (await f.router.handle({ method: 'POST', path: '', query: [], headers: {}, body: bundle, contentType: 'application/fhir+json', baseUrl: f.store.baseUrl })).body as Bundle },
        close: async () => undefined,
      }),
      now: () => new Date('2024-03-03T12:00:00Z'),
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      newId: () => `imp-cli-${++ids}`,
    });
    await p.parseAsync(['node', 'flaura', ...args]);
    return { out: out.join(''), err: err.join('') };
  }
  const count = async (patient: string) => Number((await s.flaura.db.query<{ n: string }>(`SELECT count(*) AS n FROM wearable_sample WHERE patient_id = $1`, [patient])).rows[0]!.n);

  it('is `flaura import wearables` in the real program, with `flaura wearables import` as an alias', () => {
    const program = buildProgram();
    expect(program.commands.find((c) => c.name() === 'import')!.commands.map((c) => c.name())).toContain('wearables');
    expect(program.commands.find((c) => c.name() === 'wearables')!.commands.map((c) => c.name())).toEqual(['import', 'report']);
  });

  it('imports an Apple Health zip (format detected) with progress, reports rejected records, publishes daily summaries', async () => {
    const errors = join(dir, 'rejected.json');
    const r = await run(['import', 'wearables', '--patient', 'p1', join(FIXTURES, 'export.zip'), '--time-zone', 'America/New_York', '--errors', errors]);
    expect(r.out).toContain('Imported for Patient/p1 (import imp-cli-1): 21 records read, 17 samples stored, 0 already stored, 4 rejected.');
    expect(r.out).toMatch(/Daily summaries 2024-02-2\d … 2024-03-0\d: \d+ FHIR Observations written/);
    expect(r.out).toContain('Rejected records:');
    expect(r.out).toMatch(/line \d+: .*negative|line \d+: .*unit/i);
    expect(JSON.parse(readFileSync(errors, 'utf8'))).toHaveLength(4);
    expect(r.err).toContain('importing apple-health: 100%');
    const obs = await s.fhir('GET', 'Observation?patient=Patient/p1&code=http://loinc.org|8867-4');
    expect((obs.body as Bundle).entry!.length).toBeGreaterThan(0);

    // The old spelling, same data again: nothing new stored, nothing republished.
    const again = await run(['wearables', 'import', join(FIXTURES, 'export.xml'), '--patient', 'p1', '--time-zone', 'America/New_York', '--json']);
    expect(JSON.parse(again.out)).toMatchObject({ received: 17, inserted: 0, duplicates: 17, rejected: 4, summaries: { published: 0 } });
  }, 60_000);

  it('imports Fitbit and Open mHealth files by their detected format', async () => {
    const fitbit = JSON.parse((await run(['import', 'wearables', '--patient', 'p2', join(FIXTURES, 'fitbit-heart-intraday.json'), '--utc-offset', '-300', '--json'])).out) as { inserted: number; importId: string };
    expect(fitbit.inserted).toBeGreaterThan(0);
    const omh = JSON.parse((await run(['import', 'wearables', '--patient', 'p2', join(FIXTURES, 'omh-data-points.ndjson'), '--json'])).out) as { inserted: number };
    expect(omh.inserted).toBeGreaterThan(0);
    const row = await s.flaura.db.query<{ format: string }>(`SELECT format FROM wearable_import WHERE id = $1`, [fitbit.importId]);
    expect(row.rows[0]!.format).toBe('fitbit');
  }, 60_000);

  it('stores nothing when the file breaks after thousands of good records, and says so', async () => {
    const text = [...appleHealthExport({ start: '2024-01-01', days: 10, utcOffsetMinutes: 0, seed: 5, restingHr: 60, hrvSdnn: 40, sleepHours: 7, steps: 7000, spo2: 97, weightKg: 80, heartRateEveryMinutes: 5 })].join('');
    const broken = join(dir, 'broken.xml');
    // Cut the document in the middle of a record near its end: the XML is malformed.
    writeFileSync(broken, text.slice(0, Math.floor(text.length * 0.9)) + '<Record type="HKQuantityTypeIdentifierHeartRate" value=</HealthData>');
    await expect(run(['import', 'wearables', '--patient', 'p-bad', broken])).rejects.toMatchObject({ exitCode: 2, code: 'wearables.WEARABLES_MALFORMED_XML' });
    expect(await count('p-bad')).toBe(0);
    expect(((await s.fhir('GET', 'Observation?patient=Patient/p-bad')).body as Bundle).entry ?? []).toEqual([]);
  }, 60_000);

  it('exits with code 2 and a clear message on bad input', async () => {
    const unknown = join(dir, 'notes.json');
    writeFileSync(unknown, '{"hello": "world"}');
    await expect(run(['import', 'wearables', '--patient', 'p1', unknown])).rejects.toMatchObject({ exitCode: 2, code: 'wearables.WEARABLES_UNKNOWN_FORMAT' });
    await expect(run(['import', 'wearables', '--patient', 'p1', join(dir, 'missing.xml')])).rejects.toMatchObject({ exitCode: 2, code: 'wearables.WEARABLES_INPUT_UNREADABLE' });
    await expect(run(['import', 'wearables', '--patient', 'p1', join(FIXTURES, 'fitbit-heart-intraday.json')])).rejects.toMatchObject({ exitCode: 2, code: 'wearables.WEARABLES_FITBIT_OFFSET_REQUIRED' });
    await expect(run(['import', 'wearables', '--patient', 'p1', '--format', 'fitbit', join(FIXTURES, 'export.xml'), '--utc-offset', '60'])).rejects.toMatchObject({ exitCode: 2, code: 'wearables.WEARABLES_BAD_JSON' });
    await expect(run(['import', 'wearables', '--patient', 'p1', join(FIXTURES, 'export.xml'), '--utc-offset', 'east'])).rejects.toMatchObject({ exitCode: 2, code: 'wearables.WEARABLES_BAD_OFFSET' });
    await expect(run(['wearables', 'report', '--patient', 'p1', '--as-of', 'yesterday'])).rejects.toMatchObject({ exitCode: 2, code: 'wearables.WEARABLES_BAD_DATE' });
  });

  it('reports the week in plain language', async () => {
    const r = await run(['wearables', 'report', '--patient', 'p1', '--time-zone', 'America/New_York', '--as-of', '2024-03-03']);
    expect(r.out).toContain('Your week, 2024-02-26 to 2024-03-03');
    expect(r.out).toContain('You slept 6 h 55 min a night on average.');
    expect(r.out).toContain('You walked about 700 steps a day.');
  });
});
