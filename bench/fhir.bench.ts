// FHIR core benchmark: 100k resources loaded through 100-entry transactions, then read/create/search latencies,
// on the embedded database and on PostgreSQL, each against a raw-SQL baseline measured in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, BundleEntry, Observation, Patient } from '@medplum/fhirtypes';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { openDb, type Db } from '../src/db/index.ts';
import { createFlaura, type Flaura } from '../src/server.ts';
import { prng } from '../src/demo/prng.ts';
import { fmt, machineDescription, summarize, timeIt, type Timing } from './lib.ts';

const LOINC = [
  ['8867-4', 'Heart rate', '/min', 50, 110],
  ['8480-6', 'Systolic blood pressure', 'mm[Hg]', 95, 170],
  ['8462-4', 'Diastolic blood pressure', 'mm[Hg]', 55, 105],
  ['29463-7', 'Body weight', 'kg', 45, 120],
  ['8310-5', 'Body temperature', 'Cel', 36, 39],
  ['2708-6', 'Oxygen saturation in Arterial blood', '%', 88, 100],
  ['9279-1', 'Respiratory rate', '/min', 10, 24],
  ['2339-0', 'Glucose [Mass/volume] in Blood', 'mg/dL', 70, 220],
  ['4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', '%', 4.5, 11],
  ['2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma', 'mg/dL', 120, 300],
] as const;

export function patientBundle(p: number, observations: number, random: () => number): Bundle {
  const patientUrl = `urn:uuid:00000000-0000-4000-8000-${String(p).padStart(12, '0')}`;
  const patient: Patient = {
    resourceType: 'Patient',
    identifier: [{ system: 'urn:flaura:bench', value: `P${String(p).padStart(6, '0')}` }],
    name: [{ family: `Family${p % 500}`, given: [`Given${p}`] }],
    gender: p % 2 ? 'female' : 'male',
    birthDate: `${1940 + (p % 60)}-0${1 + (p % 9)}-1${p % 9}`,
  };
  const entries: BundleEntry[] = [{ fullUrl: patientUrl, resource: patient, request: { method: 'POST', url: 'Patient' } }];
  for (let o = 0; o < observations; o++) {
    const [code, display, unit, lo, hi] = LOINC[Math.floor(random() * LOINC.length)]!;
    const day = Math.floor(random() * 5 * 365);
    const when = new Date(Date.UTC(2020, 0, 1) + day * 86_400_000 + Math.floor(random() * 86_400_000));
    const obs: Observation = {
      resourceType: 'Observation',
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: code.startsWith('2') || code === '4548-4' ? 'laboratory' : 'vital-signs' }] }],
      code: { coding: [{ system: 'http://loinc.org', code, display }], text: display },
      subject: { reference: patientUrl },
      effectiveDateTime: when.toISOString(),
      valueQuantity: { value: Math.round((lo + random() * (hi - lo)) * 10) / 10, unit, system: 'http://unitsofmeasure.org', code: unit },
    };
    entries.push({ resource: obs, request: { method: 'POST', url: 'Observation' } });
  }
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}

interface DbRun {
  label: string;
  ingestEntriesPerSec: number;
  /** This process's CPU time (user + system) per 100-entry transaction: what the load on a shared machine hides. */
  ingestCpuMsPerTransaction: number;
  loaded: number;
  timings: Timing[];
  baselines: Timing[];
}

/** Admin bearer token per Flaura instance: the API requires one, and verifying it is part of every request's cost. */
const tokens = new WeakMap<Flaura, string>();

