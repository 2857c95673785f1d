// Time-series storage on PGlite and PostgreSQL: partitions on demand, dedup on re-import, rollups, chart query, retention.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../../test/test-db.ts';
import { migrate } from '../../../db/index.ts';
import { importAppleHealthXml } from '../importers/apple-health.ts';
import { FIXTURES } from '../importers/test-support.ts';
import { loadMetricCatalog } from '../metrics/catalog.ts';
import type { ImportItem, Sample } from '../model.ts';
import { ingestImport } from './ingest.ts';
import { wearablesMigrations } from './migrations.ts';
import { listPartitions } from './partitions.ts';
import { queryChart } from './query.ts';
import { applyRetention, setRetention } from './retention.ts';
import { readRollups } from './rollups.ts';
import { readDailySeries } from './daily-series.ts';
import { runImport } from '../pipeline.ts';

const catalog = loadMetricCatalog();
const priority = catalog.defaultSourcePriority;
let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
  await migrate(t.db, wearablesMigrations);
});
afterAll(async () => t.drop());

const apple = () => importAppleHealthXml(createReadStream(join(FIXTURES, 'export.xml')), catalog);
const opts = (importId: string, patientId = 'p1') => ({ patientId, importId, format: 'apple-health', now: new Date('2024-03-03T12:00:00Z'), sourcePriority: priority, batchSize: 4 });

async function* fromSamples(samples: Sample[]): AsyncGenerator<ImportItem> {
  for (const sample of samples) yield { type: 'sample', sample };
}

