// FHIR R4 RESTful interactions through the HTTP API (R4 http.html), on a fresh database per file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../../../test/test-server.ts';
import { testDbKind } from '../../../test/test-db.ts';

const patient = (family: string, extra: Partial<Patient> = {}): Patient => ({
  resourceType: 'Patient',
  identifier: [{ system: 'urn:oid:2.16.840.1.113883.4.1', value: `${family}-ssn` }],
  name: [{ use: 'official', family, given: ['Ada', 'M'] }],
  gender: 'female',
  birthDate: '1984-03-09',
  ...extra,
});

function outcomeText(body: unknown): string {
  const oo = body as OperationOutcome;
  expect(oo.resourceType).toBe('OperationOutcome');
  return (oo.issue ?? []).map((i) => `${i.code}: ${i.diagnostics}`).join('\n');
}

describe(`FHIR REST on ${testDbKind}`, () => {
  let s: TestServer;
  const adminAuth = async () => ({ authorization: `Bearer ${await s.token({ role: 'admin' })}` });
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  describe('create, read, vread', () => {
    it('creates with 201, Location, ETag, Last-Modified and server-assigned id and meta', async () => {
      const res = await s.fhir('POST', 'Patient', { ...patient('Lovelace'), id: 'client-chosen' });
      expect(res.status).toBe(201);
      const id = res.body.id as string;
      expect(id).not.toBe('client-chosen');
      expect(res.headers.location).toBe(`http://flaura.test/fhir/Patient/${id}/_history/1`);
      expect(res.headers.etag).toBe('W/"1"');
      expect(new Date(String(res.headers['last-modified'])).getTime()).toBeGreaterThan(0);
      expect(res.body.meta).toMatchObject({ versionId: '1' });
      expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);

      const read = await s.fhir('GET', `Patient/${id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(res.body);
      expect(read.headers.etag).toBe('W/"1"');
    });

    it('answers 304 to If-None-Match with the current version', async () => {
      const { body } = await s.fhir('POST', 'Patient', patient('Etag'));
      const res = await s.fhir('GET', `Patient/${body.id}`, undefined, { 'if-none-match': 'W/"1"' });
      expect(res.status).toBe(304);
    });

    it('rejects a body whose type differs from the URL (400) and an unknown type (404)', async () => {
      const mismatch = await s.fhir('POST', 'Observation', patient('Mismatch'));
      expect(mismatch.status).toBe(400);
      expect(outcomeText(mismatch.body)).toMatch(/Patient.*Observation/);
      const unknown = await s.fhir('POST', 'Spaceship', { resourceType: 'Spaceship' });
      expect(unknown.status).toBe(404);
      expect(outcomeText(unknown.body)).toMatch(/Spaceship/);
    });

    it('rejects an invalid resource with 400 naming the element (required binding)', async () => {
      const res = await s.fhir('POST', 'Patient', { ...patient('Bad'), gender: 'nope' });
      expect(res.status).toBe(400);
      const oo = res.body as unknown as OperationOutcome;
      expect(oo.issue?.some((i) => (i.expression ?? []).some((e) => e.startsWith('Patient.gender')))).toBe(true);
    });

    it('rejects malformed JSON (400), an unsupported media type (415) and an empty body (400)', async () => {
      const bad = await s.fhir('POST', 'Patient', '{"resourceType": "Patient",');
      expect(bad.status).toBe(400);
      expect(outcomeText(bad.body)).toMatch(/JSON/);
      const xml = await s.flaura.app.inject({ method: 'POST', url: '/fhir/Patient', headers: { ...(await adminAuth()), 'content-type': 'application/fhir+xml' }, payload: '<Patient/>' });
      expect(xml.statusCode).toBe(415);
      expect(JSON.parse(xml.body).resourceType).toBe('OperationOutcome');
      const empty = await s.flaura.app.inject({ method: 'POST', url: '/fhir/Patient', headers: { ...(await adminAuth()), 'content-type': 'application/fhir+json' }, payload: '' });
      expect(empty.statusCode).toBe(400);
    });

    it('returns 404 with an OperationOutcome for an unknown id and 406 for _format=xml', async () => {
      const res = await s.fhir('GET', 'Patient/does-not-exist');
      expect(res.status).toBe(404);
      outcomeText(res.body);
      const xml = await s.fhir('GET', 'Patient?_format=xml');
      expect(xml.status).toBe(406);
    });

    it('answers 405 for a method the path does not support', async () => {
      const res = await s.fhir('DELETE', 'metadata');
      expect(res.status).toBe(405);
      const noCriteria = await s.fhir('DELETE', 'Patient');
      expect(noCriteria.status).toBe(405);
    });

    it('echoes a request id, or makes one', async () => {
      const given = await s.flaura.app.inject({ method: 'GET', url: '/fhir/metadata', headers: { 'x-request-id': 'req-123' } });
      expect(given.headers['x-request-id']).toBe('req-123');
      const made = await s.flaura.app.inject({ method: 'GET', url: '/fhir/metadata' });
      expect(String(made.headers['x-request-id'])).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('update, delete, history', () => {
    it('updates with a new version, honours If-Match (412 on mismatch) and keeps every version', async () => {
      const created = await s.fhir('POST', 'Patient', patient('Versions'));
      const id = created.body.id as string;
      const v2 = await s.fhir('PUT', `Patient/${id}`, { ...patient('Versions'), id, gender: 'other' }, { 'if-match': 'W/"1"' });
      expect(v2.status).toBe(200);
      expect(v2.headers.etag).toBe('W/"2"');
      const stale = await s.fhir('PUT', `Patient/${id}`, { ...patient('Versions'), id }, { 'if-match': 'W/"1"' });
      expect(stale.status).toBe(412);
      const v1 = await s.fhir('GET', `Patient/${id}/_history/1`);
      expect(v1.status).toBe(200);
      expect(v1.body.gender).toBe('female');
      const missingVersion = await s.fhir('GET', `Patient/${id}/_history/9`);
      expect(missingVersion.status).toBe(404);
    });

    it('creates on update with a client id (update-as-create, 201)', async () => {
      const res = await s.fhir('PUT', 'Patient/chosen-id-1', { ...patient('Chosen'), id: 'chosen-id-1' });
      expect(res.status).toBe(201);
      expect(res.body.id).toBe('chosen-id-1');
    });

    it('rejects an update without id or with another id (400) and a malformed id (400)', async () => {
      expect((await s.fhir('PUT', 'Patient/abc', patient('NoId'))).status).toBe(400);
      expect((await s.fhir('PUT', 'Patient/abc', { ...patient('Other'), id: 'xyz' })).status).toBe(400);
      expect((await s.fhir('PUT', 'Patient/bad_id!', { ...patient('Bad'), id: 'bad_id!' })).status).toBe(400);
    });

    it('deletes with 204, then reads 410 Gone, keeps history and can be recreated by update', async () => {
      const { body } = await s.fhir('POST', 'Patient', patient('Deleted'));
      const id = body.id as string;
      expect((await s.fhir('DELETE', `Patient/${id}`)).status).toBe(204);
      expect((await s.fhir('GET', `Patient/${id}`)).status).toBe(410);
      expect((await s.fhir('DELETE', `Patient/${id}`)).status).toBe(204);
      const history = (await s.fhir('GET', `Patient/${id}/_history`)).body as unknown as Bundle;
      expect(history.type).toBe('history');
      expect(history.entry?.map((e) => e.request?.method)).toEqual(['DELETE', 'POST']);
      expect((await s.fhir('GET', `Patient/${id}/_history/2`)).status).toBe(410);
      const back = await s.fhir('PUT', `Patient/${id}`, { ...patient('Deleted'), id });
      expect(back.status).toBe(201);
      expect(back.body.meta).toMatchObject({ versionId: '3' });
    });

    it('returns 404 deleting an id that never existed', async () => {
      expect((await s.fhir('DELETE', 'Patient/never-was')).status).toBe(404);
    });

    it('pages instance history newest first with _count and next links, and filters by _since and _at', async () => {
      const { body } = await s.fhir('POST', 'Patient', patient('Paged'));
      const id = body.id as string;
      for (let i = 0; i < 4; i++) await s.fhir('PUT', `Patient/${id}`, { ...patient('Paged'), id, birthDate: `199${i}-01-01` });
      const first = (await s.fhir('GET', `Patient/${id}/_history?_count=2`)).body as unknown as Bundle;
      expect(first.entry?.map((e) => e.response?.etag)).toEqual(['W/"5"', 'W/"4"']);
      const next = first.link?.find((l) => l.relation === 'next')?.url;
      expect(next).toBeDefined();
      const second = (await s.fhir('GET', next!.replace('http://flaura.test/fhir/', ''))).body as unknown as Bundle;
      expect(second.entry?.map((e) => e.response?.etag)).toEqual(['W/"3"', 'W/"2"']);
      const v3 = (await s.fhir('GET', `Patient/${id}/_history/3`)).body;
      const since = (await s.fhir('GET', `Patient/${id}/_history?_since=${encodeURIComponent(String((v3.meta as { lastUpdated: string }).lastUpdated))}`)).body as unknown as Bundle;
      expect(since.entry?.map((e) => e.response?.etag)).toEqual(['W/"5"', 'W/"4"', 'W/"3"']);
      const at = (await s.fhir('GET', `Patient/${id}/_history?_at=${encodeURIComponent(String((v3.meta as { lastUpdated: string }).lastUpdated))}`)).body as unknown as Bundle;
      expect(at.entry?.map((e) => e.response?.etag)).toContain('W/"3"');
      expect(at.entry?.map((e) => e.response?.etag)).not.toContain('W/"1"');
      expect((await s.fhir('GET', `Patient/${id}/_history?_since=yesterday`)).status).toBe(400);
      expect((await s.fhir('GET', `Patient/${id}/_history?_cursor=garbage`)).status).toBe(400);
    });

    it('serves type- and system-level history', async () => {
      await s.fhir('POST', 'Organization', { resourceType: 'Organization', name: 'History Clinic' });
      const typeHistory = (await s.fhir('GET', 'Organization/_history')).body as unknown as Bundle;
      expect(typeHistory.entry?.every((e) => e.resource?.resourceType === 'Organization')).toBe(true);
      const system = (await s.fhir('GET', '_history?_count=3')).body as unknown as Bundle;
      expect(system.entry).toHaveLength(3);
    });
  });

  describe('Prefer', () => {
    it('return=minimal sends no body; return=OperationOutcome sends an outcome', async () => {
      const minimal = await s.fhir('POST', 'Patient', patient('Minimal'), { prefer: 'return=minimal' });
      expect(minimal.status).toBe(201);
      expect(minimal.text).toBe('');
      expect(minimal.headers.location).toBeDefined();
      const oo = await s.fhir('POST', 'Patient', patient('Outcome'), { prefer: 'return=OperationOutcome' });
      expect(oo.body.resourceType).toBe('OperationOutcome');
    });
  });

  describe('patch', () => {
    it('applies JSON Patch and FHIRPath Patch, and rejects failing or malformed patches', async () => {
      const { body } = await s.fhir('POST', 'Patient', patient('Patchy'));
      const id = body.id as string;
      const json = await s.flaura.app.inject({
        method: 'PATCH',
        url: `/fhir/Patient/${id}`,
        headers: { ...(await adminAuth()), 'content-type': 'application/json-patch+json' },
        payload: JSON.stringify([{ op: 'replace', path: '/gender', value: 'male' }, { op: 'add', path: '/active', value: true }]),
      });
      expect(json.statusCode).toBe(200);
      expect(JSON.parse(json.body)).toMatchObject({ gender: 'male', active: true, meta: { versionId: '2' } });

      const fhirpathPatch = {
        resourceType: 'Parameters',
        parameter: [
          { name: 'operation', part: [{ name: 'type', valueCode: 'replace' }, { name: 'path', valueString: 'Patient.birthDate' }, { name: 'value', valueDate: '1990-12-10' }] },
          { name: 'operation', part: [{ name: 'type', valueCode: 'delete' }, { name: 'path', valueString: 'Patient.active' }] },
          { name: 'operation', part: [{ name: 'type', valueCode: 'insert' }, { name: 'path', valueString: 'Patient.name[0].given' }, { name: 'index', valueInteger: 0 }, { name: 'value', valueString: 'Augusta' }] },
        ],
      };
      const fp = await s.fhir('PATCH', `Patient/${id}`, fhirpathPatch);
      expect(fp.status).toBe(200);
      expect(fp.body).toMatchObject({ birthDate: '1990-12-10', name: [{ given: ['Augusta', 'Ada', 'M'] }] });
      expect(fp.body.active).toBeUndefined();

      const failingTest = await s.flaura.app.inject({
        method: 'PATCH',
        url: `/fhir/Patient/${id}`,
        headers: { ...(await adminAuth()), 'content-type': 'application/json-patch+json' },
        payload: JSON.stringify([{ op: 'test', path: '/gender', value: 'female' }]),
      });
      expect(failingTest.statusCode).toBe(422);
      const invalidResult = await s.flaura.app.inject({
        method: 'PATCH',
        url: `/fhir/Patient/${id}`,
        headers: { ...(await adminAuth()), 'content-type': 'application/json-patch+json' },
        payload: JSON.stringify([{ op: 'replace', path: '/gender', value: 'nope' }]),
      });
      expect(invalidResult.statusCode).toBe(400);
      const stale = await s.flaura.app.inject({
        method: 'PATCH',
        url: `/fhir/Patient/${id}`,
        headers: { ...(await adminAuth()), 'content-type': 'application/json-patch+json', 'if-match': 'W/"1"' },
        payload: JSON.stringify([{ op: 'replace', path: '/gender', value: 'female' }]),
      });
      expect(stale.statusCode).toBe(412);
      expect((await s.fhir('GET', `Patient/${id}`)).body.meta).toMatchObject({ versionId: '3' });
    });
  });

  describe('conditional interactions', () => {
    it('If-None-Exist creates once, returns the match after, and 412s on several matches', async () => {
      const p = patient('Conditional', { identifier: [{ system: 'http://example.org/mrn', value: 'MRN-777' }] });
      const first = await s.fhir('POST', 'Patient', p, { 'if-none-exist': 'identifier=http://example.org/mrn|MRN-777' });
      expect(first.status).toBe(201);
      const second = await s.fhir('POST', 'Patient', p, { 'if-none-exist': 'identifier=http://example.org/mrn|MRN-777' });
      expect(second.status).toBe(200);
      expect(second.body.id).toBe(first.body.id);
      await s.fhir('POST', 'Patient', patient('Twin', { identifier: [{ system: 'http://example.org/twin', value: 'T' }] }));
      await s.fhir('POST', 'Patient', patient('Twin', { identifier: [{ system: 'http://example.org/twin', value: 'T' }] }));
      const ambiguous = await s.fhir('POST', 'Patient', patient('Twin'), { 'if-none-exist': 'identifier=http://example.org/twin|T' });
      expect(ambiguous.status).toBe(412);
    });

    it('conditional update creates, then updates the single match', async () => {
      const p = patient('CondUpdate', { identifier: [{ system: 'http://example.org/mrn', value: 'CU-1' }] });
      const created = await s.fhir('PUT', 'Patient?identifier=http://example.org/mrn|CU-1', p);
      expect(created.status).toBe(201);
      const updated = await s.fhir('PUT', 'Patient?identifier=http://example.org/mrn|CU-1', { ...p, gender: 'male' });
      expect(updated.status).toBe(200);
      expect(updated.body.id).toBe(created.body.id);
      expect(updated.body.meta).toMatchObject({ versionId: '2' });
    });

    it('conditional delete removes the single match', async () => {
      const p = patient('CondDelete', { identifier: [{ system: 'http://example.org/mrn', value: 'CD-1' }] });
      const created = await s.fhir('POST', 'Patient', p);
      expect((await s.fhir('DELETE', 'Patient?identifier=http://example.org/mrn|CD-1')).status).toBe(204);
      expect((await s.fhir('GET', `Patient/${created.body.id}`)).status).toBe(410);
    });
  });

  describe('batch and transaction', () => {
    it('resolves urn:uuid references and returns a transaction-response in entry order', async () => {
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0', resource: patient('InBundle'), request: { method: 'POST', url: 'Patient' } },
          {
            fullUrl: 'urn:uuid:9f2e8e37-5f5f-4a4e-8d1b-2b8f5b3f7f10',
            resource: {
              resourceType: 'Observation',
              status: 'final',
              code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
              subject: { reference: 'urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0' },
              effectiveDateTime: '2024-05-01T08:30:00Z',
              valueQuantity: { value: 72, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' },
            },
            request: { method: 'POST', url: 'Observation' },
          },
        ],
      };
      const res = await s.fhir('POST', '', bundle);
      expect(res.status).toBe(200);
      const out = res.body as unknown as Bundle;
      expect(out.type).toBe('transaction-response');
      expect(out.entry?.map((e) => e.response?.status)).toEqual(['201', '201']);
      const patientId = out.entry?.[0]?.resource?.id;
      const obs = out.entry?.[1]?.resource as { subject?: { reference?: string } };
      expect(obs.subject?.reference).toBe(`Patient/${patientId}`);
      expect(out.entry?.[0]?.response?.location).toMatch(new RegExp(`^Patient/${patientId}/_history/1$`));
    });

    it('is all or nothing: one invalid entry stores none, and the error names the entry', async () => {
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: patient('AllOrNothing', { identifier: [{ system: 'http://example.org/aon', value: '1' }] }), request: { method: 'POST', url: 'Patient' } },
          { resource: { ...patient('Broken'), gender: 'nope' } as unknown as Patient, request: { method: 'POST', url: 'Patient' } },
        ],
      };
      const res = await s.fhir('POST', '', bundle);
      expect(res.status).toBe(400);
      expect(outcomeText(res.body)).toMatch(/Bundle\.entry\[1\]/);
      const search = (await s.fhir('GET', 'Patient?identifier=http://example.org/aon|1')).body as unknown as Bundle;
      expect(search.entry ?? []).toHaveLength(0);
    });

    it('rejects duplicate fullUrls and entries without a request', async () => {
      const dup = await s.fhir('POST', '', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111', resource: patient('A'), request: { method: 'POST', url: 'Patient' } },
          { fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111', resource: patient('B'), request: { method: 'POST', url: 'Patient' } },
        ],
      });
      expect(dup.status).toBe(400);
      expect(outcomeText(dup.body)).toMatch(/fullUrl/);
      const noRequest = await s.fhir('POST', '', { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: patient('C') }] });
      expect(noRequest.status).toBe(400);
      const wrongType = await s.fhir('POST', '', { resourceType: 'Bundle', type: 'collection', entry: [] });
      expect(wrongType.status).toBe(400);
    });

    it('processes DELETE before POST before PUT before GET, and resolves conditional references', async () => {
      const org = await s.fhir('POST', 'Organization', { resourceType: 'Organization', identifier: [{ system: 'http://example.org/org', value: 'ORD-1' }], name: 'Order Clinic' });
      const doomed = await s.fhir('POST', 'Patient', patient('Doomed'));
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { request: { method: 'GET', url: `Patient/${doomed.body.id}` } },
          { resource: patient('Ordered', { managingOrganization: { reference: 'Organization?identifier=http://example.org/org|ORD-1' } }), request: { method: 'POST', url: 'Patient' } },
          { request: { method: 'DELETE', url: `Patient/${doomed.body.id}` } },
        ],
      };
      const res = await s.fhir('POST', '', bundle);
      // The GET runs last, after the DELETE: inside the transaction the patient is already gone, so it fails.
      expect(res.status).toBe(410);
      const bundleOk: Bundle = { ...bundle, entry: bundle.entry!.slice(1) };
      const ok = await s.fhir('POST', '', bundleOk);
      expect(ok.status).toBe(200);
      const created = (ok.body as unknown as Bundle).entry?.[0]?.resource as Patient;
      expect(created.managingOrganization?.reference).toBe(`Organization/${org.body.id}`);
    });

    it('runs batch entries independently, reporting each outcome', async () => {
      const res = await s.fhir('POST', '', {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { resource: patient('BatchOk'), request: { method: 'POST', url: 'Patient' } },
          { request: { method: 'GET', url: 'Patient/not-there' } },
          { resource: { ...patient('BatchBad'), gender: 'nope' }, request: { method: 'POST', url: 'Patient' } },
        ],
      });
      expect(res.status).toBe(200);
      const out = res.body as unknown as Bundle;
      expect(out.type).toBe('batch-response');
      expect(out.entry?.map((e) => e.response?.status)).toEqual(['201', '404', '400']);
      expect(out.entry?.[2]?.response?.outcome?.resourceType).toBe('OperationOutcome');
    });
  });

  describe('encryption at rest', () => {
    it('stores a genomic (GDIS-labelled) Observation encrypted, and reads and searches it decrypted', async () => {
      const obs = {
        resourceType: 'Observation',
        meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'GDIS' }] },
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '84413-4', display: 'Genotype display name' }] },
        valueCodeableConcept: { text: 'CYP2C19 *2/*2' },
      };
      const created = await s.fhir('POST', 'Observation', obs);
      expect(created.status).toBe(201);
      const raw = await s.flaura.db.query<{ content: unknown }>("SELECT content FROM fhir_resource WHERE resource_type = 'Observation' AND id = $1", [created.body.id]);
      expect(JSON.stringify(raw.rows[0]?.content)).not.toContain('CYP2C19');
      expect((await s.fhir('GET', `Observation/${created.body.id}`)).body.valueCodeableConcept).toEqual({ text: 'CYP2C19 *2/*2' });
      const found = (await s.fhir('GET', `Observation?_id=${created.body.id}`)).body as unknown as Bundle;
      expect((found.entry?.[0]?.resource as { valueCodeableConcept?: unknown }).valueCodeableConcept).toEqual({ text: 'CYP2C19 *2/*2' });
      // _elements subsets the resource, not its sealed form; modules searching the store directly get it opened too.
      const subset = (await s.fhir('GET', `Observation?_id=${created.body.id}&_elements=valueCodeableConcept`)).body as unknown as Bundle;
      expect((subset.entry?.[0]?.resource as { valueCodeableConcept?: unknown }).valueCodeableConcept).toEqual({ text: 'CYP2C19 *2/*2' });
      const direct = await s.flaura.store.search('Observation', `_id=${created.body.id}`);
      expect((direct.entry?.[0]?.resource as { valueCodeableConcept?: unknown }).valueCodeableConcept).toEqual({ text: 'CYP2C19 *2/*2' });
    });
  });

  describe('metadata and $validate', () => {
    it('publishes a CapabilityStatement with interactions and search parameters', async () => {
      const res = await s.fhir('GET', 'metadata');
      expect(res.status).toBe(200);
      const cs = res.body as unknown as { fhirVersion: string; rest: { resource: { type: string; interaction: { code: string }[]; searchParam?: { name: string }[] }[]; interaction: { code: string }[] }[] };
      expect(cs.fhirVersion).toBe('4.0.1');
      const obs = cs.rest[0]!.resource.find((r) => r.type === 'Observation');
      expect(obs?.interaction.map((i) => i.code)).toEqual(expect.arrayContaining(['read', 'vread', 'update', 'patch', 'delete', 'create', 'search-type', 'history-instance']));
      expect(obs?.searchParam?.map((p) => p.name)).toEqual(expect.arrayContaining(['code', 'subject', 'date', 'value-quantity', 'code-value-quantity']));
      expect(cs.rest[0]!.interaction.map((i) => i.code)).toEqual(expect.arrayContaining(['transaction', 'batch']));
    });

    it('$validate reports issues without storing anything', async () => {
      const ok = await s.fhir('POST', 'Patient/$validate', patient('Valid'));
      expect(ok.status).toBe(200);
      expect((ok.body as unknown as OperationOutcome).issue?.[0]?.severity).toBe('information');
      const bad = await s.fhir('POST', 'Patient/$validate', { ...patient('Invalid'), gender: 'nope' });
      expect((bad.body as unknown as OperationOutcome).issue?.some((i) => i.severity === 'error')).toBe(true);
    });
  });
});

describe(`request size limit on ${testDbKind}`, () => {
  it('rejects a body over the limit with 413 and an OperationOutcome', async () => {
    const small = await startTestServer({ bodyLimitBytes: 2048 });
    try {
      const res = await small.fhir('POST', 'Patient', { ...patient('Big'), text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${'x'.repeat(4000)}</div>` } });
      expect(res.status).toBe(413);
      expect(res.body.resourceType).toBe('OperationOutcome');
    } finally {
      await small.close();
    }
  });
});
