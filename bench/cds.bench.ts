// CDS Hooks benchmark: order-sign under 200 concurrent requests on PostgreSQL, patients with PGx results stored by
// the real engine and active medications; baselines at the same concurrency in the same run (/healthz, FHIR read), and
// the same requests with the patient-context cache off.
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import type { MedicationRequest } from '@medplum/fhirtypes';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { openDb } from '../src/db/index.ts';
import { createFlaura, type Flaura } from '../src/server.ts';
import { fmt, machineDescription, summarize, type Timing } from './lib.ts';

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const GENOTYPES: Record<string, string>[] = [
  { CYP2C19: '*2/*2', CYP2D6: '*1/*2' },
  { CYP2C19: '*1/*17', CYP2D6: '*1/*2x3' },
  { CYP2C19: '*1/*1', CYP2D6: '*4/*4', CYP2B6: '*6/*6' },
  { CYP2C19: '*1/*2', SLCO1B1: '*5/*5', DPYD: 'c.1905+1G>A (*2A)/Reference' },
];
const ORDERS = [
  ['309362', 'clopidogrel 75 MG Oral Tablet'],
  ['993781', 'Acetaminophen 300 MG / Codeine Phosphate 30 MG Oral Tablet'],
  ['314231', 'simvastatin 40 MG Oral Tablet'],
  ['861007', 'metformin hydrochloride 500 MG Oral Tablet'],
] as const;

function draft(patient: string, i: number): MedicationRequest {
  const [code, display] = ORDERS[i % ORDERS.length]!;
  return { resourceType: 'MedicationRequest', id: randomUUID(), status: 'draft', intent: 'order', subject: { reference: `Patient/${patient}` }, medicationCodeableConcept: { coding: [{ system: RXNORM, code, display }], text: display } };
}