describe('wearables storage', () => {
  it('stores an import, creating the monthly partitions it needs, and reports rejected records', async () => {
    const r = await ingestImport(t.db, apple(), opts('imp-1'));
    expect(r).toMatchObject({ received: 17, inserted: 17, duplicates: 0, rejected: 4 });
    expect(r.issues).toHaveLength(4);
    expect((await listPartitions(t.db)).map((p) => p.name)).toEqual(['wearable_sample_p202403']);
    const row = (await t.db.query<{ received: number; rejected: number; issues: unknown[] }>(`SELECT received, rejected, issues FROM wearable_import WHERE id = 'imp-1'`)).rows[0]!;
    expect(row).toMatchObject({ received: 17, rejected: 4 });
    expect(row.issues).toHaveLength(4);
  });

  it('re-importing the same export adds no duplicate rows', async () => {
    const r = await ingestImport(t.db, apple(), opts('imp-2'));
    expect(r).toMatchObject({ received: 17, inserted: 0, duplicates: 17 });
    const n = await t.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM wearable_sample WHERE patient_id = 'p1'`);
    expect(n.rows[0]!.n).toBe('17');
  });

  it('stores a sample repeated inside one file once', async () => {
    const s: Sample = { metric: 'body-weight', start: Date.parse('2024-03-05T07:00:00Z'), end: Date.parse('2024-03-05T07:00:00Z'), value: 70, unit: 'kg', source: 'Scale', sourceKind: 'scale', device: null, context: null };
    const r = await ingestImport(t.db, fromSamples([s, { ...s }, { ...s, value: 71, start: s.start + 1000, end: s.end + 1000 }]), opts('imp-dup'));
    expect(r).toMatchObject({ received: 3, inserted: 2, duplicates: 1 });
  });

  it('rolls up overlapping watch and phone steps from the watch only (source priority)', async () => {
    const day = await readRollups(t.db, { patientId: 'p1', metric: 'steps', bucket: 'day', from: new Date('2024-03-01T00:00:00Z'), to: new Date('2024-03-02T00:00:00Z') });
    expect(day).toHaveLength(1);
    expect(day[0]).toMatchObject({ sum: 702, n: 1, sourceKind: 'watch' });
  });

  it('reads daily series from the rollups in the patient time zone, sleep dated by the wake-up day', async () => {
    const r = await runImport(t.db, join(FIXTURES, 'export.zip'), catalog, { patientId: 'p3', importId: 'imp-ny', format: 'apple-health', now: new Date('2024-03-03T12:00:00Z'), timeZone: 'America/New_York' });
    expect(r.inserted).toBe(17);
    const daily = await readDailySeries(t.db, catalog, { patientId: 'p3', from: '2024-02-28', to: '2024-03-03', timeZone: 'America/New_York' });
    expect(daily.get('sleep-total')).toEqual([{ date: '2024-03-01', value: 415 }]);
    expect(daily.get('sleep-in-bed')).toEqual([{ date: '2024-03-01', value: 450 }]);
    expect(daily.get('steps')).toEqual([{ date: '2024-03-01', value: 702 }]);
    expect(daily.get('body-temperature')).toEqual([{ date: '2024-03-01', value: 37 }]);
    expect(daily.get('heart-rate')).toEqual([{ date: '2024-03-01', value: 90 }]);
  });

  it('rolls everything back when the stream fails midway', async () => {
    async function* failing(): AsyncGenerator<ImportItem> {
      yield* fromSamples([{ metric: 'heart-rate', start: Date.parse('2024-04-01T00:00:00Z'), end: Date.parse('2024-04-01T00:00:00Z'), value: 60, unit: '/min', source: 'w', sourceKind: 'watch', device: null, context: null }]);
      throw new Error('disk gone');
    }
    await expect(ingestImport(t.db, failing(), opts('imp-3'))).rejects.toThrow('disk gone');
    expect((await t.db.query(`SELECT 1 FROM wearable_import WHERE id = 'imp-3'`)).rows).toHaveLength(0);
    expect((await listPartitions(t.db)).map((p) => p.name)).not.toContain('wearable_sample_p202404');
  });

  it('computes hourly percentiles in SQL and answers chart queries from raw data or rollups', async () => {
    // Ten days of minute heart rate: 60 + (minute of hour) so each hour spans 60..119 with a known median.
    const start = Date.parse('2024-05-01T00:00:00Z');
    const samples: Sample[] = [];
    for (let i = 0; i < 10 * 1440; i++) samples.push({ metric: 'heart-rate', start: start + i * 60_000, end: start + i * 60_000, value: 60 + (i % 60) + (i === 1500 ? 180 : 0), unit: '/min', source: 'Watch', sourceKind: 'watch', device: null, context: null });
    const r = await ingestImport(t.db, fromSamples(samples), { ...opts('imp-4', 'p2'), batchSize: 2000 });
    expect(r.inserted).toBe(14_400);
    const hours = await readRollups(t.db, { patientId: 'p2', metric: 'heart-rate', bucket: 'hour', from: new Date(start), to: new Date(start + 3_600_000) });
    expect(hours[0]).toMatchObject({ n: 60, min: 60, max: 119, mean: 89.5, p50: 89.5 });
    expect(hours[0]!.p5).toBeCloseTo(62.95, 5);
    expect(hours[0]!.p95).toBeCloseTo(116.05, 5);
    const raw = await queryChart(t.db, { patientId: 'p2', metric: 'heart-rate', from: new Date(start), to: new Date(start + 2 * 86_400_000), points: 200, sourcePriority: priority });
    expect(raw.resolution).toBe('raw');
    expect(raw.points).toHaveLength(200);
    expect(Math.max(...raw.points.map((p) => p.v))).toBe(240); // the spike survives LTTB
    const long = await queryChart(t.db, { patientId: 'p2', metric: 'heart-rate', from: new Date(start), to: new Date(start + 10 * 86_400_000), points: 100, sourcePriority: priority });
    expect(long.resolution).toBe('hour');
    expect(long.points).toHaveLength(100);
    expect(long.points.some((p) => p.max === 240)).toBe(true);
    await expect(queryChart(t.db, { patientId: 'p2', metric: 'heart-rate', from: new Date(start), to: new Date(start), points: 100, sourcePriority: priority })).rejects.toMatchObject({ code: 'WEARABLES_BAD_WINDOW', status: 400 });
  });

  it('drops whole partitions past raw retention and old hourly rollups', async () => {
    await setRetention(t.db, { rawDays: 30, hourlyDays: 10 });
    const r = await applyRetention(t.db, new Date('2024-05-15T00:00:00Z'));
    expect(r.droppedPartitions).toEqual(['wearable_sample_p202403']);
    expect((await listPartitions(t.db)).map((p) => p.name)).toEqual(['wearable_sample_p202405']);
    expect(r.hourlyRowsDeleted).toBeGreaterThanOrEqual(96); // p2's 1-4 May hours are older than 10 days before 15 May
    const left = await t.db.query<{ n: string; first: Date }>(`SELECT count(*)::text AS n, min(bucket_start) AS first FROM wearable_rollup WHERE bucket = 'hour'`);
    expect(left.rows[0]!.n).toBe(String(6 * 24));
    expect(new Date(left.rows[0]!.first).toISOString()).toBe('2024-05-05T00:00:00.000Z');
    await expect(setRetention(t.db, { rawDays: 0, hourlyDays: 1 })).rejects.toMatchObject({ code: 'WEARABLES_BAD_RETENTION' });
  });
});
