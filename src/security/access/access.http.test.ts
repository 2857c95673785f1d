// The access policy through the HTTP API with real access tokens: compartment isolation on every read path,
// scope limits on writes, consent and break-the-glass, and the audit trail a patient can read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Observation, Resource } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../../../test/test-server.ts';
import { verifyChain } from '../audit/chain.ts';

let server: TestServer;
const ids: Record<string, string> = {};
const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const entryIds = (b: unknown) => ((b as Bundle).entry ?? []).filter((e) => e.resource).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);

async function create(resource: Resource): Promise<string> {
  const res = await server.fhir('POST', resource.resourceType, resource);
  expect(res.status, res.text).toBe(201);
  return res.body.id!;
}

const obs = (patient: string, code: { system: string; code: string }, extra: Partial<Observation> = {}): Observation => ({
  resourceType: 'Observation', status: 'final', code: { coding: [code] }, subject: { reference: `Patient/${patient}` }, ...extra,
});
const LOINC = 'http://loinc.org';
const LAB = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }];

beforeAll(async () => {
  server = await startTestServer();
  ids.p1 = await create({ resourceType: 'Patient', name: [{ family: 'One' }] });
  ids.p2 = await create({ resourceType: 'Patient', name: [{ family: 'Two' }] });
  ids.o1 = await create(obs(ids.p1, { system: LOINC, code: '2345-7' }, { category: LAB }));
  ids.o1b = await create(obs(ids.p1, { system: LOINC, code: '8867-4' }));
  ids.o2 = await create(obs(ids.p2, { system: LOINC, code: '2345-7' }, { category: LAB }));
  ids.pgx1 = await create(obs(ids.p1, { system: LOINC, code: '53040-2' }, { valueCodeableConcept: { text: 'CYP2C19 poor metabolizer' } }));
  ids.c2 = await create({ resourceType: 'Condition', subject: { reference: `Patient/${ids.p2}` }, code: { text: 'asthma' } } as Resource);
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('a patient token sees only its own compartment', () => {
  let p1: Record<string, string>;
  beforeAll(async () => {
    p1 = auth(await server.token({ role: 'patient', patientId: ids.p1!, fhirUser: `Patient/${ids.p1}` }));
  });

  it('reads its own data; another patient\'s answers 404 exactly like a missing resource', async () => {
    expect((await server.fhir('GET', `Observation/${ids.o1}`, undefined, p1)).status).toBe(200);
    expect((await server.fhir('GET', `Patient/${ids.p1}`, undefined, p1)).status).toBe(200);
    const hidden = await server.fhir('GET', `Observation/${ids.o2}`, undefined, p1);
    const missing = await server.fhir('GET', 'Observation/does-not-exist', undefined, p1);
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(hidden.text.replace(ids.o2!, 'X')).toBe(missing.text.replace('does-not-exist', 'X'));
    expect((await server.fhir('GET', `Patient/${ids.p2}`, undefined, p1)).status).toBe(404);
    expect((await server.fhir('GET', `Observation/${ids.o2}/_history/1`, undefined, p1)).status).toBe(404);
  });

  it('searches return only its own resources, with a total that counts only those', async () => {
    const res = await server.fhir('GET', 'Observation?_total=accurate', undefined, p1);
    expect(res.status).toBe(200);
    expect(entryIds(res.body).sort()).toEqual([`Observation/${ids.o1}`, `Observation/${ids.o1b}`, `Observation/${ids.pgx1}`].sort());
    expect((res.body as Bundle).total).toBe(3);
    const code = await server.fhir('GET', `Observation?code=${LOINC}|2345-7`, undefined, p1);
    expect(entryIds(code.body)).toEqual([`Observation/${ids.o1}`]);
    expect((code.body as Bundle).total).toBe(1);
    const count = await server.fhir('GET', 'Observation?_summary=count', undefined, p1);
    expect((count.body as Bundle).total).toBe(3);
    const all = await server.fhir('GET', '?_type=Observation,Condition', undefined, p1);
    if (all.status === 200) expect(entryIds(all.body).some((r) => r.includes(ids.o2!) || r.includes(ids.c2!))).toBe(false);
  });

  it('_include and _revinclude never bring in another patient', async () => {
    const inc = await server.fhir('GET', `Observation?subject=Patient/${ids.p2}&_include=Observation:subject`, undefined, p1);
    expect(inc.status).toBe(200);
    expect(entryIds(inc.body)).toEqual([]);
    const rev = await server.fhir('GET', `Patient?_id=${ids.p1},${ids.p2}&_revinclude=Observation:subject`, undefined, p1);
    expect(entryIds(rev.body).some((r) => r.endsWith(ids.p2!) || r.endsWith(ids.o2!))).toBe(false);
    expect(entryIds(rev.body)).toContain(`Patient/${ids.p1}`);
  });

  it('a compartment search of another patient is refused', async () => {
    const res = await server.fhir('GET', `Patient/${ids.p2}/Observation`, undefined, p1);
    expect(res.status).toBe(403);
    expect((await server.fhir('GET', `Patient/${ids.p1}/Observation`, undefined, p1)).status).toBe(200);
  });

  it('_history at every level hides another patient', async () => {
    expect((await server.fhir('GET', `Observation/${ids.o2}/_history`, undefined, p1)).status).toBe(404);
    expect((await server.fhir('GET', `Patient/${ids.p2}/_history`, undefined, p1)).status).toBe(404);
    const own = await server.fhir('GET', `Observation/${ids.o1}/_history`, undefined, p1);
    expect(entryIds(own.body)).toEqual([`Observation/${ids.o1}`]);
    const type = await server.fhir('GET', 'Observation/_history', undefined, p1);
    expect(type.status).toBe(200);
    expect(entryIds(type.body).some((r) => r.endsWith(ids.o2!))).toBe(false);
    expect(entryIds(type.body)).toContain(`Observation/${ids.o1}`);
    const system = await server.fhir('GET', '_history', undefined, p1);
    expect(system.status).toBe(200);
    expect(entryIds(system.body).some((r) => r.endsWith(ids.o2!) || r.endsWith(ids.p2!) || r.endsWith(ids.c2!))).toBe(false);
  });

  it('$everything of another patient is refused; its own holds only its compartment', async () => {
    const other = await server.fhir('GET', `Patient/${ids.p2}/$everything`, undefined, p1);
    expect([403, 404]).toContain(other.status);
    const own = await server.fhir('GET', `Patient/${ids.p1}/$everything`, undefined, p1);
    expect(own.status).toBe(200);
    // AuditEvents about the patient are in its compartment too; the clinical record is the rest.
    expect(entryIds(own.body).filter((r) => !r.startsWith('AuditEvent/')).sort()).toEqual([`Patient/${ids.p1}`, `Observation/${ids.o1}`, `Observation/${ids.o1b}`, `Observation/${ids.pgx1}`].sort());
  });

  it('batch entries are decided one by one; a transaction cannot write into another compartment', async () => {
    const batch = await server.fhir('POST', '', { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: `Observation/${ids.o2}` } }, { request: { method: 'GET', url: `Observation/${ids.o1}` } }] }, p1);
    expect(batch.status).toBe(200);
    expect((batch.body as Bundle).entry!.map((e) => e.response?.status)).toEqual(['404', '200']);
    const tx = await server.fhir('POST', '', { resourceType: 'Bundle', type: 'transaction', entry: [{ fullUrl: 'urn:uuid:1', resource: obs(ids.p2!, { system: LOINC, code: '8867-4' }), request: { method: 'POST', url: 'Observation' } }] }, p1);
    expect(tx.status).toBe(403);
  });

  it('writes into its own compartment are allowed by role, others are not', async () => {
    expect((await server.fhir('POST', 'Observation', obs(ids.p1!, { system: LOINC, code: '8867-4' }), p1)).status).toBe(201);
    expect((await server.fhir('POST', 'Observation', obs(ids.p2!, { system: LOINC, code: '8867-4' }), p1)).status).toBe(403);
    // Patients may not delete Observations at all: refused before any lookup, so the answer says nothing about existence.
    expect((await server.fhir('DELETE', `Observation/${ids.o2}`, undefined, p1)).status).toBe(403);
    expect((await server.fhir('DELETE', 'Observation/does-not-exist', undefined, p1)).status).toBe(403);
    expect((await server.fhir('PUT', `Observation/${ids.o2}`, { ...obs(ids.p1!, { system: LOINC, code: '1' }), id: ids.o2 }, p1)).status).toBe(404);
    expect((await server.fhir('POST', 'Condition', { resourceType: 'Condition', subject: { reference: `Patient/${ids.p1}` }, code: { text: 'x' } }, p1)).status).toBe(403);
  });
});

