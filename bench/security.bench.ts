// The cost of the access policy and the audit trail on a FHIR read and search: the same requests through the same
// server with the policy and audit on (a clinician token, a patient with an active Consent) and off, interleaved in
// rounds so machine load hits both alike.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { openDb } from '../src/db/index.ts';
import { createFlaura } from '../src/server.ts';
import { fmt, machineDescription, summarize } from './lib.ts';

export async function benchSecurity(options: { iterations: number }): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flaura-bench-security-'));
  const db = await openDb({});
  const flaura = await createFlaura(loadConfig({ dataDir, port: 0, logLevel: 'silent', publicUrl: 'http://bench.test', rateLimitPerMinute: 0 }, {}), { db });
  try {
    const admin = (await flaura.auth.mint({ role: 'admin', subject: 'bench:admin', clientId: 'bench' })).accessToken;
    const clinician = (await flaura.auth.mint({ role: 'clinician', subject: 'bench:clinician', fhirUser: 'Practitioner/b1', clientId: 'bench' })).accessToken;
    const send = async (token: string, method: 'GET' | 'POST', url: string, body?: unknown) => {
      const res = await flaura.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/fhir+json' } : {}) }, ...(body ? { payload: JSON.stringify(body) } : {}) });
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
      return JSON.parse(res.body) as { id: string };
    };
    const patient = (await send(admin, 'POST', '/fhir/Patient', { resourceType: 'Patient', name: [{ family: 'Bench' }] })).id;
    let obsId = '';
    for (let i = 0; i < 20; i++) {
      obsId = (await send(admin, 'POST', '/fhir/Observation', { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, subject: { reference: `Patient/${patient}` }, valueQuantity: { value: 60 + i, unit: '/min' } })).id;
    }
    // A consent that the decision has to evaluate (it denies genomic data to research; these are not genomic).
    await send(admin, 'POST', '/fhir/Consent', {
      resourceType: 'Consent', status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: `Patient/${patient}` },
      provision: { type: 'deny', purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HRESCH' }], securityLabel: [{ system: 'https://flaura.dev/fhir/CodeSystem/data-class', code: 'genomic' }] },
    });
    const { access, audit } = flaura.security;
    const read = () => send(clinician, 'GET', `/fhir/Observation/${obsId}`);
    const search = () => send(clinician, 'GET', `/fhir/Observation?subject=Patient/${patient}&_count=20`);
    const setPolicy = (on: boolean) => {
      access.enabled = on;
      audit.enabled = on;
    };
    const rounds = 10;
    const per = Math.max(10, Math.floor(options.iterations / rounds));
    const samples = { readOn: [] as number[], readOff: [] as number[], searchOn: [] as number[], searchOff: [] as number[] };
    const time = async (fn: () => Promise<unknown>, into: number[], n: number) => {
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await fn();
        into.push(performance.now() - t);
      }
    };
    for (const on of [true, false]) {
      setPolicy(on);
      await time(read, [], 50);
      await time(search, [], 20);
    }
    for (let r = 0; r < rounds; r++) {
      for (const on of r % 2 === 0 ? [true, false] : [false, true]) {
        setPolicy(on);
        await time(read, on ? samples.readOn : samples.readOff, per);
        await time(search, on ? samples.searchOn : samples.searchOff, Math.max(5, per / 5));
      }
    }
    setPolicy(true);
    await audit.flush();
    await flaura.events.waitForIdle(60_000);
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM security_audit_chain');
    const readOn = summarize('read on', samples.readOn);
    const readOff = summarize('read off', samples.readOff);
    const searchOn = summarize('search on', samples.searchOn);
    const searchOff = summarize('search off', samples.searchOff);
    const pct = (a: number, b: number) => `${((a / b - 1) * 100).toFixed(1)} %`;
    return [
      '## Access policy and audit trail',
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} on ${machineDescription()} (load average ${loadavg()[0]!.toFixed(1)} at the start: the machine is shared) with \`FLAURA_BENCH_SECURITY_ITERATIONS=${options.iterations} npm run bench -- security\`.`,
      'The same clinician requests through the same server (Fastify inject, embedded PGlite), with the access decision (scopes ∩ role ∩ compartment ∩ consent, a patient with an active Consent) and the AuditEvent per request switched on and off, interleaved in rounds. Token verification is paid in both (see "Token verification"). Audit records are stored by the event-log consumer while the requests run, so their storage cost is part of the "on" figures.',
      '',
      '| request | policy + audit | n | p50 ms | p95 ms | mean ms |',
      '|---|---|---|---|---|---|',
      `| read \`Observation/{id}\` | on | ${readOn.samples} | ${fmt(readOn.p50Ms)} | ${fmt(readOn.p95Ms)} | ${fmt(readOn.meanMs)} |`,
      `| read \`Observation/{id}\` | off | ${readOff.samples} | ${fmt(readOff.p50Ms)} | ${fmt(readOff.p95Ms)} | ${fmt(readOff.meanMs)} |`,
      `| search 20 Observations | on | ${searchOn.samples} | ${fmt(searchOn.p50Ms)} | ${fmt(searchOn.p95Ms)} | ${fmt(searchOn.meanMs)} |`,
      `| search 20 Observations | off | ${searchOff.samples} | ${fmt(searchOff.p50Ms)} | ${fmt(searchOff.p95Ms)} | ${fmt(searchOff.meanMs)} |`,
      '',
      `Overhead at p50: read ${pct(readOn.p50Ms, readOff.p50Ms)}, search ${pct(searchOn.p50Ms, searchOff.p50Ms)} (goal: ≤ 15 %); mean: read ${pct(readOn.meanMs, readOff.meanMs)}, search ${pct(searchOn.meanMs, searchOff.meanMs)}. ${rows[0]?.n ?? 0} audit records stored and chained.`,
    ].join('\n');
  } finally {
    await flaura.close();
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
