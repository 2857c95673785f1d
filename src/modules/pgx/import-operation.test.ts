// `POST /fhir/Patient/{id}/$pgx-import` through the FHIR API: the same storage path as the module route, FHIR in and out.
import type { Binary, Bundle, CapabilityStatement, DiagnosticReport, Observation, OperationOutcome, Parameters, Provenance } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/test-server.ts';
import { loadAlleleDefinitions } from './matcher/definitions.ts';
import { panelVcf } from './synthetic/allele-vcf.ts';

let server: TestServer;
const defs = loadAlleleDefinitions().genes;
const tendaiVcf = panelVcf(defs, { CYP2B6: ['*6', '*6'] }, { sample: 'TENDAI' });
const cyp2d6 = loadAlleleDefinitions().optIn.find((d) => d.gene === 'CYP2D6')!;
/** CYP2D6 *4/*17 (no function + decreased function) in a full panel VCF. */
const star4star17 = panelVcf([...defs, cyp2d6], { CYP2D6: ['*4', '*17'] }, { sample: 'KOFI' });

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
  for (const id of ['op2', 'op3', 'op4']) expect((await server.fhir('PUT', `Patient/${id}`, { resourceType: 'Patient', id, gender: 'male' })).status).toBeLessThan(300);
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

describe('Patient/{id}/$pgx-import with cyp2d6FromVcf', () => {
  /** The CYP2D6 genotype Observations stored for a patient. */
  async function cyp2d6Genotypes(patient: string): Promise<Observation[]> {
    const entries = ((await server.fhir('GET', `Observation?subject=Patient/${patient}&code=http://loinc.org|84413-4&_count=1000`)).body as Bundle).entry ?? [];
    return entries.map((e) => e.resource as Observation).filter((o) => o.valueCodeableConcept?.text?.startsWith('CYP2D6 '));
  }

  it('as a valueBoolean part of the Parameters: CYP2D6 is called from the VCF and stored with the copy-number note', async () => {
    const res = await server.fhir('POST', 'Patient/op2/$pgx-import', { resourceType: 'Parameters', parameter: [attachment('vcf', star4star17, 'kofi.vcf'), { name: 'cyp2d6FromVcf', valueBoolean: true }] });
    expect(res.status).toBe(201);
    const report = res.body as DiagnosticReport;
    const [genotype] = await cyp2d6Genotypes('op2');
    expect(genotype?.valueCodeableConcept?.text).toBe('CYP2D6 *4/*17');
    expect(report.result?.map((r) => r.reference)).toContain(`Observation/${genotype!.id}`);
    expect(genotype?.note?.some((n) => n.text?.startsWith('CYP2D6_COPY_NUMBER_NOT_ASSESSED: '))).toBe(true);
    const provenance = ((await server.fhir('GET', `Provenance?target=DiagnosticReport/${report.id}`)).body as Bundle).entry?.map((e) => e.resource as Provenance) ?? [];
    expect(provenance).toHaveLength(1);
    expect(provenance[0]!.activity?.text).toMatch(/CYP2D6 called from the VCF on request/);
    // valueBoolean false: the default, no CYP2D6.
    const off = await server.fhir('POST', 'Patient/op3/$pgx-import', { resourceType: 'Parameters', parameter: [attachment('vcf', star4star17), { name: 'cyp2d6FromVcf', valueBoolean: false }] });
    expect(off.status).toBe(201);
    expect(await cyp2d6Genotypes('op3')).toEqual([]);
  });

  it('on the URL with a Binary body (the only place a Binary call can carry it)', async () => {
    const binary: Binary = { resourceType: 'Binary', contentType: 'text/x-vcf', data: Buffer.from(star4star17).toString('base64') };
    const res = await server.fhir('POST', 'Patient/op4/$pgx-import?cyp2d6FromVcf=true', binary);
    expect(res.status).toBe(201);
    expect((await cyp2d6Genotypes('op4')).map((o) => o.valueCodeableConcept?.text)).toEqual(['CYP2D6 *4/*17']);
  });

  it('refuses a value of the wrong type, a repeated part, a bad URL value, a conflict, and the option without a VCF, with 400', async () => {
    const before = ((await server.fhir('GET', 'DiagnosticReport?subject=Patient/op3')).body as Bundle).entry?.length ?? 0;
    const vcf = attachment('vcf', star4star17);
    const cases: Array<[string, unknown, string]> = [
      ['', { resourceType: 'Parameters', parameter: [vcf, { name: 'cyp2d6FromVcf', valueString: 'true' }] }, "parameter 'cyp2d6FromVcf' needs a valueBoolean (true or false), not valueString"],
      ['', { resourceType: 'Parameters', parameter: [vcf, { name: 'cyp2d6FromVcf', valueBoolean: true }, { name: 'cyp2d6FromVcf', valueBoolean: true }] }, "parameter 'cyp2d6FromVcf' is given more than once"],
      ['?cyp2d6FromVcf=maybe', { resourceType: 'Parameters', parameter: [vcf] }, "cyp2d6FromVcf must be true or false (got 'maybe')"],
      ['?cyp2d6FromVcf=false', { resourceType: 'Parameters', parameter: [vcf, { name: 'cyp2d6FromVcf', valueBoolean: true }] }, 'cyp2d6FromVcf is true in the Parameters but false on the URL'],
      ['', { resourceType: 'Parameters', parameter: [attachment('outsideCalls', 'gene\tdiplotype\nCYP2D6\t*1/*2x2\n', 'lab.tsv'), { name: 'cyp2d6FromVcf', valueBoolean: true }] }, 'cyp2d6FromVcf calls CYP2D6 from a VCF, and this upload has no VCF'],
    ];
    for (const [query, body, message] of cases) {
      const res = await server.fhir('POST', `Patient/op3/$pgx-import${query}`, body);
      expect(res.status, message).toBe(400);
      const outcome = res.body as OperationOutcome;
      expect(outcome.resourceType).toBe('OperationOutcome');
      expect(outcome.issue?.[0]?.code).toBe('invalid');
      expect(outcome.issue?.[0]?.diagnostics).toContain(message);
    }
    expect(((await server.fhir('GET', 'DiagnosticReport?subject=Patient/op3')).body as Bundle).entry?.length ?? 0).toBe(before);
  });
});