describe('scopes', () => {
  it('a patient/Observation.rs token reads but cannot write', async () => {
    const t = auth(await server.token({ role: 'patient', patientId: ids.p1!, scope: 'patient/Observation.rs' }));
    expect((await server.fhir('GET', `Observation/${ids.o1}`, undefined, t)).status).toBe(200);
    const post = await server.fhir('POST', 'Observation', obs(ids.p1!, { system: LOINC, code: '8867-4' }), t);
    expect(post.status).toBe(403);
    expect(post.body.resourceType).toBe('OperationOutcome');
    const put = await server.fhir('PUT', `Observation/${ids.o1}`, { ...obs(ids.p1!, { system: LOINC, code: '2345-7' }), id: ids.o1 }, t);
    expect(put.status).toBe(403);
    expect((await server.fhir('DELETE', `Observation/${ids.o1}`, undefined, t)).status).toBe(403);
    expect((await server.fhir('GET', `Patient/${ids.p1}`, undefined, t)).status).toBe(403);
  });

  it('a category restriction narrows searches and reads', async () => {
    const t = auth(await server.token({ role: 'patient', patientId: ids.p1!, scope: 'patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory' }));
    const res = await server.fhir('GET', 'Observation', undefined, t);
    expect(entryIds(res.body)).toEqual([`Observation/${ids.o1}`]);
    expect((await server.fhir('GET', `Observation/${ids.o1b}`, undefined, t)).status).toBe(404);
  });

  it('roles limit what staff may write: a lab user cannot dispense, a device cannot read', async () => {
    const lab = auth(await server.token({ role: 'lab' }));
    expect((await server.fhir('POST', 'Observation', obs(ids.p2!, { system: LOINC, code: '2345-7' }), lab)).status).toBe(201);
    expect((await server.fhir('POST', 'MedicationDispense', { resourceType: 'MedicationDispense', status: 'completed', medicationCodeableConcept: { text: 'x' }, subject: { reference: `Patient/${ids.p2}` } }, lab)).status).toBe(403);
    const device = auth(await server.token({ role: 'device' }));
    expect((await server.fhir('GET', `Observation?subject=Patient/${ids.p2}`, undefined, device)).status).toBe(403);
  });
});

