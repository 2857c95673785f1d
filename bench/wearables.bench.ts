// Wearables benchmark, one run: (1) ingest of one year of minute heart rate through Flaura's import path vs a raw
// COPY of the same rows into a bare table (same generation and batching; raw COPY timed before and after and
// averaged, the machine is shared); (2) the chart answer the web app asks for (one year → N points + baseline band +
// alert markers) on that year; (3) a large Apple Health export.xml, generated into os.tmpdir() and deleted after,
// imported in a child process (time, peak RSS). PostgreSQL when reachable, and PGlite.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import pg from 'pg';
import { migrate, openDb, type Db } from '../src/db/index.ts';
import { loadAlertRules } from '../src/modules/wearables/alerts/rules.ts';
import { loadMetricCatalog } from '../src/modules/wearables/metrics/catalog.ts';
import type { ImportItem, Sample } from '../src/modules/wearables/model.ts';
import { chartWithBaseline } from '../src/modules/wearables/service/chart.ts';
import { ingestImport } from '../src/modules/wearables/storage/ingest.ts';
import { wearablesMigrations } from '../src/modules/wearables/storage/migrations.ts';
import { appleHealthExport } from '../src/modules/wearables/synthetic/apple-health-export.ts';
import { fmt, machineDescription, summarize } from './lib.ts';

export interface WearablesBenchOptions {
  /** Minute samples ingested and charted (default one year: 525,600). */
  samples: number;
  /** Size of the generated Apple Health export in GiB (default ~1 GB). */
  exportGiB: number;
  /** Chart queries timed. */
  chartRuns: number;
}

const START = Date.parse('2025-01-01T00:00:00Z');
const BATCH = 5000;
const COLS = ['patient_id', 'metric', 'start_time', 'end_time', 'value', 'unit', 'source', 'source_kind', 'device', 'context', 'import_id'];
const POSTGRES_URL = process.env.FLAURA_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function sample(i: number): Sample {
  const t = START + i * 60_000;
  // A daily rhythm plus deterministic jitter: realistic enough for rollups and LTTB.
  const v = 65 + 10 * Math.sin((2 * Math.PI * (i % 1440)) / 1440) + ((i * 7919) % 13) - 6;
  return { metric: 'heart-rate', start: t, end: t, value: v, unit: '/min', source: 'Bench Watch', sourceKind: 'watch', device: null, context: null };
}

async function* items(n: number): AsyncGenerator<ImportItem> {
  for (let i = 0; i < n; i++) yield { type: 'sample', sample: sample(i) };
}

interface Opened {
  kind: 'postgres' | 'pglite';
  db: Db;
  url?: string;
  schema?: string;
  cleanup: () => Promise<void>;
}

async function postgresReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

