// The PGx summary honours the patient's consent like a FHIR read: withdrawn genomic sharing hides it from the
// clinician (403 with the reason), break-the-glass opens it again, and the patient always reads her own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../../../../test/test-server.ts';
import { loadAlleleDefinitions } from '../matcher/definitions.ts';
import { panelVcf } from '../synthetic/allele-vcf.ts';
import type { PgxSummary } from './summary.ts';
import { withdrawGenomicForTreatment } from '../../../../test/consents.ts';

let server: TestServer;
let clinician: Record<string, string>;
let patient: Record<string, string>;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

async function summary(headers: Record<string, string>): Promise<{ status: number; body: PgxSummary & { issue?: { diagnostics?: string }[] } }> {
  const res = await server.request('GET', '/pgx/patients/pa/summary', undefined, headers);
  return { status: res.status, body: res.body as unknown as PgxSummary & { issue?: { diagnostics?: string }[] } };
}
const cyp2c19 = (s: PgxSummary) => s.genes.find((g) => g.gene === 'CYP2C19');

beforeAll(async () => {
  server = await startTestServer();
  expect((await server.fhir('PUT', 'Patient/pa', { resourceType: 'Patient', id: 'pa', gender: 'female' })).status).toBeLessThan(300);
  const vcf = panelVcf(loadAlleleDefinitions().genes, { CYP2C19: ['*2', '*2'] }, { sample: 'PA' });
  const admin = auth(await server.token({ role: 'admin' }));
  const res = await server.flaura.app.inject({ method: 'POST', url: '/pgx/patients/pa/results', headers: { 'content-type': 'application/octet-stream', ...admin }, payload: vcf });
  expect(res.statusCode, res.body).toBe(201);
  clinician = auth(await server.token({ role: 'clinician', fhirUser: 'Practitioner/dr-a' }));
  patient = auth(await server.token({ role: 'patient', patientId: 'pa', fhirUser: 'Patient/pa' }));
}, 120_000);
afterAll(async () => server?.close());

describe('GET /pgx/patients/{id}/summary and consent', () => {
  it('the clinician reads it while genomic data is shared (the default)', async () => {
    const s = await summary(clinician);
    expect(s.status).toBe(200);
    expect(cyp2c19(s.body)).toMatchObject({ diplotypes: ['*2/*2'], phenotype: 'Poor Metabolizer' });
    expect(s.body.drugs.some((d) => d.drug === 'clopidogrel')).toBe(true);
  });

  it('after the patient withdraws genomic sharing for treatment: 403 for the clinician, her own still readable; break-the-glass opens it', async () => {
    // The Consent the web app's sharing screen writes: deny the genomic data class for the treatment purpose.
    const consent = await server.fhir('POST', 'Consent', withdrawGenomicForTreatment('pa'), patient);
    expect(consent.status, consent.text).toBe(201);

    const hidden = await summary(clinician);
    expect(hidden.status).toBe(403);
    expect(hidden.body.issue?.[0]?.diagnostics).toContain(`Consent/${consent.body.id}`);
    expect(JSON.stringify(hidden.body)).not.toContain('Poor Metabolizer');
    const own = await summary(patient);
    expect(own.status).toBe(200);
    expect(cyp2c19(own.body)?.phenotype).toBe('Poor Metabolizer');

    const glass = await server.request('POST', '/security/break-glass', { patient: 'pa', reason: 'acute coronary syndrome, antiplatelet choice' }, clinician);
    expect(glass.status, glass.text).toBe(201);
    const opened = await summary(clinician);
    expect(opened.status).toBe(200);
    expect(cyp2c19(opened.body)?.phenotype).toBe('Poor Metabolizer');

    // The patient sees the emergency read of her genetic report in her access log.
    await server.flaura.security.audit.flush();
    await server.flaura.events.waitForIdle(20_000);
    const log = await server.fhir('GET', 'AuditEvent?patient=Patient/pa&_count=500', undefined, patient);
    const events = ((log.body as Bundle).entry ?? []).map((e) => e.resource as unknown as { subtype: { code: string }[]; purposeOfEvent?: { coding: { code: string }[] }[]; outcome?: string });
    const reads = events.filter((e) => e.subtype[0]!.code === 'module.read.DiagnosticReport');
    expect(reads.some((e) => e.purposeOfEvent?.[0]?.coding[0]?.code === 'ETREAT' && e.outcome === '0')).toBe(true);
    expect(reads.some((e) => e.outcome !== '0')).toBe(true);
  });
});