describe('data-class labels, consent and break-the-glass', () => {
  it('a PGx Observation is stored with the genomic labels, encrypted at rest, and read back in the clear', async () => {
    const res = await server.fhir('GET', `Observation/${ids.pgx1}`);
    expect(res.body.meta?.security?.map((s) => s.code)).toEqual(['genomic', 'GDIS']);
    const raw = await server.flaura.db.query<{ content: unknown }>("SELECT content FROM fhir_resource WHERE resource_type = 'Observation' AND id = $1", [ids.pgx1]);
    expect(JSON.stringify(raw.rows[0]!.content)).not.toContain('valueCodeableConcept');
    expect(JSON.stringify(res.body)).toContain('valueCodeableConcept');
  });

  it('a consent denying genomic data to clinicians hides it; break-the-glass reveals it and the patient sees the audit', async () => {
    const patient = auth(await server.token({ role: 'patient', patientId: ids.p1!, fhirUser: `Patient/${ids.p1}` }));
    const consent = await server.fhir('POST', 'Consent', {
      resourceType: 'Consent',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: `Patient/${ids.p1}` },
      provision: { type: 'deny', actor: [{ role: { coding: [{ system: 'https://flaura.dev/fhir/CodeSystem/role', code: 'clinician' }] }, reference: { display: 'All clinicians' } }], securityLabel: [{ system: 'https://flaura.dev/fhir/CodeSystem/data-class', code: 'genomic' }] },
    }, patient);
    expect(consent.status, consent.text).toBe(201);

    const clinicianToken = await server.token({ role: 'clinician', fhirUser: 'Practitioner/dr1' });
    const clinician = auth(clinicianToken);
    const search = await server.fhir('GET', `Observation?subject=Patient/${ids.p1}`, undefined, clinician);
    expect(entryIds(search.body)).not.toContain(`Observation/${ids.pgx1}`);
    expect(entryIds(search.body)).toContain(`Observation/${ids.o1}`);
    expect((await server.fhir('GET', `Observation/${ids.pgx1}`, undefined, clinician)).status).toBe(404);
    const everything = await server.fhir('GET', `Patient/${ids.p1}/$everything`, undefined, clinician);
    expect(entryIds(everything.body)).not.toContain(`Observation/${ids.pgx1}`);
    // A nurse is not named by the consent.
    const nurse = auth(await server.token({ role: 'nurse' }));
    expect(entryIds((await server.fhir('GET', `Observation?subject=Patient/${ids.p1}`, undefined, nurse)).body)).toContain(`Observation/${ids.pgx1}`);

    // Break-the-glass: a pharmacist may not; a clinician states a reason.
    const pharmacist = auth(await server.token({ role: 'pharmacist' }));
    expect((await server.request('POST', '/security/break-glass', { patient: ids.p1, reason: 'unconscious in ED' }, pharmacist)).status).toBe(403);
    expect((await server.request('POST', '/security/break-glass', { patient: ids.p1 }, clinician)).status).toBe(400);
    const glass = await server.request('POST', '/security/break-glass', { patient: `Patient/${ids.p1}`, reason: 'unconscious in ED, needs clopidogrel decision' }, clinician);
    expect(glass.status, glass.text).toBe(201);
    expect(glass.body).toMatchObject({ patient: `Patient/${ids.p1}`, purposeOfUse: 'ETREAT' });
    const minutes = (Date.parse(String(glass.body.expiresAt)) - Date.parse(String(glass.body.createdAt))) / 60_000;
    expect(minutes).toBe(60);
    const after = await server.fhir('GET', `Observation?subject=Patient/${ids.p1}`, undefined, clinician);
    expect(entryIds(after.body)).toContain(`Observation/${ids.pgx1}`);
    expect((await server.fhir('GET', `Observation/${ids.pgx1}`, undefined, clinician)).status).toBe(200);

    // The patient reads who looked at their data, the break-the-glass included.
    await server.flaura.security.audit.flush();
    await server.flaura.events.waitForIdle(20_000);
    const log = await server.fhir('GET', `AuditEvent?patient=Patient/${ids.p1}&_count=500`, undefined, patient);
    expect(log.status, log.text).toBe(200);
    const events = ((log.body as Bundle).entry ?? []).map((e) => e.resource as unknown as { subtype: { code: string }[]; purposeOfEvent?: { coding: { code: string }[] }[]; agent: { who?: { reference?: string } }[]; entity?: { what?: { reference?: string }; description?: string }[] });
    const glassEvent = events.find((e) => e.subtype[0]!.code === 'break-the-glass');
    expect(glassEvent?.purposeOfEvent?.[0]?.coding[0]?.code).toBe('ETREAT');
    expect(glassEvent?.agent[0]?.who?.reference).toBe('Practitioner/dr1');
    expect(glassEvent?.entity?.[0]?.description).toContain('unconscious');
    expect(events.some((e) => e.subtype[0]!.code === 'read' && e.purposeOfEvent?.[0]?.coding[0]?.code === 'ETREAT')).toBe(true);
    // Every event the patient sees is about them; none are another patient's.
    for (const e of events) expect(e.entity?.some((x) => x.what?.reference === `Patient/${ids.p1}`)).toBe(true);
    // Staff other than admin cannot read the audit trail.
    expect((await server.fhir('GET', 'AuditEvent', undefined, clinician)).status).toBe(403);
  });
});

