// Scratch benchmark: one year of minute heart rate (525,600 samples) — ingest vs raw COPY, and chart query time.
// Usage: npx tsx scripts/wearables-data/bench-storage.ts [pglite|postgres]   (postgres: FLAURA_BENCH_DATABASE_URL)
import pg from 'pg';
import { openDb, migrate, type Db } from '../../src/db/index.ts';
import { ingestImport, queryChart, wearablesMigrations, loadMetricCatalog, type ImportItem, type Sample } from '../../src/modules/wearables/index.ts';

const kind = process.argv[2] === 'postgres' ? 'postgres' : 'pglite';
const url = process.env.FLAURA_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const N = 525_600;
const BATCH = 5000;
const START = Date.parse('2024-01-01T00:00:00Z');
const catalog = loadMetricCatalog();

function sample(i: number): Sample {
  const t = START + i * 60_000;
  // A daily rhythm plus deterministic jitter: realistic enough for rollups and LTTB.
  const v = 65 + 10 * Math.sin((2 * Math.PI * (i % 1440)) / 1440) + ((i * 7919) % 13) - 6;
  return { metric: 'heart-rate', start: t, end: t, value: v, unit: '/min', source: 'Bench Watch', sourceKind: 'watch', device: null, context: null };
}

async function* items(): AsyncGenerator<ImportItem> {
  for (let i = 0; i < N; i++) yield { type: 'sample', sample: sample(i) };
}

async function open(): Promise<{ db: Db; cleanup: () => Promise<void> }> {
  if (kind === 'pglite') {
    const db = await openDb({});
    return { db, cleanup: () => db.close() };
  }
  const schema = `bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const db = await openDb({ databaseUrl: url, schema, maxConnections: 4 });
  return {
    db,
    cleanup: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

const { db, cleanup } = await open();
try {
  await migrate(db, wearablesMigrations);
  const cols = ['patient_id', 'metric', 'start_time', 'end_time', 'value', 'unit', 'source', 'source_kind', 'device', 'context', 'import_id'];
  // Raw COPY of the same rows (same generation and batching) into a bare table; run before and after the ingest
  // and averaged, because the machine is shared and load drifts. Like the ingest, it is one transaction that also
  // creates its table (so both get the same created-in-this-transaction treatment from PostgreSQL).
  const rawCopy = (table: string): Promise<number> => db.transaction(async (tx) => {
    const t = performance.now();
    await tx.query(`CREATE TABLE ${table} (patient_id text, metric text, start_time timestamptz, end_time timestamptz, value double precision, unit text, source text, source_kind text, device text, context text, import_id text)`);
    for (let i = 0; i < N; i += BATCH) {
      const rows: unknown[][] = [];
      for (let j = i; j < Math.min(i + BATCH, N); j++) {
        const s = sample(j);
        rows.push(['bench', s.metric, new Date(s.start).toISOString(), new Date(s.end).toISOString(), s.value, s.unit, s.source, s.sourceKind, s.device, s.context, 'raw']);
      }
      await db.copyRows(table, cols, rows, tx);
    }
    return performance.now() - t;
  });
  const raw1 = await rawCopy('bare_copy_1');
  let t0 = performance.now();
  const r = await ingestImport(db, items(), { patientId: 'bench', importId: 'bench-1', format: 'bench', now: new Date(), sourcePriority: catalog.defaultSourcePriority, batchSize: BATCH });
  const ingestMs = performance.now() - t0;
  const rawMs = (raw1 + (await rawCopy('bare_copy_2'))) / 2;
  t0 = performance.now();
  const again = await ingestImport(db, items(), { patientId: 'bench', importId: 'bench-2', format: 'bench', now: new Date(), sourcePriority: catalog.defaultSourcePriority, batchSize: BATCH });
  const reimportMs = performance.now() - t0;
  const q = { patientId: 'bench', metric: 'heart-rate', from: new Date(START), to: new Date(START + 366 * 86_400_000), points: 500, sourcePriority: catalog.defaultSourcePriority };
  const time = async (query: typeof q, runs: number): Promise<{ median: number; resolution: string; points: number }> => {
    const res = await queryChart(db, query);
    const ts: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      await queryChart(db, query);
      ts.push(performance.now() - s);
    }
    ts.sort((a, b) => a - b);
    return { median: ts[runs >> 1]!, resolution: res.resolution, points: res.points.length };
  };
  const year = await time(q, 21);
  const twoDays = await time({ ...q, to: new Date(START + 2 * 86_400_000) }, 21);
  const quarter = await time({ ...q, to: new Date(START + 40 * 86_400_000) }, 21);
  console.log(JSON.stringify({
    kind, samples: N, inserted: r.inserted, reimportInserted: again.inserted,
    rawCopyMs: Math.round(rawMs), ingestMs: Math.round(ingestMs), reimportMs: Math.round(reimportMs),
    ingestThroughputVsRawCopy: Math.round((rawMs / ingestMs) * 100) / 100,
    chartYearMs: Math.round(year.median * 10) / 10, chartYear: year,
    chart40DaysMs: Math.round(quarter.median * 10) / 10, chart40Days: quarter,
    chart2DaysRawMs: Math.round(twoDays.median * 10) / 10, chart2Days: twoDays,
  }, null, 1));
} finally {
  await cleanup();
}
