// `POST /fhir/Patient/{id}/$pgx-import` through the FHIR API: the same storage path as the module route, FHIR in and out.
import type { Bundle, CapabilityStatement, DiagnosticReport, OperationOutcome, Parameters, Provenance } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/test-server.ts';
import { loadAlleleDefinitions } from './matcher/definitions.ts';
import { panelVcf } from './synthetic/allele-vcf.ts';

let server: TestServer;
const defs = loadAlleleDefinitions().genes;
const tendaiVcf = panelVcf(defs, { CYP2B6: ['*6', '*6'] }, { sample: 'TENDAI' });

const attachment = (name: string, text: string, title?: string): NonNullable<Parameters['parameter']>[number] => ({
  name,
  valueAttachment: { contentType: 'text/plain', data: Buffer.from(text).toString('base64'), ...(title ? { title } : {}) },
});

async function reportCount(): Promise<number> {
  return ((await server.fhir('GET', 'DiagnosticReport?subject=Patient/op1')).body as Bundle).entry?.length ?? 0;
}

beforeAll(async () => {
  server = await startTestServer();
  expect((await server.fhir('PUT', 'Patient/op1', { resourceType: 'Patient', id: 'op1', gender: 'male' })).status).toBeLessThan(300);
});
afterAll(async () => server.close());

describe('Patient/{id}/$pgx-import', () => {
  it('stores a VCF given as a Parameters attachment and answers 201 with the DiagnosticReport and its Location', async () => {
    const res = await server.fhir('POST', 'Patient/op1/$pgx-import', { resourceType: 'Parameters', parameter: [attachment('vcf', tendaiVcf, 'tendai.vcf')] });
    expect(res.status).toBe(201);
    const report = res.body as DiagnosticReport;
    expect(report.resourceType).toBe('DiagnosticReport');
    expect(report.subject?.reference).toBe('Patient/op1');
    expect(String(res.headers.location)).toMatch(new RegExp(`/fhir/DiagnosticReport/${report.id}/_history/\\d+$`));

    const cyp2b6 = (await server.fhir('GET', `Observation?subject=Patient/op1&_count=200`)).body.entry as { resource: { valueCodeableConcept?: { text?: string }; component?: unknown[]; code?: { text?: string } } }[];
    expect(JSON.stringify(cyp2b6)).toContain('*6/*6');
    const provenance = (await server.fhir('GET', `Provenance?target=DiagnosticReport/${report.id}`)).body.entry as { resource: Provenance }[];
    expect(provenance).toHaveLength(1);
  });

  it('the same file again is 200 with the same report (idempotent)', async () => {
    const first = (await server.fhir('GET', 'DiagnosticReport?subject=Patient/op1')).body.entry as { resource: DiagnosticReport }[];
    const res = await server.fhir('POST', 'Patient/op1/$pgx-import', { resourceType: 'Parameters', parameter: [attachment('vcf', tendaiVcf)] });
    expect(res.status).toBe(200);
    expect((res.body as DiagnosticReport).id).toBe(first[0]!.resource.id);
    expect(await reportCount()).toBe(first.length);
  });

  it('refuses a body that is neither Parameters nor Binary, unknown parameters and attachments without data, with 400', async () => {
    const cases: [unknown, string][] = [
      [{ resourceType: 'Patient' }, 'takes a Parameters resource'],
      [{ resourceType: 'Parameters', parameter: [{ name: 'genome', valueString: 'x' }] }, "unknown parameter 'genome'"],
      [{ resourceType: 'Parameters', parameter: [{ name: 'vcf', valueAttachment: { url: 'http://example.org/x.vcf' } }] }, 'needs a valueAttachment with base64 data'],
      [{ resourceType: 'Parameters', parameter: [] }, 'no file given'],
    ];
    for (const [body, message] of cases) {
      const res = await server.fhir('POST', 'Patient/op1/$pgx-import', body);
      expect(res.status, message).toBe(400);
      expect((res.body as OperationOutcome).issue?.[0]?.diagnostics).toContain(message);
    }
  });

  it('a malformed VCF is a 400 naming the line, and nothing new is stored', async () => {
    const before = await reportCount();
    const broken = tendaiVcf.replace(/\n(chr\S+\t\d+)\t/, '\n$1\tnot-enough-columns\n');
    const res = await server.fhir('POST', 'Patient/op1/$pgx-import', { resourceType: 'Parameters', parameter: [attachment('vcf', broken)] });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/line \d+/);
    expect(await reportCount()).toBe(before);
  });

  it('an unknown patient is 404; a patient token may not import for another patient', async () => {
    expect((await server.fhir('POST', 'Patient/nobody/$pgx-import', { resourceType: 'Parameters', parameter: [attachment('vcf', tendaiVcf)] })).status).toBe(404);
    const token = await server.token({ role: 'patient', patientId: 'someone-else' });
    const res = await server.fhir('POST', 'Patient/op1/$pgx-import', { resourceType: 'Parameters', parameter: [attachment('vcf', tendaiVcf)] }, { authorization: `Bearer ${token}` });
    expect([403, 404]).toContain(res.status);
  });

  it('is listed in the CapabilityStatement', async () => {
    const cs = (await server.fhir('GET', 'metadata')).body as CapabilityStatement;
    const patient = cs.rest?.[0]?.resource?.find((r) => r.type === 'Patient');
    expect(patient?.operation?.map((o) => o.name)).toContain('pgx-import');
  });
});
