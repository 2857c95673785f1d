// The demo cast loads through the transaction API, is findable by search, and loading it again duplicates nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../../test/test-server.ts';
import { testDbKind } from '../../test/test-db.ts';
import { seedDemo } from '../cli/commands/seed-demo.ts';
import { demoCast } from './demo-patients.ts';

describe(`demo data on ${testDbKind}`, () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('loads every demo patient with conditions, medications and vitals, idempotently', async () => {
    const first = await seedDemo(s.flaura, new Date('2026-11-01T09:00:00Z'));
    const second = await seedDemo(s.flaura, new Date('2026-11-01T09:00:00Z'));
    expect(second).toBe(first);
    const patients = (await s.fhir('GET', 'Patient?identifier=urn:flaura:demo|&_count=50')).body as unknown as Bundle;
    expect(patients.entry?.map((e) => e.resource?.id).sort()).toEqual(demoCast.map((p) => p.id).sort());
    const meds = (await s.fhir('GET', 'MedicationRequest?subject=Patient/demo-grace')).body as unknown as Bundle;
    expect(JSON.stringify(meds.entry?.[0]?.resource)).toContain('fluoxetine');
    // One heart rate from the clinic; the rest are her wearable's daily summaries (identified as such).
    const vitals = (await s.fhir('GET', 'Observation?patient=demo-maria&code=http://loinc.org|8867-4&_count=500')).body as unknown as Bundle;
    const fromWearable = (e: NonNullable<Bundle['entry']>[number]) => JSON.stringify(e.resource).includes('https://flaura.dev/fhir/sid/wearable-daily');
    expect(vitals.entry?.filter((e) => !fromWearable(e))).toHaveLength(1);
    expect(vitals.entry?.filter(fromWearable).length).toBeGreaterThanOrEqual(90);
  });
});
