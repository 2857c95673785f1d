// The CYP2D6-from-VCF opt-in on the EMR's REST import (`?cyp2d6FromVcf=true`) and through `flaura import pgx --url`:
// the call is stored with its copy-number warning, bad values are refused, and an outside CYP2D6 call (which can carry
// copy number) is preferred over the VCF call whichever came first. PGlite by default, PostgreSQL with FLAURA_TEST_DB=postgres.
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, DiagnosticReport, Observation, OperationOutcome, Provenance } from '@medplum/fhirtypes';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../../test/test-server.ts';
import { runCli } from '../../../../test/run-cli.ts';
import type { ModuleContext } from '../../types.ts';
import { loadAlleleDefinitions } from '../matcher/definitions.ts';
import { pgxModule } from '../module.ts';
import { panelVcf } from '../synthetic/allele-vcf.ts';
import type { PgxImportOutcome } from './import-result.ts';
import type { PgxSummary } from './summary.ts';

const { genes, optIn } = loadAlleleDefinitions();
const cyp2d6 = optIn.find((d) => d.gene === 'CYP2D6')!;
/** An African-ancestry CYP2D6 diplotype (two decreased-function alleles, activity 0.5 each) in a full panel VCF. */
const star17star29 = panelVcf([...genes, cyp2d6], { CYP2D6: ['*17', '*29'], CYP2C19: ['*1', '*17'] }, { sample: 'HARARE-2D6' });
/** A laboratory's CYP2D6 call with a duplication (copy number the VCF cannot show): *1/*1x2, activity score 3.0. */
const labDuplication = 'gene\tdiplotype\nCYP2D6\t*1/*1x2\n';
const COPY_NUMBER = 'CYP2D6_COPY_NUMBER_NOT_ASSESSED';

let server: TestServer;
const dir = mkdtempSync(join(tmpdir(), 'flaura-pgx-cyp2d6-import-'));

async function post(patient: string, body: string, query = ''): Promise<{ status: number; json: PgxImportOutcome & OperationOutcome }> {
  const res = await server.request('POST', `/pgx/patients/${patient}/results${query}`, body, { 'content-type': 'application/octet-stream' });
  return { status: res.status, json: res.body as unknown as PgxImportOutcome & OperationOutcome };
}

async function summary(patient: string): Promise<PgxSummary> {
  const res = await server.request('GET', `/pgx/patients/${patient}/summary`);
  expect(res.status).toBe(200);
  return res.body as unknown as PgxSummary;
}

async function search<T>(query: string): Promise<T[]> {
  return (((await server.fhir('GET', query)).body as Bundle).entry ?? []).map((e) => e.resource as T);
}

/** The patient's CYP2D6 genotype Observations with the given status. */
async function cyp2d6Genotypes(patient: string, status: 'final' | 'amended'): Promise<Observation[]> {
  const all = await search<Observation>(`Observation?subject=Patient/${patient}&code=http://loinc.org|84413-4&status=${status}&_count=1000`);
  return all.filter((o) => o.valueCodeableConcept?.text?.startsWith('CYP2D6 '));
}