describe('consent managed by the patient', () => {
  it('a patient denies nurses, then withdraws the consent; it cannot write another patient\'s consent', async () => {
    const patient = auth(await server.token({ role: 'patient', patientId: ids.p1!, fhirUser: `Patient/${ids.p1}` }));
    const nurse = auth(await server.token({ role: 'nurse' }));
    const body = (who: string) => ({
      resourceType: 'Consent',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: `Patient/${who}` },
      provision: { type: 'deny', actor: [{ role: { coding: [{ system: 'https://flaura.dev/fhir/CodeSystem/role', code: 'nurse' }] }, reference: { display: 'All nurses' } }] },
    });
    expect((await server.fhir('POST', 'Consent', body(ids.p2!), patient)).status).toBe(403);
    const created = await server.fhir('POST', 'Consent', body(ids.p1!), patient);
    expect(created.status).toBe(201);
    expect((await server.fhir('GET', `Observation/${ids.o1}`, undefined, nurse)).status).toBe(404);
    expect((await server.fhir('GET', `Observation/${ids.o2}`, undefined, nurse)).status).toBe(200);
    const withdrawn = await server.fhir('PUT', `Consent/${created.body.id}`, { ...body(ids.p1!), id: created.body.id, status: 'inactive' }, patient);
    expect(withdrawn.status).toBe(200);
    expect((await server.fhir('GET', `Observation/${ids.o1}`, undefined, nurse)).status).toBe(200);
  });
});

