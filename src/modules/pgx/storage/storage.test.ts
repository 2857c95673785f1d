// Storing PGx results in the EMR through the pgx module's routes (PGlite by default, PostgreSQL with FLAURA_TEST_DB=postgres).
import { gzipSync } from 'node:zlib';
import type { Binary, Bundle, DiagnosticReport, DocumentReference, Observation, Provenance } from '@medplum/fhirtypes';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModuleContext } from '../../types.ts';
import { pgxModule } from '../module.ts';
import { startTestServer, type TestServer } from '../../../../test/test-server.ts';
import { loadAlleleDefinitions } from '../matcher/definitions.ts';
import { panelVcf } from '../synthetic/allele-vcf.ts';
import type { PgxImportOutcome } from './import-result.ts';
import type { PgxSummary } from './summary.ts';

let server: TestServer;

/** An admin bearer token once the auth work gives the test server `token()`; none before (auth off). */
async function authHeaders(s: TestServer): Promise<Record<string, string>> {
  const t = (s as TestServer & { token?: (o: { role: 'admin' }) => Promise<string> }).token;
  return t ? { authorization: `Bearer ${await t({ role: 'admin' })}` } : {};
}
const defs = loadAlleleDefinitions().genes;
const poorCyp2c19 = panelVcf(defs, { CYP2C19: ['*2', '*2'] }, { sample: 'MARIA' });

async function post(patient: string, body: string | Buffer, headers: Record<string, string> = {}, query = ''): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await server.flaura.app.inject({ method: 'POST', url: `/pgx/patients/${patient}/results${query}`, headers: { 'content-type': 'application/octet-stream', ...(await authHeaders(server)), ...headers }, payload: body });
  return { status: res.statusCode, json: JSON.parse(res.body) as Record<string, unknown> };
}

async function summary(patient: string): Promise<PgxSummary> {
  const res = await server.flaura.app.inject({ method: 'GET', url: `/pgx/patients/${patient}/summary`, headers: await authHeaders(server) });
  expect(res.statusCode).toBe(200);
  return JSON.parse(res.body) as PgxSummary;
}

async function search<T>(query: string): Promise<T[]> {
  const res = await server.fhir('GET', query);
  return ((res.body as Bundle).entry ?? []).map((e) => e.resource as T);
}

async function createPatient(id: string, gender: 'male' | 'female' = 'female'): Promise<void> {
  const res = await server.fhir('PUT', `Patient/${id}`, { resourceType: 'Patient', id, gender });
  expect(res.status).toBeLessThan(300);
}

beforeAll(async () => {
  server = await startTestServer();
  await createPatient('p1');
  await createPatient('p2', 'male');
  await createPatient('p3');
  await createPatient('p4');
  await createPatient('p5');
  await createPatient('p6');
});
afterAll(async () => server.close());

