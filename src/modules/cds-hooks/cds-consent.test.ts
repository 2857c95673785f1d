// CDS Hooks honours the patient's consent like a FHIR read: after the patient withholds genomic data for treatment,
// a clinician's order-sign card no longer names the result (an info card says one is on file, no test is suggested);
// break-the-glass makes the check use it again; the patient's own call still sees it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKind } from '../../../test/test-db.ts';
import { startTestServer, type TestServer } from '../../../test/test-server.ts';
import type { HookCard } from './cards.ts';
import { createPatient, draftOrder, hookRequest, storeCalls } from './test-support.ts';
import { withdrawGenomicForTreatment } from '../../../test/consents.ts';

const CLOPIDOGREL = ['309362', 'clopidogrel 75 MG Oral Tablet'] as const;

describe(`CDS Hooks and the patient's consent on ${testDbKind}`, () => {
  let s: TestServer;
  let clinician: Record<string, string>;
  let patient: Record<string, string>;
  beforeAll(async () => {
    s = await startTestServer();
    await createPatient(s, 'cons-1');
    await storeCalls(s, 'cons-1', { CYP2C19: '*2/*2' });
    clinician = { authorization: `Bearer ${await s.token({ role: 'clinician', fhirUser: 'Practitioner/dr-a' })}` };
    patient = { authorization: `Bearer ${await s.token({ role: 'patient', patientId: 'cons-1', fhirUser: 'Patient/cons-1' })}` };
  }, 120_000);
  afterAll(async () => s.close());

  const sign = async (headers: Record<string, string>) => {
    const res = await s.request('POST', '/cds-services/flaura-pgx-order-sign', hookRequest('order-sign', 'cons-1', [draftOrder('cons-1', ...CLOPIDOGREL)]), headers);
    expect(res.status, res.text).toBe(200);
    return (res.body as unknown as { cards: HookCard[] }).cards;
  };

  it('withheld genomic results are not used or named for the clinician; break-the-glass uses them again', async () => {
    expect((await sign(clinician)).map((c) => c.summary)).toEqual(['Avoid clopidogrel: CYP2C19 Poor Metabolizer']);
    const consent = await s.fhir('POST', 'Consent', withdrawGenomicForTreatment('cons-1'), patient);
    expect(consent.status, consent.text).toBe(201);

    const withheld = await sign(clinician);
    expect(withheld.map((c) => [c.indicator, c.summary])).toEqual([['info', "clopidogrel: the patient's CYP2C19 result is not shared with you (patient's consent)"]]);
    expect(JSON.stringify(withheld)).not.toMatch(/Poor Metabolizer|\*2/);
    // The patient asking about her own order still gets the full card.
    expect((await sign(patient)).map((c) => c.summary)).toEqual(['Avoid clopidogrel: CYP2C19 Poor Metabolizer']);

    const glass = await s.request('POST', '/security/break-glass', { patient: 'cons-1', reason: 'acute coronary syndrome, antiplatelet choice' }, clinician);
    expect(glass.status, glass.text).toBe(201);
    expect((await sign(clinician)).map((c) => c.summary)).toEqual(['Avoid clopidogrel: CYP2C19 Poor Metabolizer']);
  });
});
