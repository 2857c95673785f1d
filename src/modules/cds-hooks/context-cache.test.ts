// The patient-context cache against a real database: hits while nothing of the patient changed; dropped by changes
// committed through any writer (another cache instance stands for another Flaura process); a context loaded across
// a change is not kept; lookups that fail trust nothing. Two Flaura servers on one PostgreSQL database end to end.
import type { MedicationRequest } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../db/index.ts';
import { loadConfig } from '../../config.ts';
import { createFlaura, type Flaura } from '../../server.ts';
import { testDbKind } from '../../../test/test-db.ts';
import { startTestServer, type TestServer } from '../../../test/test-server.ts';
import type { HookCard } from './cards.ts';
import { PatientContextCache } from './context-cache.ts';
import { loadPatientData, ownersOf, storeFetcher, type PatientData } from './patient-data.ts';
import { parseHookRequest } from './request.ts';
import { activeMedication, createPatient, draftOrder, hookRequest, storeCalls } from './test-support.ts';

const CODEINE = ['993781', 'Acetaminophen 300 MG / Codeine Phosphate 30 MG Oral Tablet'] as const;

describe(`CDS patient-context cache on ${testDbKind}`, () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
    for (const id of ['cc-1', 'cc-2', 'cc-3']) await createPatient(s, id);
    await storeCalls(s, 'cc-1', { CYP2D6: '*1/*2' });
  }, 120_000);
  afterAll(async () => s.close());

  const cacheOf = () => new PatientContextCache(s.flaura.db, (changed) => ownersOf(storeFetcher(s.flaura.store), changed));
  /** What the order-sign route does: the cached context, or a load that is then offered to the cache. */
  const context = async (cache: PatientContextCache, patientId: string): Promise<{ data: PatientData; hit: boolean }> => {
    const start = await cache.start(patientId);
    if (start.cached) return { data: start.cached, hit: true };
    const data = await loadPatientData(parseHookRequest(hookRequest('order-sign', patientId, []), 'order-sign'), storeFetcher(s.flaura.store));
    cache.put(patientId, start.seq, data, data.resources);
    return { data, hit: false };
  };
  const drugs = (d: PatientData) => d.medications.flatMap((m) => m.ingredients).sort();

  it('serves the context until a change of that patient is committed, whoever writes it', async () => {
    const cache = cacheOf();
    expect((await context(cache, 'cc-1')).hit).toBe(false);
    const warm = await context(cache, 'cc-1');
    expect(warm.hit).toBe(true);
    expect(warm.data.phenotypes.get('CYP2D6')?.[0]?.phenotype).toBe('Normal Metabolizer');
    // Another patient's new medication and this patient's non-PGx Observation leave the context cached.
    await activeMedication(s, 'cc-2', '310385', 'fluoxetine 20 MG Oral Capsule');
    const heartRate = await s.fhir('POST', 'Observation', { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, subject: { reference: 'Patient/cc-1' }, effectiveDateTime: '2026-11-01T08:00:00Z', valueQuantity: { value: 61, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' } });
    expect(heartRate.status).toBe(201);
    expect((await context(cache, 'cc-1')).hit).toBe(true);
    // A new active medication of the patient: dropped and read again.
    const fluoxetine = await activeMedication(s, 'cc-1', '310385', 'fluoxetine 20 MG Oral Capsule');
    const afterCreate = await context(cache, 'cc-1');
    expect(afterCreate.hit).toBe(false);
    expect(drugs(afterCreate.data)).toEqual(['fluoxetine']);
    expect((await context(cache, 'cc-1')).hit).toBe(true);
    // Stopped: the medication leaves the context.
    expect((await s.fhir('PUT', `MedicationRequest/${fluoxetine.id}`, { ...fluoxetine, status: 'stopped' })).status).toBe(200);
    const afterStop = await context(cache, 'cc-1');
    expect(afterStop.hit).toBe(false);
    expect(drugs(afterStop.data)).toEqual([]);
    // A new PGx result supersedes the old one.
    await storeCalls(s, 'cc-1', { CYP2D6: '*4/*4' });
    const afterImport = await context(cache, 'cc-1');
    expect(afterImport.hit).toBe(false);
    expect(afterImport.data.phenotypes.get('CYP2D6')?.[0]?.phenotype).toBe('Poor Metabolizer');
    // Deleted: gone from the context.
    const paroxetine = await activeMedication(s, 'cc-1', '312938', 'paroxetine 20 MG Oral Tablet');
    expect(drugs((await context(cache, 'cc-1')).data)).toEqual(['paroxetine']);
    expect((await s.fhir('DELETE', `MedicationRequest/${paroxetine.id}`)).status).toBeLessThan(300);
    const afterDelete = await context(cache, 'cc-1');
    expect(afterDelete.hit).toBe(false);
    expect(drugs(afterDelete.data)).toEqual([]);
  });

  it('a context loaded while a change of the patient commits is not kept', async () => {
    const cache = cacheOf();
    await context(cache, 'cc-3');
    const start = await cache.start('cc-3');
    expect(start.cached).toBeDefined();
    // Load begins (stamp = start.seq), then a medication is committed before the load is offered to the cache,
    // and another call applies the event tail first.
    const stale = await loadPatientData(parseHookRequest(hookRequest('order-sign', 'cc-3', []), 'order-sign'), storeFetcher(s.flaura.store));
    await activeMedication(s, 'cc-3', '310385', 'fluoxetine 20 MG Oral Capsule');
    await cache.start('cc-2');
    cache.put('cc-3', start.seq, stale, stale.resources);
    const next = await context(cache, 'cc-3');
    expect(next.hit).toBe(false);
    expect(drugs(next.data)).toEqual(['fluoxetine']);
  });

  it('when whose a changed resource is cannot be looked up, nothing cached before it is trusted', async () => {
    let fail = false;
    const cache = new PatientContextCache(s.flaura.db, async (changed) => {
      if (fail) throw new Error('lookup failed');
      return ownersOf(storeFetcher(s.flaura.store), changed);
    });
    await context(cache, 'cc-1');
    expect((await context(cache, 'cc-1')).hit).toBe(true);
    fail = true;
    await activeMedication(s, 'cc-2', '312938', 'paroxetine 20 MG Oral Tablet');
    expect((await context(cache, 'cc-1')).hit).toBe(false);
  });
});

describe.skipIf(testDbKind !== 'postgres')('two Flaura servers on one PostgreSQL database (PGlite is single-process by design)', () => {
  let a: TestServer;
  let b: Flaura;
  let tokenB: string;
  beforeAll(async () => {
    a = await startTestServer({ rateLimitPerMinute: 0 });
    const db = await openDb({ databaseUrl: a.testDb.config.databaseUrl, schema: a.testDb.config.schema, maxConnections: 4 });
    b = await createFlaura(loadConfig({ port: 0, logLevel: 'silent', publicUrl: 'http://flaura-b.test', dataDir: a.flaura.config.dataDir, rateLimitPerMinute: 0 }), { db });
    tokenB = (await b.auth.mint({ role: 'admin', clientId: 'test-b', subject: 'test:admin-b' })).accessToken;
    await createPatient(a, 'two-1');
    await storeCalls(a, 'two-1', { CYP2D6: '*1/*2' });
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const onB = async (method: 'POST' | 'PUT', url: string, body: unknown) => {
    const res = await b.app.inject({ method, url, headers: { authorization: `Bearer ${tokenB}`, 'content-type': 'application/fhir+json' }, payload: JSON.stringify(body) });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return JSON.parse(res.body) as MedicationRequest;
  };
  const signOnA = async () => {
    const res = await a.request('POST', '/cds-services/flaura-pgx-order-sign', hookRequest('order-sign', 'two-1', [draftOrder('two-1', ...CODEINE)]));
    expect(res.status, res.text).toBe(200);
    return (res.body as unknown as { cards: HookCard[] }).cards.map((c) => c.summary);
  };

  it('a medication started or stopped through server B changes server A\'s very next card', async () => {
    expect(await signOnA()).toEqual([]);
    expect(await signOnA()).toEqual([]); // A's cache now holds the patient
    const fluoxetine = await onB('POST', '/fhir/MedicationRequest', { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/two-1' }, medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '310385', display: 'fluoxetine 20 MG Oral Capsule' }] } });
    expect(await signOnA()).toEqual(['Avoid codeine: CYP2D6 Poor Metabolizer (activity score 0.0) with fluoxetine']);
    await onB('PUT', `/fhir/MedicationRequest/${fluoxetine.id!}`, { ...fluoxetine, status: 'stopped' });
    expect(await signOnA()).toEqual([]);
  });
});