async function inject(flaura: Flaura, method: 'GET' | 'POST', url: string, body?: unknown): Promise<Record<string, unknown>> {
  let token = tokens.get(flaura);
  if (!token) {
    token = (await flaura.auth.mint({ role: 'admin', clientId: 'bench', subject: 'bench:admin' })).accessToken;
    tokens.set(flaura, token);
  }
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/fhir+json' } : {}) };
  const res = await flaura.app.inject({ method, url, headers, ...(body ? { payload: JSON.stringify(body) } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} -> ${res.statusCode}: ${res.body.slice(0, 300)}`);
  return JSON.parse(res.body) as Record<string, unknown>;
}

/** Read, create and search latencies on a loaded database, with raw-SQL baselines measured in the same run. */
export async function queryPhase(flaura: Flaura, db: Db, patients: number): Promise<{ timings: Timing[]; baselines: Timing[] }> {
  const random = prng(7);
  const { rows } = await db.query<{ id: string }>("SELECT id FROM fhir_resource WHERE resource_type = 'Patient' ORDER BY rid LIMIT 500");
  const patientIds = rows.map((r) => r.id);
  const pick = (i: number) => patientIds[(i * 7919) % patientIds.length]!;
  const timings: Timing[] = [];
  timings.push(await timeIt('read Patient/{id}', 500, (i) => inject(flaura, 'GET', `/fhir/Patient/${pick(i)}`)));
  timings.push(await timeIt('create Observation', 300, () => inject(flaura, 'POST', '/fhir/Observation', patientBundle(0, 1, random).entry![1]!.resource)));
  timings.push(await timeIt('token search Observation?code=…&_count=20', 300, (i) => inject(flaura, 'GET', `/fhir/Observation?code=http://loinc.org|${LOINC[i % LOINC.length]![0]}&_count=20`)));
  timings.push(await timeIt('token search + subject (one patient)', 300, (i) => inject(flaura, 'GET', `/fhir/Observation?subject=Patient/${pick(i)}&code=http://loinc.org|8867-4`)));
  timings.push(await timeIt('date-range search (one month)', 300, (i) => inject(flaura, 'GET', `/fhir/Observation?date=ge202${i % 5}-03-01&date=lt202${i % 5}-04-01&_count=20`)));
  timings.push(await timeIt('chained search subject:Patient.identifier', 300, (i) => inject(flaura, 'GET', `/fhir/Observation?subject:Patient.identifier=urn:flaura:bench|P${String((i * 13) % patients).padStart(6, '0')}&_count=20`)));
  timings.push(await timeIt('_revinclude Observation:subject', 200, (i) => inject(flaura, 'GET', `/fhir/Patient?_id=${pick(i)}&_revinclude=Observation:subject&_count=200`)));

  // Baselines in the same run: the bare SQL each request wraps, without HTTP, validation or search planning.
  const baselines: Timing[] = [];
  baselines.push(await timeIt('raw SQL primary-key read', 500, (i) => db.query("SELECT content FROM fhir_resource WHERE resource_type = 'Patient' AND id = $1", [pick(i)])));
  baselines.push(await timeIt('raw SQL jsonb containment on code (no index)', 20, (i) => db.query(`SELECT content FROM fhir_resource WHERE resource_type = 'Observation' AND content @> $1::jsonb LIMIT 20`, [JSON.stringify({ code: { coding: [{ code: LOINC[i % LOINC.length]![0] }] } })]), 3));
  return { timings, baselines };
}

async function runOn(label: string, db: Db, patients: number, observationsPerPatient: number): Promise<DbRun> {
  const flaura = await createFlaura(loadConfig({ port: 0, logLevel: 'silent', publicUrl: 'http://bench', rateLimitPerMinute: 0 }), { db });
  try {
    const random = prng(42);
    let loaded = 0;
    const ingestStart = performance.now();
    const cpuStart = process.cpuUsage();
    const transactionTimes: number[] = [];
    for (let p = 0; p < patients; p++) {
      const bundle = patientBundle(p, observationsPerPatient, random);
      const start = performance.now();
      await inject(flaura, 'POST', '/fhir', bundle);
      transactionTimes.push(performance.now() - start);
      loaded += bundle.entry!.length;
      if (p % 100 === 0) process.stderr.write(`\r${label}: loaded ${loaded} resources`);
    }
    const cpu = process.cpuUsage(cpuStart);
    const ingestSeconds = (performance.now() - ingestStart) / 1000;
    process.stderr.write(`\r${label}: loaded ${loaded} resources in ${ingestSeconds.toFixed(1)} s\n`);

    const { timings, baselines } = await queryPhase(flaura, db, patients);
    timings.unshift(summarize('transaction of 100 entries', transactionTimes));
    const entries = transactionTimes.length * (observationsPerPatient + 1);
    const ingestCpuMsPerTransaction = (cpu.user + cpu.system) / 1000 / patients;
    return { label, loaded, ingestEntriesPerSec: entries / transactionTimes.reduce((a, b) => a + b / 1000, 0), ingestCpuMsPerTransaction, timings, baselines };
  } finally {
    await flaura.close();
  }
}

function table(run: DbRun): string {
  const cpu = run.ingestCpuMsPerTransaction;
  const lines = [`### ${run.label}`, '', `Loaded ${run.loaded.toLocaleString('en')} resources through 100-entry transactions: **${run.ingestEntriesPerSec.toFixed(0)} entries/s**.`,
    `Flaura's own CPU time (user + system${run.label.startsWith('PGlite') ? ', the embedded database included' : ', the database server not included'}): ${cpu.toFixed(0)} ms per transaction, i.e. ${((100 * 1000) / cpu).toFixed(0)} entries per CPU-second.`, '', '| operation | n | p50 ms | p95 ms | p99 ms |', '|---|---|---|---|---|'];
  for (const t of [...run.timings, ...run.baselines]) lines.push(`| ${t.name} | ${t.samples} | ${fmt(t.p50Ms)} | ${fmt(t.p95Ms)} | ${fmt(t.p99Ms)} |`);
  const read = run.timings.find((t) => t.name.startsWith('read'))!;
  const raw = run.baselines[0]!;
  lines.push('', `Read through the full HTTP stack vs the raw primary-key query: ${(read.p50Ms / raw.p50Ms).toFixed(1)}× at p50.`);
  return lines.join('\n');
}

/** Runs the FHIR benchmark on both databases and returns the BENCHMARKS.md section. */
export async function benchFhir(options: { patients?: number; observationsPerPatient?: number; databaseUrl?: string } = {}): Promise<string> {
  const patients = options.patients ?? 1000;
  const perPatient = options.observationsPerPatient ?? 99;
  const runs: DbRun[] = [];

  const dir = mkdtempSync(join(tmpdir(), 'flaura-bench-'));
  const embedded = await openDb({ dataDir: dir });
  try {
    runs.push(await runOn('PGlite (embedded, on disk)', embedded, patients, perPatient));
  } finally {
    await embedded.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const url = options.databaseUrl ?? process.env.FLAURA_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const server = await openDb({ databaseUrl: url, schema });
  try {
    runs.push(await runOn('PostgreSQL 15 (127.0.0.1)', server, patients, perPatient));
  } finally {
    await server.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }

  return [
    '## FHIR core',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machineDescription()} with \`npm run bench -- fhir\`; load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min) at the end.`,
    `Data: ${patients} patients × ${perPatient} Observations (10 LOINC codes over 5 years). Requests go through Fastify's \`inject()\` (full HTTP stack without a socket).`,
    'Targets (issue 2): read p50 ≤ 2 ms; token search over 100k Observations p95 ≤ 20 ms; transaction ingest ≥ 2,000 entries/s on PostgreSQL.',
    '',
    ...runs.map(table),
  ].join('\n');
}
