// Transaction writes are batched (new resources in one statement per table, index rows of new resources never
// deleted first): a transaction mixing every kind of write must still leave exact versions, history, search index
// rows and one event per change (R4 http.html#transaction).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, BundleEntry, Observation, Patient } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../../../test/test-server.ts';
import { testDbKind } from '../../../test/test-db.ts';

const patient = (family: string, identifier: string): Patient => ({
  resourceType: 'Patient',
  identifier: [{ system: 'urn:flaura:tx-test', value: identifier }],
  name: [{ family, given: ['Tess'] }],
  gender: 'female',
  birthDate: '1971-07-07',
});

const heartRate = (subject: string, value: number): Observation => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
  subject: { reference: subject },
  effectiveDateTime: '2024-02-02T10:00:00Z',
  valueQuantity: { value, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
});

const jsonPatch = (ops: unknown[]) => ({ resourceType: 'Binary', contentType: 'application/json-patch+json', data: Buffer.from(JSON.stringify(ops)).toString('base64') });

describe(`transaction writes on ${testDbKind}`, () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  const ids = async (query: string) => (((await s.fhir('GET', query)).body as unknown as Bundle).entry ?? []).map((e) => e.resource?.id).sort();

  it('mixes creates, an update-as-create patched in the same bundle, updates, deletes and conditional creates', async () => {
    const kept = (await s.fhir('POST', 'Patient', patient('Keeper', 'kept'))).body as Patient;
    const doomed = (await s.fhir('POST', 'Patient', patient('Doomed', 'doomed'))).body as Patient;
    const existing = (await s.fhir('POST', 'Patient', patient('Existing', 'existing'))).body as Patient;

    const entries: BundleEntry[] = [
      { fullUrl: 'urn:uuid:4a1c0a0e-0000-4000-8000-000000000001', resource: patient('Fresh', 'fresh'), request: { method: 'POST', url: 'Patient' } },
      { resource: heartRate('urn:uuid:4a1c0a0e-0000-4000-8000-000000000001', 71), request: { method: 'POST', url: 'Observation' } },
      { resource: heartRate('urn:uuid:4a1c0a0e-0000-4000-8000-000000000001', 99), request: { method: 'POST', url: 'Observation' } },
      // Created by the PUT (no such id yet), then patched by the PATCH after it: version 2 replaces the index rows
      // written a moment earlier in the same transaction.
      { resource: { ...patient('Chosen', 'chosen'), id: 'tx-chosen-id' }, request: { method: 'PUT', url: 'Patient/tx-chosen-id' } },
      { resource: jsonPatch([{ op: 'replace', path: '/name/0/family', value: 'Patched' }]) as never, request: { method: 'PATCH', url: 'Patient/tx-chosen-id' } },
      { resource: { ...patient('Renamed', 'kept'), id: kept.id }, request: { method: 'PUT', url: `Patient/${kept.id}` } },
      { request: { method: 'DELETE', url: `Patient/${doomed.id}` } },
      { resource: patient('Existing again', 'existing'), request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:flaura:tx-test|existing' } },
      { resource: patient('Conditional', 'conditional'), request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:flaura:tx-test|conditional' } },
    ];
    const res = await s.fhir('POST', '', { resourceType: 'Bundle', type: 'transaction', entry: entries });
    expect(res.status).toBe(200);
    const out = (res.body as unknown as Bundle).entry!;
    expect(out.map((e) => e.response?.status)).toEqual(['201', '201', '201', '201', '200', '200', '204', '200', '201']);
    const freshId = out[0]!.resource!.id!;
    const conditionalId = out[8]!.resource!.id!;
    expect(out[7]!.resource!.id).toBe(existing.id);

    // Versions and history.
    expect(out[4]!.response?.etag).toBe('W/"2"');
    const chosenHistory = ((await s.fhir('GET', 'Patient/tx-chosen-id/_history')).body as unknown as Bundle).entry!;
    expect(chosenHistory.map((e) => [e.response?.etag, e.request?.method, (e.resource as Patient).name?.[0]?.family])).toEqual([
      ['W/"2"', 'PUT', 'Patched'],
      ['W/"1"', 'PUT', 'Chosen'],
    ]);
    const keptHistory = ((await s.fhir('GET', `Patient/${kept.id}/_history`)).body as unknown as Bundle).entry!;
    expect(keptHistory.map((e) => (e.resource as Patient).name?.[0]?.family)).toEqual(['Renamed', 'Keeper']);
    const doomedHistory = ((await s.fhir('GET', `Patient/${doomed.id}/_history`)).body as unknown as Bundle).entry!;
    expect(doomedHistory.map((e) => e.request?.method)).toEqual(['DELETE', 'POST']);
    expect((await s.fhir('GET', `Patient/${doomed.id}`)).status).toBe(410);
    expect(((await s.fhir('GET', `Patient/${freshId}/_history`)).body as unknown as Bundle).entry).toHaveLength(1);

    // Search sees exactly the current versions.
    expect(await ids('Patient?family=Patched')).toEqual(['tx-chosen-id']);
    expect(await ids('Patient?family=Chosen')).toEqual([]);
    expect(await ids('Patient?family=Renamed')).toEqual([kept.id]);
    expect(await ids('Patient?family=Keeper')).toEqual([]);
    expect(await ids('Patient?identifier=urn:flaura:tx-test|doomed')).toEqual([]);
    expect(await ids('Patient?identifier=urn:flaura:tx-test|existing')).toEqual([existing.id]);
    expect(await ids('Patient?identifier=urn:flaura:tx-test|conditional')).toEqual([conditionalId]);
    expect(await ids(`Observation?subject=Patient/${freshId}&value-quantity=gt80`)).toEqual([out[2]!.resource!.id]);
    expect(await ids(`Observation?code-value-quantity=http://loinc.org|8867-4$lt80&subject=Patient/${freshId}`)).toEqual([out[1]!.resource!.id]);

    // One event per change, in the transaction (the matched conditional create changed nothing).
    const { rows } = await s.flaura.db.query<{ resource_id: string; action: string; version_id: string }>(
      "SELECT resource_id, action, version_id FROM flaura_event WHERE topic LIKE 'fhir.%' AND resource_id = ANY($1::text[]) ORDER BY seq",
      [[freshId, conditionalId, 'tx-chosen-id', kept.id, doomed.id, existing.id, out[1]!.resource!.id, out[2]!.resource!.id]],
    );
    const events = rows.map((r) => `${r.resource_id === 'tx-chosen-id' ? 'chosen' : r.resource_id === kept.id ? 'kept' : r.resource_id === doomed.id ? 'doomed' : r.resource_id === existing.id ? 'existing' : 'new'}:${r.action}:${r.version_id}`);
    expect(events.filter((e) => !e.startsWith('new')).sort()).toEqual(['chosen:create:1', 'chosen:update:2', 'doomed:create:1', 'doomed:delete:2', 'existing:create:1', 'kept:create:1', 'kept:update:2']);
    expect(events.filter((e) => e.startsWith('new'))).toEqual(['new:create:1', 'new:create:1', 'new:create:1', 'new:create:1']);
  });

  it('rolls every batched create back when a later entry of the same transaction fails', async () => {
    const target = (await s.fhir('POST', 'Patient', patient('Target', 'target'))).body as Patient;
    const eventsBefore = (await s.flaura.db.query<{ n: number }>("SELECT count(*)::int AS n FROM flaura_event WHERE topic LIKE 'fhir.Patient.%'")).rows[0]!.n;
    const entries: BundleEntry[] = [
      { resource: patient('Rollback', 'rollback-1'), request: { method: 'POST', url: 'Patient' } },
      { resource: patient('Rollback', 'rollback-2'), request: { method: 'POST', url: 'Patient' } },
      // PUTs run after POSTs: this one fails its If-Match once both creates were written.
      { resource: { ...patient('Never', 'target'), id: target.id }, request: { method: 'PUT', url: `Patient/${target.id}`, ifMatch: 'W/"9"' } },
    ];
    const res = await s.fhir('POST', '', { resourceType: 'Bundle', type: 'transaction', entry: entries });
    expect(res.status).toBe(412);
    expect(await ids('Patient?family=Rollback')).toEqual([]);
    expect(await ids('Patient?identifier=urn:flaura:tx-test|rollback-1,urn:flaura:tx-test|rollback-2')).toEqual([]);
    expect(await ids('Patient?family=Target')).toEqual([target.id]);
    const { rows } = await s.flaura.db.query<{ n: number }>("SELECT count(*)::int AS n FROM fhir_resource_history WHERE resource_type = 'Patient' AND content->'name'->0->>'family' = 'Rollback'");
    expect(rows[0]!.n).toBe(0);
    expect((await s.flaura.db.query<{ n: number }>("SELECT count(*)::int AS n FROM flaura_event WHERE topic LIKE 'fhir.Patient.%'")).rows[0]!.n).toBe(eventsBefore);
  });
});