describe('audit trail', () => {
  it('records refused tokens and sign-in attempts, with where they came from and never the token', async () => {
    const forged = `${(await server.token({ role: 'clinician' })).slice(0, -4)}AAAA`;
    expect((await server.fhir('GET', `Patient/${ids.p1}`, undefined, { authorization: '' })).status).toBe(401);
    expect((await server.fhir('GET', `Patient/${ids.p1}`, undefined, { authorization: `Bearer ${forged}` })).status).toBe(401);
    await server.flaura.security.audit.flush();
    await server.flaura.events.waitForIdle(20_000);
    const found = await server.fhir('GET', 'AuditEvent?subtype=authenticate&outcome=4&_count=50');
    expect(found.status).toBe(200);
    const events = ((found.body as Bundle).entry ?? []).map((e) => e.resource as unknown as { outcomeDesc: string; agent: { network?: { address: string } }[] });
    const descriptions = events.map((e) => e.outcomeDesc);
    expect(descriptions.some((d) => d.startsWith(`GET /fhir/Patient/${ids.p1}: UNAUTHORIZED`))).toBe(true);
    expect(descriptions.some((d) => /TOKEN_INVALID/.test(d))).toBe(true);
    expect(events.every((e) => e.agent[0]!.network?.address)).toBe(true);
    expect(JSON.stringify(found.body)).not.toContain(forged.slice(0, 40));
  });

  it('records denied reads and chains every record; tampering with a row breaks the chain there', async () => {
    const p1 = auth(await server.token({ role: 'patient', patientId: ids.p1! }));
    await server.fhir('GET', `Observation/${ids.o2}`, undefined, p1);
    // A module endpoint decides through ctx.access: refused for another patient, and audited.
    expect((await server.request('GET', `/pgx/patients/${ids.p2}/summary`, undefined, p1)).status).toBe(403);
    await server.flaura.security.audit.flush();
    await server.flaura.events.waitForIdle(20_000);
    const admin = await server.fhir('GET', `AuditEvent?patient=Patient/${ids.p2}&outcome=4&_count=200`);
    expect(admin.status).toBe(200);
    expect(((admin.body as Bundle).entry ?? []).length).toBeGreaterThan(0);
    const subtypes = ((admin.body as Bundle).entry ?? []).map((e) => (e.resource as unknown as { subtype: { code: string }[] }).subtype[0]!.code);
    expect(subtypes).toContain('read');
    expect(subtypes).toContain('module.read.Observation');

    const db = server.flaura.db;
    const ok = await verifyChain(db);
    expect(ok.ok).toBe(true);
    expect(ok.links).toBeGreaterThan(10);
    const { rows } = await db.query<{ audit_id: string; seq: string }>('SELECT audit_id, seq FROM security_audit_chain ORDER BY seq LIMIT 1 OFFSET 5');
    const target = rows[0]!;
    await db.query(`UPDATE fhir_resource SET content = jsonb_set(content, '{outcome}', '"0"'::jsonb) WHERE resource_type = 'AuditEvent' AND id = $1`, [target.audit_id]);
    await db.query(`UPDATE fhir_resource SET content = jsonb_set(content, '{recorded}', '"2000-01-01T00:00:00Z"'::jsonb) WHERE resource_type = 'AuditEvent' AND id = $1`, [target.audit_id]);
    const broken = await verifyChain(db);
    expect(broken).toMatchObject({ ok: false, seq: Number(target.seq), auditId: target.audit_id });
  });
});