/** Runs `total` requests keeping `concurrency` in flight; each request's own latency (queueing inside the server included). */
async function concurrent(name: string, total: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<Timing & { perSecond: number }> {
  const durations: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        await fn(i);
        durations.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { ...summarize(name, durations), perSecond: total / seconds };
}

async function run(flaura: Flaura, startUncached: () => Promise<Flaura>, patients: number, total: number, concurrency: number): Promise<string> {
  const token = (await flaura.auth.mint({ role: 'admin', clientId: 'bench', subject: 'bench:admin' })).accessToken;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const inject = async (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, contentType = 'application/json', server = flaura) => {
    const res = await server.app.inject({ method, url, headers: { ...headers, 'content-type': contentType }, ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url} -> ${res.statusCode}: ${res.body.slice(0, 300)}`);
    return res;
  };
  for (let p = 0; p < patients; p++) {
    const id = `bench-${p}`;
    await inject('PUT', `/fhir/Patient/${id}`, { resourceType: 'Patient', id }, 'application/fhir+json');
    const calls = GENOTYPES[p % GENOTYPES.length]!;
    const tsv = ['gene\tdiplotype', ...Object.entries(calls).map(([g, d]) => `${g}\t${d}`)].join('\n') + '\n';
    await inject('POST', `/pgx/patients/${id}/results?filename=calls.tsv`, tsv, 'text/tab-separated-values');
    if (p % 3 === 0) await inject('POST', '/fhir/MedicationRequest', { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: { reference: `Patient/${id}` }, medicationCodeableConcept: { coding: [{ system: RXNORM, code: '310385', display: 'fluoxetine 20 MG Oral Capsule' }], text: 'fluoxetine 20 MG Oral Capsule' } }, 'application/fhir+json');
    process.stderr.write(`\rcds: ${p + 1}/${patients} patients stored`);
  }
  process.stderr.write('\n');
  const sign = (i: number) => {
    const patient = `bench-${(i * 7) % patients}`;
    return { hook: 'order-sign', hookInstance: randomUUID(), fhirServer: 'http://bench/fhir', context: { userId: 'Practitioner/bench', patientId: patient, draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: draft(patient, i) }] } } };
  };
  // warm-up (JIT, connection pool, knowledge caches)
  for (let i = 0; i < 200; i++) await inject('POST', '/cds-services/flaura-pgx-order-sign', sign(i));
  const sequential = await concurrent('order-sign, one at a time', 500, 1, async (i) => void (await inject('POST', '/cds-services/flaura-pgx-order-sign', sign(i))));
  const moderate = await concurrent('order-sign, 8 concurrent', Math.min(total, 2000), 8, async (i) => void (await inject('POST', '/cds-services/flaura-pgx-order-sign', sign(i))));
  const orderSign = await concurrent(`order-sign, ${concurrency} concurrent`, total, concurrency, async (i) => void (await inject('POST', '/cds-services/flaura-pgx-order-sign', sign(i))));
  // The same requests on a second server over the same database with the patient-context cache off (3 searches each),
  // started after the data is stored so its event consumers have nothing to replay.
  const uncached = await startUncached();
  for (let i = 0; i < 200; i++) await inject('POST', '/cds-services/flaura-pgx-order-sign', sign(i), 'application/json', uncached);
  const noCache = await concurrent(`order-sign, ${concurrency} concurrent, context cache off`, total, concurrency, async (i) => void (await inject('POST', '/cds-services/flaura-pgx-order-sign', sign(i), 'application/json', uncached)));
  const read = await concurrent(`FHIR read Patient/{id}, ${concurrency} concurrent`, total, concurrency, async (i) => void (await inject('GET', `/fhir/Patient/bench-${(i * 7) % patients}`)));
  const health = await concurrent(`GET /healthz, ${concurrency} concurrent`, total, concurrency, async () => void (await inject('GET', '/healthz')));
  const rows = [sequential, moderate, orderSign, noCache, read, health].map((t) => `| ${t.name} | ${t.samples} | ${fmt(t.p50Ms)} | ${fmt(t.p95Ms)} | ${fmt(t.p99Ms)} | ${t.perSecond.toFixed(0)} |`);
  return [
    '## CDS Hooks (order-sign)',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machineDescription()} with \`npm run bench -- cds\`, PostgreSQL 15 at 127.0.0.1.`,
    `Data: ${patients} patients with PGx results stored by the engine (outside-call files → pipeline → FHIR transaction), a third on fluoxetine. Each order-sign request carries one draft order (clopidogrel, codeine, simvastatin or metformin), no prefetch, with a Flaura access token (ES256 signature checked per request). On the cached path a request costs one SQL statement (event-log tail, head seq and the override/test memory) and the patient's context (phenotypes, active medications) comes from the per-process cache; with the cache off (a second server on the same database, \`cacheContexts: false\`) it also runs the 3 FHIR searches. Nothing is written during the run, so after the warm-up every cached request is a hit: the cache-off row is the cost of a patient whose data just changed. Requests go through Fastify's \`inject()\` (full HTTP stack without a socket).`,
    'Goal (issue 5): order-sign p99 ≤ 25 ms under 200 concurrent requests.',
    '',
    '| workload | requests | p50 ms | p95 ms | p99 ms | req/s |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `Ratios in this run, same concurrency: order-sign throughput ${(orderSign.perSecond / read.perSecond).toFixed(2)} × the FHIR read's and ${(orderSign.perSecond / health.perSecond).toFixed(2)} × /healthz's; p50 ${(orderSign.p50Ms / read.p50Ms).toFixed(2)} × FHIR read p50 and ${(orderSign.p50Ms / health.p50Ms).toFixed(2)} × /healthz p50. Cache off: ${(noCache.perSecond / orderSign.perSecond).toFixed(2)} × the cached throughput.`,
    `Load average at the end of the run: ${loadavg().map((x) => x.toFixed(1)).join(' / ')} (1/5/15 min; the machine's 2 cores are shared with other work and with PostgreSQL itself).`,
    `Little's law: with ${concurrency} requests always in flight, the mean latency is ${concurrency} / throughput (${((concurrency / orderSign.perSecond) * 1000).toFixed(0)} ms at ${orderSign.perSecond.toFixed(0)} req/s; measured p50 ${fmt(orderSign.p50Ms)} ms), and p99 cannot sit much below that mean. p99 ≤ 25 ms at ${concurrency} in flight needs ≥ ${(concurrency / 0.025).toFixed(0)} req/s, ${(concurrency / 0.025 / health.perSecond).toFixed(1)} × what /healthz (no work at all) reaches on this machine in this run${concurrency / 0.025 > health.perSecond ? ': the goal cannot be met here by any handler' : `, i.e. at most ${((1000 * 0.025) / concurrency).toFixed(3)} ms of the server's time per request; order-sign reaches ${(orderSign.perSecond / (concurrency / 0.025)).toFixed(2)} × that throughput`}; it is a statement about throughput, which the cost per request (one at a time: p50 ${fmt(sequential.p50Ms)} ms) decides. Goal p99 ≤ 25 ms at ${concurrency} in flight: ${orderSign.p99Ms <= 25 ? 'met' : 'not met'}; at 8 in flight p99 is ${fmt(moderate.p99Ms)} ms (${moderate.p99Ms <= 25 ? 'within' : 'above'} 25 ms).`,
  ].join('\n');
}

export async function benchCds(options: { patients?: number; requests?: number; concurrency?: number; databaseUrl?: string } = {}): Promise<string> {
  const url = options.databaseUrl ?? process.env.FLAURA_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_cds_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const db = await openDb({ databaseUrl: url, schema });
  const flaura = await createFlaura(loadConfig({ port: 0, logLevel: 'silent', publicUrl: 'http://bench', rateLimitPerMinute: 0 }), { db });
  let uncached: Flaura | undefined;
  // A second server on the same database, its context cache off (FLAURA_CDS_CONFIG is read when routes register).
  const startUncached = async () => {
    const previous = process.env.FLAURA_CDS_CONFIG;
    process.env.FLAURA_CDS_CONFIG = JSON.stringify({ cacheContexts: false });
    try {
      uncached = await createFlaura(loadConfig({ port: 0, logLevel: 'silent', publicUrl: 'http://bench', rateLimitPerMinute: 0, dataDir: flaura.config.dataDir }), { db: await openDb({ databaseUrl: url, schema }) });
      return uncached;
    } finally {
      if (previous === undefined) delete process.env.FLAURA_CDS_CONFIG;
      else process.env.FLAURA_CDS_CONFIG = previous;
    }
  };
  try {
    return await run(flaura, startUncached, options.patients ?? 40, options.requests ?? 4000, options.concurrency ?? 200);
  } finally {
    await uncached?.close();
    await flaura.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}
