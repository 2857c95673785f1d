// The demo cast's PGx results: produced by the real pipeline from generated VCFs, stored, read back; seeding twice adds nothing.
import type { Bundle, MedicationRequest } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/test-server.ts';
import { testDbKind } from '../../test/test-db.ts';
import { seedDemo } from '../cli/commands/seed-demo.ts';
import { applyPhenoconversion } from '../modules/pgx/phenoconversion/index.ts';
import type { PgxSummary } from '../modules/pgx/storage/summary.ts';

/** An admin bearer token once the auth work gives the test server `token()`; none before (auth off). */
async function authHeaders(s: TestServer): Promise<Record<string, string>> {
  const t = (s as TestServer & { token?: (o: { role: 'admin' }) => Promise<string> }).token;
  return t ? { authorization: `Bearer ${await t({ role: 'admin' })}` } : {};
}

async function summaryOf(s: TestServer, patient: string): Promise<PgxSummary> {
  const res = await s.flaura.app.inject({ method: 'GET', url: `/pgx/patients/${patient}/summary`, headers: await authHeaders(s) });
  expect(res.statusCode).toBe(200);
  return JSON.parse(res.body) as PgxSummary;
}

describe(`demo PGx results on ${testDbKind}`, () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
    await seedDemo(s.flaura, new Date('2026-11-01T09:00:00Z'));
    // seedDemo also imports ~90 days of wearable data per patient (15–20 s on the shared machine).
  }, 180_000);
  afterAll(async () => s.close());

  it('maria: CYP2C19 *2/*2 poor metabolizer, clopidogrel to be avoided', async () => {
    const m = await summaryOf(s, 'demo-maria');
    expect(m.genes.find((g) => g.gene === 'CYP2C19')).toMatchObject({ diplotypes: ['*2/*2'], phenotype: 'Poor Metabolizer', source: 'vcf' });
    expect(m.drugs.find((d) => d.drug === 'clopidogrel')?.guidance.find((g) => g.source === 'CPIC')?.text).toMatch(/^Avoid clopidogrel/);
  });

  it('tendai: CYP2B6 *6/*6 poor metabolizer, efavirenz dose guidance', async () => {
    const t = await summaryOf(s, 'demo-tendai');
    expect(t.genes.find((g) => g.gene === 'CYP2B6')).toMatchObject({ diplotypes: ['*6/*6'], phenotype: 'Poor Metabolizer' });
    expect(t.drugs.find((d) => d.drug === 'efavirenz')?.guidance.find((g) => g.source === 'CPIC')?.text).toMatch(/400|200 mg/);
  });

  it('grace: CYP2D6 normal metabolizer from the lab, phenoconverted to poor by her fluoxetine', async () => {
    const g = await summaryOf(s, 'demo-grace');
    const cyp2d6 = g.genes.find((x) => x.gene === 'CYP2D6');
    expect(cyp2d6).toMatchObject({ diplotypes: ['*1/*2'], phenotype: 'Normal Metabolizer', activityScore: '2.0', source: 'outside-call' });
    expect(g.genes.find((x) => x.gene === 'CYP2C19')?.source).toBe('vcf');
    const meds = ((await s.fhir('GET', 'MedicationRequest?subject=Patient/demo-grace')).body as unknown as Bundle).entry?.map((e) => e.resource as MedicationRequest) ?? [];
    const medications = meds.map((m) => ({ name: m.medicationCodeableConcept?.text ?? '' }));
    const bins = (_gene: string, score: string) => (Number(score) === 0 ? 'Poor Metabolizer' : Number(score) < 1.25 ? 'Intermediate Metabolizer' : 'Normal Metabolizer');
    const { effective } = applyPhenoconversion([{ gene: 'CYP2D6', diplotype: '*1/*2', phenotype: cyp2d6!.phenotype, activityScore: cyp2d6!.activityScore!, lookupKey: cyp2d6!.lookupKeys[0]! }], medications, bins);
    expect(effective[0]?.phenotype).toBe('Poor Metabolizer');
  });

  it('james: SLCO1B1 *5/*5 poor function, simvastatin guidance', async () => {
    const j = await summaryOf(s, 'demo-james');
    expect(j.genes.find((g) => g.gene === 'SLCO1B1')).toMatchObject({ diplotypes: ['*5/*5'], phenotype: 'Poor Function' });
    expect(j.drugs.find((d) => d.drug === 'simvastatin')?.guidance.find((g) => g.source === 'CPIC')?.lookupKey).toEqual({ SLCO1B1: 'Poor Function' });
  });

  it('seeding again stores no second result', async () => {
    const before = await s.testDb.db.query<{ n: string }>("SELECT count(*)::text AS n FROM fhir_resource WHERE resource_type IN ('Observation', 'DiagnosticReport', 'Binary', 'Provenance')");
    await seedDemo(s.flaura, new Date('2026-11-01T09:00:00Z'));
    const after = await s.testDb.db.query<{ n: string }>("SELECT count(*)::text AS n FROM fhir_resource WHERE resource_type IN ('Observation', 'DiagnosticReport', 'Binary', 'Provenance')");
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    for (const p of ['demo-maria', 'demo-tendai', 'demo-grace', 'demo-james']) expect((await summaryOf(s, p)).reports).toHaveLength(1);
  });
});