beforeAll(async () => {
  server = await startTestServer();
  for (const id of ['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8']) expect((await server.fhir('PUT', `Patient/${id}`, { resourceType: 'Patient', id, gender: 'female' })).status).toBeLessThan(300);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('POST /pgx/patients/{id}/results?cyp2d6FromVcf=true', () => {
  let stored: PgxImportOutcome;

  it('without the option the VCF gives no CYP2D6 call (outside calls stay the source)', async () => {
    const res = await post('d1', star17star29, '?filename=harare.vcf');
    expect(res.status).toBe(201);
    expect(res.json.genes.some((g) => g.gene === 'CYP2D6')).toBe(false);
    expect((await summary('d1')).genes.some((g) => g.gene === 'CYP2D6')).toBe(false);
  });

  it('with it, the same VCF is a new result (not "already stored"): CYP2D6 *17/*29 with the copy-number warning', async () => {
    const res = await post('d1', star17star29, '?filename=harare.vcf&cyp2d6FromVcf=true');
    expect(res.status).toBe(201);
    stored = res.json;
    expect(stored.status).toBe('created');
    expect(stored.genes.find((g) => g.gene === 'CYP2D6')).toMatchObject({ diplotypes: ['*17/*29'], phenotype: 'Intermediate Metabolizer', source: 'vcf', warnings: expect.arrayContaining([COPY_NUMBER]) });
    // Other genes carry no such warning.
    expect(stored.genes.find((g) => g.gene === 'CYP2C19')?.warnings).not.toContain(COPY_NUMBER);
    // The same upload again is idempotent.
    const again = await post('d1', star17star29, '?filename=harare.vcf&cyp2d6FromVcf=true');
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ status: 'unchanged', reportId: stored.reportId });
  });

  it('the stored genotype Observation says where CYP2D6 came from; the Provenance records the opt-in', async () => {
    const [genotype] = await cyp2d6Genotypes('d1', 'final');
    expect(genotype?.valueCodeableConcept?.text).toBe('CYP2D6 *17/*29');
    expect(genotype?.method?.coding?.[0]?.code).toBe('vcf');
    expect(genotype?.note?.map((n) => n.text).join('\n')).toMatch(new RegExp(`^${COPY_NUMBER}: CYP2D6 was called from SNVs and indels only`, 'm'));
    const report = (await server.fhir('GET', `DiagnosticReport/${stored.reportId}`)).body as DiagnosticReport;
    expect(report.result?.map((r) => r.reference)).toContain(`Observation/${genotype!.id}`);
    const provenance = await search<Provenance>(`Provenance?target=DiagnosticReport/${stored.reportId}`);
    expect(provenance).toHaveLength(1);
    expect(provenance[0]!.target.map((t) => t.reference)).toContain(`Observation/${genotype!.id}`);
    expect(provenance[0]!.activity?.text).toMatch(/CYP2D6 called from the VCF on request: SNVs\/indels only, copy number not assessed/);
    expect(provenance[0]!.entity?.[0]?.what.display).toMatch(/^VCF harare\.vcf/);
  });

  it('the summary shows the call with its warning, and codeine guidance looked up by its activity score', async () => {
    const s = await summary('d1');
    const gene = s.genes.find((g) => g.gene === 'CYP2D6');
    expect(gene).toMatchObject({ diplotypes: ['*17/*29'], phenotype: 'Intermediate Metabolizer', activityScore: '1.0', source: 'vcf', reportId: stored.reportId });
    expect(gene?.warnings.map((w) => w.code)).toContain(COPY_NUMBER);
    expect(gene?.warnings.find((w) => w.code === COPY_NUMBER)?.message).toMatch(/confirm with a copy-number test/);
    // The plain-language note the patient explanation gives, for the portal to show with the result.
    expect(gene?.warnings.find((w) => w.code === COPY_NUMBER)?.patientText).toMatch(/did not count how many copies of this gene you have/);
    expect(s.genes.find((g) => g.gene === 'CYP2C19')?.warnings.map((w) => w.code)).not.toContain(COPY_NUMBER);
    // PharmCAT's two CYP2D6 notes (research mode, gene note) share a code: both are kept.
    expect(gene?.warnings.filter((w) => w.code === 'MESSAGE_NOTE').length).toBeGreaterThanOrEqual(2);
    const codeine = s.drugs.find((d) => d.drug === 'codeine');
    expect(codeine?.guidance.find((g) => g.source === 'CPIC')?.lookupKey).toEqual({ CYP2D6: '1.0' });
  });

  it('refuses a value that is not true/false, a repeated value, and the option without a VCF: 400 OperationOutcome, nothing stored', async () => {
    const before = (await search<DiagnosticReport>('DiagnosticReport?subject=Patient/d2')).length;
    const cases: Array<[string, string, string]> = [
      [star17star29, '?cyp2d6FromVcf=yes', "cyp2d6FromVcf must be true or false (got 'yes')"],
      [star17star29, '?cyp2d6FromVcf=', "cyp2d6FromVcf must be true or false (got '')"],
      [star17star29, '?cyp2d6FromVcf=true&cyp2d6FromVcf=false', 'cyp2d6FromVcf must be true or false (got 2 values)'],
      [labDuplication, '?filename=lab.tsv&cyp2d6FromVcf=true', 'cyp2d6FromVcf calls CYP2D6 from a VCF, and this upload has no VCF'],
    ];
    for (const [body, query, message] of cases) {
      const res = await post('d2', body, query);
      expect(res.status, query).toBe(400);
      expect(res.json.resourceType).toBe('OperationOutcome');
      expect(res.json.issue?.[0]?.diagnostics, query).toContain(message);
    }
    expect(await search<DiagnosticReport>('DiagnosticReport?subject=Patient/d2')).toHaveLength(before);
    // `false` is the default, spelled out.
    const off = await post('d2', star17star29, '?cyp2d6FromVcf=false');
    expect(off.status).toBe(201);
    expect(off.json.genes.some((g) => g.gene === 'CYP2D6')).toBe(false);
  });
});