async function openKind(kind: 'postgres' | 'pglite'): Promise<Opened> {
  if (kind === 'pglite') {
    const db = await openDb({});
    return { kind, db, cleanup: () => db.close() };
  }
  const schema = `bench_wearables_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const db = await openDb({ databaseUrl: POSTGRES_URL, schema, maxConnections: 4 });
  return {
    kind, db, url: POSTGRES_URL, schema,
    cleanup: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

interface StoreFigures {
  kind: string;
  rawMs: number;
  ingestMs: number;
  inserted: number;
  chart: ReturnType<typeof summarize>;
  chartPoints: number;
  chartBand: number;
  chartResolution: string;
}

async function storeFigures(o: Opened, opts: WearablesBenchOptions): Promise<StoreFigures> {
  const { db } = o;
  await migrate(db, wearablesMigrations);
  const catalog = loadMetricCatalog();
  const n = opts.samples;
  // Like the ingest, one transaction that also creates its table (same created-in-this-transaction treatment).
  const rawCopy = (table: string): Promise<number> => db.transaction(async (tx) => {
    const t = performance.now();
    await tx.query(`CREATE TABLE ${table} (patient_id text, metric text, start_time timestamptz, end_time timestamptz, value double precision, unit text, source text, source_kind text, device text, context text, import_id text)`);
    for (let i = 0; i < n; i += BATCH) {
      const rows: unknown[][] = [];
      for (let j = i; j < Math.min(i + BATCH, n); j++) {
        const s = sample(j);
        rows.push(['bench', s.metric, new Date(s.start).toISOString(), new Date(s.end).toISOString(), s.value, s.unit, s.source, s.sourceKind, s.device, s.context, 'raw']);
      }
      await db.copyRows(table, COLS, rows, tx);
    }
    return performance.now() - t;
  });
  console.error(`  ${o.kind}: raw COPY, ingest, raw COPY of ${n} samples …`);
  const raw1 = await rawCopy('bare_copy_1');
  const t0 = performance.now();
  const r = await ingestImport(db, items(n), { patientId: 'bench', importId: 'bench-1', format: 'bench', now: new Date(), sourcePriority: catalog.defaultSourcePriority, batchSize: BATCH, timeZone: 'UTC' });
  const ingestMs = performance.now() - t0;
  const rawMs = (raw1 + (await rawCopy('bare_copy_2'))) / 2;
  const rules = loadAlertRules();
  const q = { patientId: 'bench', metric: 'heart-rate', from: new Date(START), to: new Date(START + Math.ceil(n / 1440) * 86_400_000), points: 500, timeZone: 'UTC' };
  const first = await chartWithBaseline({ db }, catalog, rules, q);
  const times: number[] = [];
  for (let i = 0; i < opts.chartRuns; i++) {
    const s = performance.now();
    await chartWithBaseline({ db }, catalog, rules, q);
    times.push(performance.now() - s);
  }
  return { kind: o.kind, rawMs, ingestMs, inserted: r.inserted, chart: summarize('chart', times), chartPoints: first.points.length, chartBand: first.baseline.length, chartResolution: first.resolution };
}

/** Writes an export.xml of about `bytes` bytes (minute heart rate while awake, all other metrics daily). */
async function writeExport(path: string, bytes: number): Promise<{ bytes: number; days: number }> {
  const out = createWriteStream(path);
  let written = 0, days = 0;
  const chunks = appleHealthExport({ start: '2010-01-01', days: 100_000, utcOffsetMinutes: 120, seed: 7, restingHr: 61, hrvSdnn: 44, sleepHours: 7.3, steps: 8200, spo2: 97, weightKg: 75, heartRateEveryMinutes: 1 });
  for (const chunk of chunks) {
    if (!out.write(chunk)) await once(out, 'drain');
    written += Buffer.byteLength(chunk);
    days++;
    if (written >= bytes) break;
  }
  out.end('</HealthData>\n');
  await once(out, 'finish');
  return { bytes: written + 14, days: days - 1 };
}

interface ExportFigures { seconds: number; fileBytes: number; received: number; inserted: number; rejected: number; maxRssMiB: number; days: number; db: string }

async function exportFigures(o: Opened | undefined, gib: number): Promise<ExportFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'flaura-bench-wearables-'));
  try {
    const file = join(dir, 'export.xml');
    console.error(`  generating a ${gib} GiB Apple Health export in ${dir} …`);
    const { days } = await writeExport(file, gib * 2 ** 30);
    const where = o?.url ?? join(dir, 'pglite');
    console.error(`  importing it in a child process (${o ? 'PostgreSQL' : 'PGlite on disk'}) …`);
    const res = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'wearables-import-worker.ts'), file, where, ...(o?.schema ? [o.schema] : [])], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (res.status !== 0) throw new Error(`wearables import worker failed: ${res.stderr}`);
    return { ...(JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Omit<ExportFigures, 'days' | 'db'>), days, db: o ? 'PostgreSQL' : 'PGlite (on disk)' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchWearables(opts: WearablesBenchOptions): Promise<string> {
  const kinds: ('postgres' | 'pglite')[] = (await postgresReachable()) ? ['postgres', 'pglite'] : ['pglite'];
  const figures: StoreFigures[] = [];
  let exportResult: ExportFigures | undefined;
  for (const kind of kinds) {
    const o = await openKind(kind);
    try {
      figures.push(await storeFigures(o, opts));
      // The big export goes to PostgreSQL when there is one: PGlite keeps the database in the importing process's
      // memory, so its RSS would measure the database, not the importer.
      if (kind === kinds[0] && opts.exportGiB > 0) exportResult = await exportFigures(kind === 'postgres' ? o : undefined, opts.exportGiB);
    } finally {
      await o.cleanup();
    }
  }
  const perS = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en-US');
  const lines = [
    '## Wearables',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machineDescription()} (shared with other work: figures are indicative). Command: \`npm run bench -- wearables\` (FLAURA_BENCH_WEARABLES_SAMPLES, FLAURA_BENCH_WEARABLES_GIB for quick runs).`,
    '',
    `### Ingest (${opts.samples.toLocaleString('en-US')} minute heart-rate samples) and the chart answer`,
    '',
    'Ingest = Flaura\'s import path (month partitions created on demand, dedup key, hourly + daily rollups with percentiles, one transaction). Raw COPY = the same rows, same batching, COPied into a bare table without keys in one transaction (mean of a run before and one after the ingest). Chart = `GET /wearables/chart` work for the whole year: rollups → LTTB to 500 points + the baseline band per day + alert markers.',
    '',
    '| database | raw COPY samples/s | **ingest samples/s** | **ingest / raw COPY** (goal ≥ 50 %) | chart p50 ms | **chart p95 ms** (goal ≤ 50) | chart answer |',
    '|---|---|---|---|---|---|---|',
    ...figures.map((f) => `| ${f.kind === 'postgres' ? 'PostgreSQL' : 'PGlite'} | ${perS(opts.samples, f.rawMs)} | **${perS(f.inserted, f.ingestMs)}** | **${Math.round((100 * f.rawMs) / f.ingestMs)} %** ${(f.rawMs / f.ingestMs) >= 0.5 ? '(met)' : '(NOT met)'} | ${fmt(f.chart.p50Ms)} | **${fmt(f.chart.p95Ms)}** ${f.chart.p95Ms <= 50 ? '(met)' : '(NOT met)'} | ${f.chartPoints} ${f.chartResolution} points, ${f.chartBand} band days |`),
  ];
  if (exportResult) {
    const e = exportResult;
    lines.push(
      '',
      `### Apple Health export.xml, ${(e.fileBytes / 1e9).toFixed(2)} GB (${e.days.toLocaleString('en-US')} days, minute heart rate) → ${e.db}`,
      '',
      'Generated into os.tmpdir() at bench time (never committed) and imported by `openImport` + `ingestImport` (SAX stream, 5,000-sample COPY batches, one transaction) in a child process; peak RSS is that process\'s.',
      '',
      '| records stored | rejected | seconds | MB/s | samples/s | **peak RSS MiB** (goal ≤ 300) |',
      '|---|---|---|---|---|---|',
      `| ${e.inserted.toLocaleString('en-US')} | ${e.rejected} | ${e.seconds.toFixed(1)} | ${(e.fileBytes / 1e6 / e.seconds).toFixed(1)} | ${perS(e.inserted, e.seconds * 1000)} | **${e.maxRssMiB.toFixed(0)}** ${e.maxRssMiB <= 300 ? '(met)' : '(NOT met)'} |`,
    );
  }
  return lines.join('\n');
}
