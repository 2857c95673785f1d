// Profiles transaction ingest on one database: per-statement timings (client side: round trip plus server work)
// of 100-entry transaction Bundles after a warm-up load. Not part of `npm run bench`; run it under
// `node --cpu-prof --import tsx bench/ingest-profile.ts` for a CPU profile of Flaura's side.
// FLAURA_PROFILE_DB=pglite|postgres (default postgres), FLAURA_PROFILE_WARMUP (patients, default 200),
// FLAURA_PROFILE_PATIENTS (profiled transactions, default 50).
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { openDb, type Db, type Queryable, type QueryResult } from '../src/db/index.ts';
import { createFlaura } from '../src/server.ts';
import { prng } from '../src/demo/prng.ts';
import { patientBundle } from './fhir.bench.ts';

interface StatementStat {
  count: number;
  totalMs: number;
  maxMs: number;
}

const stats = new Map<string, StatementStat>();
let recording = false;
/** While set, every statement of a transaction is first run under EXPLAIN ANALYZE in a savepoint that is rolled back. */
let explaining = false;
const plans: string[] = [];
/** PostgreSQL backends that served this process (their CPU time is the database's share of the work). */
const backends = new Set<number>();

/** User + system CPU milliseconds of a process, from /proc (Linux). */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

function note(sql: string, ms: number): void {
  if (!recording) return;
  const key = sql.replace(/\s+/g, ' ').trim().slice(0, 110);
  const s = stats.get(key) ?? { count: 0, totalMs: 0, maxMs: 0 };
  s.count++;
  s.totalMs += ms;
  s.maxMs = Math.max(s.maxMs, ms);
  stats.set(key, s);
}

function timed(q: Queryable, inTransaction = false): Queryable {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      if (explaining && inTransaction && /^\s*(WITH|INSERT|UPDATE|DELETE)/.test(sql)) {
        await q.query('SAVEPOINT explain');
        const { rows } = await q.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, WAL, COSTS OFF) ${sql}`, params);
        await q.query('ROLLBACK TO SAVEPOINT explain');
        plans.push(`${sql.replace(/\s+/g, ' ').slice(0, 100)}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}`);
      }
      const start = performance.now();
      try {
        return await q.query<R>(sql, params);
      } finally {
        note(sql, performance.now() - start);
      }
    },
    execScript: (sql) => q.execScript(sql),
  };
}

/** The same Db, with every statement inside a transaction timed (COPY and the transaction's own BEGIN/COMMIT too). */
function timedDb(db: Db): Db {
  return {
    kind: db.kind,
    query: (sql, params) => timed(db).query(sql, params),
    execScript: (sql) => db.execScript(sql),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const start = performance.now();
      let inner = 0;
      try {
        return await db.transaction(async (tx) => {
          if (kind === 'postgres' && backends.size < 20) backends.add((await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
          const out = await fn(timed(tx, true));
          inner = performance.now();
          return out;
        });
      } finally {
        if (inner) note('(COMMIT)', performance.now() - inner);
        note('(whole transaction)', performance.now() - start);
      }
    },
    copyRows: (table, columns, rows, tx) => db.copyRows(table, columns, rows, tx),
    close: () => db.close(),
  } as Db;
}

const kind = process.env.FLAURA_PROFILE_DB ?? 'postgres';
const warmup = Number(process.env.FLAURA_PROFILE_WARMUP ?? 200);
const profiled = Number(process.env.FLAURA_PROFILE_PATIENTS ?? 50);
const url = process.env.FLAURA_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `prof_${Date.now().toString(36)}`;
let raw: Db;
let admin: pg.Client | undefined;
if (kind === 'postgres') {
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  raw = await openDb({ databaseUrl: url, schema });
} else {
  raw = await openDb({});
}
const db = timedDb(raw);
/** Printed only after the schema is dropped: a reader that stops early (`| head`) must not leave it behind. */
const report: string[] = [];
const flaura = await createFlaura(loadConfig({ port: 0, logLevel: 'silent', publicUrl: 'http://bench', rateLimitPerMinute: 0 }), { db });
try {
  const token = (await flaura.auth.mint({ role: 'admin', clientId: 'bench', subject: 'bench:admin' })).accessToken;
  const random = prng(42);
  const post = async (p: number) => {
    const res = await flaura.app.inject({ method: 'POST', url: '/fhir', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, payload: JSON.stringify(patientBundle(p, 99, random)) });
    if (res.statusCode !== 200) throw new Error(`${res.statusCode}: ${res.body.slice(0, 300)}`);
  };
  for (let p = 0; p < warmup; p++) await post(p);
  recording = true;
  const backendCpu = () => [...backends].reduce((sum, pid) => sum + processCpuMs(pid), 0);
  const dbCpuStart = backendCpu();
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let p = warmup; p < warmup + profiled; p++) await post(p);
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  recording = false;
  const dbCpu = (backendCpu() - dbCpuStart) / profiled;
  const rows = [...stats].sort((a, b) => b[1].totalMs - a[1].totalMs);
  report.push(`${kind}: ${profiled} transactions after ${warmup}: ${((profiled * 100) / (ms / 1000)).toFixed(0)} entries/s, ${(ms / profiled).toFixed(1)} ms per transaction, CPU ${((used.user + used.system) / 1000 / profiled).toFixed(1)} ms per transaction (Flaura) + ${dbCpu.toFixed(1)} ms (${backends.size} PostgreSQL backends); load ${loadavg().map((l) => l.toFixed(1)).join(' / ')}`);
  report.push('ms/tx    calls/tx  max ms  statement');
  for (const [sql, s] of rows) report.push(`${(s.totalMs / profiled).toFixed(2).padStart(7)}  ${(s.count / profiled).toFixed(1).padStart(8)}  ${s.maxMs.toFixed(1).padStart(6)}  ${sql}`);
  if (process.env.FLAURA_PROFILE_EXPLAIN && kind === 'postgres') {
    explaining = true;
    await post(warmup + profiled);
    explaining = false;
    report.push(`\nEXPLAIN (ANALYZE, BUFFERS, WAL) of the writes of one more transaction (and of whatever ran beside it):\n\n${plans.join('\n\n')}`);
  }
} finally {
  await flaura.close();
  if (admin) {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}
console.log(report.join('\n'));