describe('POST /pgx/patients/{id}/results', () => {
  let first: PgxImportOutcome;

  it('stores a VCF result as Binary, Genomics Reporting resources and Provenance in one transaction', async () => {
    const res = await post('p1', poorCyp2c19, {}, '?filename=maria.vcf');
    expect(res.status).toBe(201);
    first = res.json as unknown as PgxImportOutcome;
    expect(first.status).toBe('created');
    expect(first.genes.find((g) => g.gene === 'CYP2C19')).toMatchObject({ diplotypes: ['*2/*2'], phenotype: 'Poor Metabolizer', source: 'vcf' });

    const report = (await server.fhir('GET', `DiagnosticReport/${first.reportId}`)).body as DiagnosticReport;
    expect(report.identifier).toEqual([{ system: 'https://flaura.dev/fhir/sid/pgx-result-sha256', value: first.contentHash }]);
    expect(report.subject?.reference).toBe('Patient/p1');
    const observations = await search<Observation>('Observation?subject=Patient/p1&_count=1000');
    expect(observations.length).toBe(report.result?.length);
    for (const ref of report.result ?? []) expect(observations.map((o) => `Observation/${o.id}`)).toContain(ref.reference);

    const [doc] = await search<DocumentReference>('DocumentReference?subject=Patient/p1');
    const binaryRef = doc?.content[0]?.attachment.url;
    expect(binaryRef).toMatch(/^Binary\/pgx-[0-9a-f]{56}$/);
    const binary = (await server.fhir('GET', binaryRef!)).body as Binary;
    expect(Buffer.from(binary.data ?? '', 'base64').toString('utf8')).toBe(poorCyp2c19);
    // The store sealed it: the row holds an envelope, not the VCF.
    const row = await server.testDb.db.query<{ content: Record<string, unknown> }>("SELECT content FROM fhir_resource WHERE resource_type = 'Binary' AND id = $1", [binaryRef!.slice(7)]);
    expect(Object.keys(row.rows[0]!.content)).toContain('_sealed');
    expect(JSON.stringify(row.rows[0]!.content)).not.toContain(Buffer.from(poorCyp2c19).toString('base64').slice(0, 40));

    const [prov] = await search<Provenance>('Provenance?target=DiagnosticReport/' + first.reportId);
    expect(prov?.target.map((t) => t.reference)).toEqual(expect.arrayContaining([`DiagnosticReport/${first.reportId}`, binaryRef]));
    expect(prov?.entity?.[0]?.what.reference).toBe(binaryRef);
    expect(prov?.entity?.[0]?.what.display).toContain('maria.vcf');
    const engine = prov?.agent.find((a) => a.type?.coding?.[0]?.code === 'assembler');
    expect(engine?.who?.identifier?.value).toMatch(/^flaura-pgx\//);
    expect(engine?.who?.display).toMatch(/PharmCAT allele definitions .*CPIC 2024/);
  });

  it('emits events through the event log like any write', async () => {
    const rows = await server.testDb.db.query<{ topic: string; n: string }>("SELECT topic, count(*)::text AS n FROM flaura_event WHERE topic IN ('fhir.Binary.create', 'fhir.DiagnosticReport.create', 'fhir.Provenance.create') GROUP BY topic ORDER BY topic");
    expect(rows.rows.map((r) => [r.topic, r.n])).toEqual([['fhir.Binary.create', '1'], ['fhir.DiagnosticReport.create', '1'], ['fhir.Provenance.create', '1']]);
  });

  it('is idempotent: the same bytes again store nothing new', async () => {
    const before = (await search<Observation>('Observation?subject=Patient/p1&_count=1000')).length;
    const res = await post('p1', poorCyp2c19);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'unchanged', reportId: first.reportId, written: 0 });
    expect((await search<Observation>('Observation?subject=Patient/p1&_count=1000')).length).toBe(before);
    expect((await search<DiagnosticReport>('DiagnosticReport?subject=Patient/p1')).length).toBe(1);
  });

  it('another sample column of the same multi-sample VCF is another result, not "unchanged"', async () => {
    await createPatient('p7');
    // Two samples in one file: TARISAI *2/*2, RUDO *1/*1 (CYP2C19); the second column appended to the first's lines.
    const a = panelVcf(defs, { CYP2C19: ['*2', '*2'] }, { sample: 'TARISAI' }).trimEnd().split('\n');
    const b = panelVcf(defs, {}, { sample: 'RUDO' }).trimEnd().split('\n');
    const both = `${a.map((line, i) => (line.startsWith('##') ? line : `${line}\t${b[i]!.split('\t').pop()}`)).join('\n')}\n`;
    const wrong = await post('p7', both, {}, '?sample=TARISAI');
    expect(wrong.status).toBe(201);
    const right = await post('p7', both, {}, '?sample=RUDO');
    expect(right.status).toBe(201);
    expect((right.json as unknown as PgxImportOutcome).genes.find((g) => g.gene === 'CYP2C19')?.phenotype).toBe('Normal Metabolizer');
    expect((await post('p7', both, {}, '?sample=RUDO')).json).toMatchObject({ status: 'unchanged' });
  });

  it("the phenotyper's warnings are stored with the phenotype and shown by the summary (a lab phenotype without score)", async () => {
    await createPatient('p8');
    const res = await post('p8', 'gene\tdiplotype\tphenotype\nCYP2D6\t\tIntermediate Metabolizer\n', { 'content-type': 'text/tab-separated-values' }, '?filename=lab.tsv');
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    const cyp2d6 = (await summary('p8')).genes.find((g) => g.gene === 'CYP2D6');
    expect(cyp2d6?.lookupKeys).toEqual(['0.25', '0.5', '0.75', '1.0']);
    expect(cyp2d6?.warnings.find((w) => w.code === 'PHENOTYPE_SEVERAL_SCORES')?.message).toMatch(/covers scores 0.25, 0.5, 0.75, 1.0/);
    expect(cyp2d6?.warnings.map((w) => w.code)).toContain('MESSAGE_NOTE');
  });

  it('summarises the stored result per gene and per drug, read back from FHIR', async () => {
    const s = await summary('p1');
    const cyp = s.genes.find((g) => g.gene === 'CYP2C19');
    expect(cyp).toMatchObject({ diplotypes: ['*2/*2'], phenotype: 'Poor Metabolizer', source: 'vcf', reportId: first.reportId, activityScore: null });
    expect(cyp?.dataVersion.cpicRecommendations).toMatch(/^2024-/);
    expect(cyp?.dataVersion.alleleDefinitions).toMatch(/PharmCAT/);
    expect(s.genes.find((g) => g.gene === 'CYP2C9')).toMatchObject({ diplotypes: ['*1/*1'], phenotype: 'Normal Metabolizer', activityScore: '2.0' });
    const clopidogrel = s.drugs.find((d) => d.drug === 'clopidogrel');
    expect(clopidogrel?.genes).toEqual(['CYP2C19']);
    const cpic = clopidogrel?.guidance.find((g) => g.source === 'CPIC');
    expect(cpic?.lookupKey).toEqual({ CYP2C19: 'Poor Metabolizer' });
    expect(cpic?.text).toMatch(/^Avoid clopidogrel if possible/);
    expect(cpic?.classification).toBe('Strong');
    expect(s.reports).toEqual([expect.objectContaining({ id: first.reportId, status: 'final', contentHash: first.contentHash })]);
  });

  it('lets a newer result supersede the older one per gene (older Observations amended)', async () => {
    const lab = 'gene\tdiplotype\nCYP2C19\t*1/*1\n';
    const res = await post('p1', lab, { 'content-type': 'text/tab-separated-values' }, '?filename=lab.tsv');
    expect(res.status).toBe(201);
    const outcome = res.json as unknown as PgxImportOutcome;
    expect(outcome.superseded.length).toBeGreaterThan(0);
    const old = (await server.fhir('GET', `Observation/${outcome.superseded[0]}`)).body as Observation;
    expect(old.status).toBe('amended');
    expect(old.extension?.[0]).toEqual({ url: 'https://flaura.dev/fhir/StructureDefinition/pgx-superseded-by', valueReference: { reference: `DiagnosticReport/${outcome.reportId}` } });
    const s = await summary('p1');
    expect(s.genes.find((g) => g.gene === 'CYP2C19')).toMatchObject({ diplotypes: ['*1/*1'], phenotype: 'Normal Metabolizer', source: 'outside-call', reportId: outcome.reportId });
    // Genes the lab did not report keep the VCF call.
    expect(s.genes.find((g) => g.gene === 'CYP2C9')?.reportId).toBe(first.reportId);
    const clopidogrel = s.drugs.find((d) => d.drug === 'clopidogrel');
    expect(clopidogrel?.guidance.every((g) => g.lookupKey.CYP2C19 === 'Normal Metabolizer')).toBe(true);
  });

  it('takes a multipart upload of a bgzipped VCF with an outside-call file (CYP2D6 from the lab)', async () => {
    const boundary = 'flaura-test-boundary';
    const gz = gzipSync(panelVcf(defs, { CYP2B6: ['*6', '*6'] }, { sample: 'TENDAI' }));
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="tendai.vcf.gz"\r\nContent-Type: application/gzip\r\n\r\n`),
      gz,
      Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="outsideCalls"; filename="cyp2d6.tsv"\r\n\r\ngene\tdiplotype\nCYP2D6\t*1/*17\n\r\n--${boundary}--\r\n`),
    ]);
    const res = await post('p2', body, { 'content-type': `multipart/form-data; boundary=${boundary}` });
    expect(res.status).toBe(201);
    const s = await summary('p2');
    expect(s.genes.find((g) => g.gene === 'CYP2B6')).toMatchObject({ diplotypes: ['*6/*6'], phenotype: 'Poor Metabolizer', source: 'vcf' });
    expect(s.genes.find((g) => g.gene === 'CYP2D6')).toMatchObject({ diplotypes: ['*1/*17'], phenotype: 'Normal Metabolizer', activityScore: '1.5', source: 'outside-call' });
    expect(s.drugs.find((d) => d.drug === 'efavirenz')?.guidance[0]?.lookupKey).toEqual({ CYP2B6: 'Poor Metabolizer' });
    const docs = await search<DocumentReference>('DocumentReference?subject=Patient/p2');
    expect(docs.map((d) => d.content[0]?.attachment.title).sort()).toEqual(['cyp2d6.tsv', 'tendai.vcf.gz']);
    const bin = (await server.fhir('GET', docs.find((d) => d.content[0]?.attachment.title === 'tendai.vcf.gz')!.content[0]!.attachment.url!)).body as Binary;
    expect(bin.contentType).toBe('application/gzip');
    expect(Buffer.from(bin.data!, 'base64').equals(gz)).toBe(true);
  });

  it('rejects a malformed VCF with a 400 OperationOutcome naming the line, and stores nothing', async () => {
    const bad = panelVcf(defs, {}).replace(/\nchr10\t94761900\t[^\n]*/, '\nchr10\tnot-a-position\t.\tC\tT');
    const res = await post('p3', bad);
    expect(res.status).toBe(400);
    expect(res.json.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(res.json)).toMatch(/line \d+/);
    for (const type of ['Binary', 'DiagnosticReport', 'Observation', 'Provenance', 'DocumentReference']) {
      const n = await server.testDb.db.query<{ n: string }>('SELECT count(*)::text AS n FROM fhir_resource r WHERE resource_type = $1 AND content::text LIKE $2', [type, '%Patient/p3%']);
      expect(n.rows[0]!.n, type).toBe('0');
    }
    expect((await summary('p3')).genes).toEqual([]);
  });

  it('rejects a bad outside-call file, an empty body, two VCFs, an unknown patient and a bad id', async () => {
    const badTsv = await post('p3', 'gene\tdiplotype\nNOTAGENE\t*1/*1\n');
    expect(badTsv.status).toBe(400);
    expect(badTsv.json.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(badTsv.json)).toMatch(/line 2: .*NOTAGENE/);
    expect((await post('p3', '')).status).toBe(400);
    const boundary = 'b';
    const two = Buffer.from(`--b\r\nContent-Disposition: form-data; name="a"; filename="a.vcf"\r\n\r\n${poorCyp2c19}\r\n--b\r\nContent-Disposition: form-data; name="b"; filename="b.vcf"\r\n\r\n${poorCyp2c19}\r\n--b--\r\n`);
    const res2 = await post('p3', two, { 'content-type': `multipart/form-data; boundary=${boundary}` });
    expect(res2.status).toBe(400);
    expect(JSON.stringify(res2.json)).toMatch(/at most one VCF/);
    expect((await post('nobody', poorCyp2c19)).status).toBe(404);
    const huge = await post('p3', Buffer.concat([Buffer.from(poorCyp2c19), Buffer.alloc(49 * 1024 * 1024, 0x23)]));
    expect(huge.status).toBe(413);
    expect(JSON.stringify(huge.json)).toMatch(/bcftools view -R/);
    expect((await post('bad%20id', poorCyp2c19)).status).toBe(400);
    const unknown = await server.flaura.app.inject({ method: 'GET', url: '/pgx/patients/nobody/summary', headers: await authHeaders(server) });
    expect(unknown.statusCode).toBe(404);
  });

  it('takes a BED of assayed regions with a variants-only VCF: absent positions count as reference, the BED is kept too', async () => {
    const def = defs.find((d) => d.gene === 'CYP2C19')!;
    const full = panelVcf([def], { CYP2C19: ['*2', '*2'] });
    const variantsOnly = full.split('\n').filter((l) => l.startsWith('#') || /\t1\/1$/.test(l)).join('\n') + '\n';
    const bed = `chr10\t${Math.min(...def.positions.map((x) => x.position)) - 1}\t${Math.max(...def.positions.map((x) => x.position))}\n`;
    const boundary = 'bed-boundary';
    const part = (name: string, body: string) => `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="${name}"\r\n\r\n${body}\r\n`;
    const res = await post('p4', part('panel.vcf', variantsOnly) + part('panel.bed', bed) + `--${boundary}--\r\n`, { 'content-type': `multipart/form-data; boundary=${boundary}` });
    expect(res.status).toBe(201);
    const s = await summary('p4');
    expect(s.genes.find((g) => g.gene === 'CYP2C19')).toMatchObject({ diplotypes: ['*2/*2'], phenotype: 'Poor Metabolizer' });
    const [prov] = await search<Provenance>('Provenance?target=DiagnosticReport/' + (res.json as unknown as PgxImportOutcome).reportId);
    const bedEntity = prov?.entity?.find((e) => e.what.display?.startsWith('BED'));
    expect(bedEntity?.what.display).toBe('BED of assayed regions panel.bed');
    const stored = (await server.fhir('GET', bedEntity!.what.reference!)).body as Binary;
    expect(Buffer.from(stored.data!, 'base64').toString()).toBe(bed);
    const lonelyBed = await post('p4', part('only.bed', bed) + `--${boundary}--\r\n`, { 'content-type': `multipart/form-data; boundary=${boundary}` });
    expect(lonelyBed.status).toBe(400);
    expect(JSON.stringify(lonelyBed.json)).toMatch(/needs the VCF/);
  });

  it('two concurrent uploads of the same file store it once (imports per patient are serialized)', async () => {
    const vcf = panelVcf(defs, { TPMT: ['*1', '*3A'] }, { sample: 'CONCURRENT' });
    const [a, b] = await Promise.all([post('p5', vcf), post('p5', vcf)]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.json.reportId).toBe(b.json.reportId);
    const reports = await search<DiagnosticReport>('DiagnosticReport?subject=Patient/p5');
    expect(reports).toHaveLength(1);
    expect(await search<Observation>('Observation?subject=Patient/p5&_count=1000')).toHaveLength(reports[0]!.result!.length);
    expect(await search<Provenance>(`Provenance?target=DiagnosticReport/${reports[0]!.id}`)).toHaveLength(1);
  });

  it('is also a module importer (pgx.result): counts what it wrote, and skips a file already stored', async () => {
    const importer = pgxModule.importers?.find((i) => i.id === 'pgx.result');
    expect(importer?.accepts({ fileName: 'x.vcf.gz' })).toBe(true);
    expect(importer?.accepts({ fileName: 'x.xml' })).toBe(false);
    const f = server.flaura;
    const ctx = { store: f.store, transaction: async (bundle: Bundle) => (await f.router.handle({ method: 'POST', path: '', query: [], headers: {}, body: bundle, contentType: 'application/fhir+json', baseUrl: f.store.baseUrl })).body as Bundle } as unknown as ModuleContext;
    const input = { fileName: 'lab.tsv', open: () => Readable.from([Buffer.from('gene\tdiplotype\nCYP2C9\t*1/*3\n')]) };
    const first = await importer!.run(ctx, input, { patient: 'p6' });
    expect(first.created).toBeGreaterThan(3);
    expect(first.skipped).toBe(0);
    const again = await importer!.run(ctx, input, { patient: 'p6' });
    expect(again).toMatchObject({ created: 0, skipped: 1, issues: [expect.objectContaining({ severity: 'information' })] });
    await expect(importer!.run(ctx, input, {})).rejects.toMatchObject({ status: 400 });
  });
});