describe('an outside CYP2D6 call and a CYP2D6 call from the VCF', () => {
  it('VCF first, lab later: the lab call replaces the VCF call (amended), as for any newer result', async () => {
    const vcf = await post('d3', star17star29, '?cyp2d6FromVcf=true');
    expect(vcf.status).toBe(201);
    const lab = await post('d3', labDuplication, '?filename=lab.tsv');
    expect(lab.status).toBe(201);
    expect(lab.json.warnings).toEqual([]);
    const amended = await cyp2d6Genotypes('d3', 'amended');
    expect(amended.map((o) => o.valueCodeableConcept?.text)).toEqual(['CYP2D6 *17/*29']);
    expect(amended[0]!.extension?.[0]?.valueReference?.reference).toBe(`DiagnosticReport/${lab.json.reportId}`);
    const s = await summary('d3');
    expect(s.genes.find((g) => g.gene === 'CYP2D6')).toMatchObject({ diplotypes: ['*1/*1x2'], phenotype: 'Ultrarapid Metabolizer', source: 'outside-call', reportId: lab.json.reportId });
    expect(s.genes.find((g) => g.gene === 'CYP2D6')?.warnings.map((w) => w.code)).not.toContain(COPY_NUMBER);
    expect(s.drugs.find((d) => d.drug === 'codeine')?.guidance.every((g) => g.lookupKey.CYP2D6 === '3.0')).toBe(true);
    // The VCF's other genes stay current.
    expect(s.genes.find((g) => g.gene === 'CYP2C19')?.reportId).toBe(vcf.json.reportId);
  });

  it('lab first, VCF later: the lab call stays current (not amended), the VCF call is stored beside it, and the import says so', async () => {
    const lab = await post('d4', labDuplication, '?filename=lab.tsv');
    expect(lab.status).toBe(201);
    const vcf = await post('d4', star17star29, '?cyp2d6FromVcf=true');
    expect(vcf.status).toBe(201);
    // What it replaces is the lab report's "no result" guidance of genes the VCF now calls (CYP2C9 ...), never CYP2D6's.
    const replaced = await Promise.all(vcf.json.superseded.map(async (id) => (await server.fhir('GET', `Observation/${id}`)).body as Observation));
    expect(replaced.length).toBeGreaterThan(0);
    expect(replaced.flatMap((o) => o.component ?? []).some((c) => c.code.text === 'CYP2D6')).toBe(false);
    expect(vcf.json.warnings).toEqual([expect.objectContaining({ code: 'OUTSIDE_CALL_KEPT', message: expect.stringMatching(/^CYP2D6: the call from this VCF is stored, but the patient's stored outside call of CYP2D6/) })]);
    expect((await cyp2d6Genotypes('d4', 'final')).map((o) => o.valueCodeableConcept?.text).sort()).toEqual(['CYP2D6 *1/*1x2', 'CYP2D6 *17/*29']);
    expect(await cyp2d6Genotypes('d4', 'amended')).toEqual([]);

    const s = await summary('d4');
    expect(s.genes.find((g) => g.gene === 'CYP2D6')).toMatchObject({ diplotypes: ['*1/*1x2'], phenotype: 'Ultrarapid Metabolizer', activityScore: '3.0', source: 'outside-call', reportId: lab.json.reportId });
    expect(s.genes.find((g) => g.gene === 'CYP2D6')?.warnings.map((w) => w.code)).not.toContain(COPY_NUMBER);
    // Guidance for CYP2D6 drugs comes from the lab call only, none from the VCF's *17/*29.
    const codeine = s.drugs.find((d) => d.drug === 'codeine');
    expect(codeine?.guidance.length).toBeGreaterThan(0);
    expect(codeine?.guidance.every((g) => g.lookupKey.CYP2D6 === '3.0')).toBe(true);
    expect(s.drugs.flatMap((d) => d.guidance).filter((g) => 'CYP2D6' in g.lookupKey).every((g) => g.lookupKey.CYP2D6 === '3.0')).toBe(true);
    // The VCF's other genes are current, with their guidance.
    expect(s.genes.find((g) => g.gene === 'CYP2C19')).toMatchObject({ diplotypes: ['*1/*17'], reportId: vcf.json.reportId });
    expect(s.drugs.find((d) => d.drug === 'clopidogrel')?.reportId).toBe(vcf.json.reportId);
  });

  it('a lab result that leaves CYP2D6 Indeterminate does not hold back a usable VCF call', async () => {
    const lab = await post('d8', 'gene\tdiplotype\tphenotype\nCYP2D6\t\tIndeterminate\n', '?filename=lab.tsv');
    expect(lab.status, JSON.stringify(lab.json)).toBe(201);
    const vcf = await post('d8', star17star29, '?cyp2d6FromVcf=true');
    expect(vcf.json.warnings).toEqual([]);
    expect((await summary('d8')).genes.find((g) => g.gene === 'CYP2D6')).toMatchObject({ diplotypes: ['*17/*29'], source: 'vcf', reportId: vcf.json.reportId });
    expect((await summary('d8')).drugs.find((d) => d.drug === 'codeine')?.guidance.every((g) => g.lookupKey.CYP2D6 === '1.0')).toBe(true);
  });

  it('a later VCF opt-in call still replaces an earlier VCF opt-in call (same kind: newest wins)', async () => {
    await post('d5', star17star29, '?cyp2d6FromVcf=true');
    const poor = panelVcf([...genes, cyp2d6], { CYP2D6: ['*4', '*4'] }, { sample: 'POOR' });
    const second = await post('d5', poor, '?cyp2d6FromVcf=true');
    expect(second.json.warnings).toEqual([]);
    expect((await cyp2d6Genotypes('d5', 'final')).map((o) => o.valueCodeableConcept?.text)).toEqual(['CYP2D6 *4/*4']);
    expect((await summary('d5')).genes.find((g) => g.gene === 'CYP2D6')).toMatchObject({ diplotypes: ['*4/*4'], phenotype: 'Poor Metabolizer' });
  });
});

describe('the pgx.result importer', () => {
  it('takes cyp2d6FromVcf as an option (true or false), refusing other values', async () => {
    const importer = pgxModule.importers?.find((i) => i.id === 'pgx.result');
    const f = server.flaura;
    const ctx = { store: f.store, transaction: async (bundle: Bundle) => (await f.router.handle({ method: 'POST', path: '', query: [], headers: {}, body: bundle, contentType: 'application/fhir+json', baseUrl: f.store.baseUrl })).body as Bundle } as unknown as ModuleContext;
    const input = { fileName: 'harare.vcf', open: () => Readable.from([Buffer.from(star17star29)]) };
    await expect(importer!.run(ctx, input, { patient: 'd5', cyp2d6FromVcf: 'yes' })).rejects.toMatchObject({ status: 400, message: "cyp2d6FromVcf must be true or false (got 'yes')" });
    const done = await importer!.run(ctx, input, { patient: 'd7', cyp2d6FromVcf: true });
    expect(done.created).toBeGreaterThan(3);
    expect((await cyp2d6Genotypes('d7', 'final')).map((o) => o.valueCodeableConcept?.text)).toEqual(['CYP2D6 *17/*29']);
  });
});

describe('flaura import pgx --cyp2d6-from-vcf --url (through a running server)', () => {

  it('sends the option with the upload and prints the CYP2D6 call with its warning; refuses it without a VCF', async () => {
    await server.flaura.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(server.flaura.app.server.address() as AddressInfo).port}`;
    const token = await server.token({ role: 'admin' });
    const vcf = join(dir, 'harare.vcf');
    writeFileSync(vcf, star17star29);
    const lines = await runCli(['import', 'pgx', '--patient', 'd6', '--url', url, '--token', token, '--cyp2d6-from-vcf', vcf]);
    expect(lines[0]).toMatch(/^Stored PGx result DiagnosticReport\/\S+ for Patient\/d6/);
    expect(lines.find((l) => l.includes('CYP2D6'))).toMatch(/CYP2D6\s+\*17\/\*29\s+Intermediate Metabolizer \(vcf; CYP2D6_COPY_NUMBER_NOT_ASSESSED\)/);
    expect(lines.find((l) => l.includes('CYP2C19'))).toMatch(/\(vcf\)$/);
    expect((await summary('d6')).genes.find((g) => g.gene === 'CYP2D6')?.warnings.map((w) => w.code)).toContain(COPY_NUMBER);

    const lab = join(dir, 'lab.tsv');
    writeFileSync(lab, labDuplication);
    await expect(runCli(['import', 'pgx', '--patient', 'd6', '--url', url, '--token', token, '--cyp2d6-from-vcf', lab])).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/cyp2d6FromVcf calls CYP2D6 from a VCF, and this upload has no VCF/) });
  }, 60_000);
});
