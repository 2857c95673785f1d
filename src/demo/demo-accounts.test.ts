// Demo accounts: every staff role and each demo patient can sign in with the demo password; seeding twice is a no-op.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../../test/test-server.ts';
import { testDbKind } from '../../test/test-db.ts';
import { demoAccounts, demoPractitionerBundle, DEMO_PASSWORD, seedDemoAccounts } from './demo-accounts.ts';

describe(`demo accounts on ${testDbKind}`, () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('creates one account per staff role and per demo patient, once', async () => {
    expect(await seedDemoAccounts(s.flaura.accounts.users)).toBe(demoAccounts.length);
    expect(await seedDemoAccounts(s.flaura.accounts.users)).toBe(0);
    expect(new Set(demoAccounts.map((a) => a.role))).toEqual(new Set(['clinician', 'nurse', 'pharmacist', 'lab', 'admin', 'research', 'patient']));
    const maria = await s.flaura.accounts.users.login('maria', DEMO_PASSWORD);
    expect(maria).toMatchObject({ user: { role: 'patient', patientId: 'demo-maria', fhirUser: 'Patient/demo-maria' } });
    const clinician = await s.flaura.accounts.users.login('clinician', DEMO_PASSWORD);
    expect(clinician).toMatchObject({ user: { role: 'clinician', fhirUser: 'Practitioner/demo-clinician' } });
  });

  it("the clinician's fhirUser exists as a Practitioner", async () => {
    const res = await s.fhir('POST', '', demoPractitionerBundle());
    expect(res.status).toBe(200);
    expect((res.body as Bundle).entry?.every((e) => e.response?.status?.startsWith('20'))).toBe(true);
    const practitioner = await s.fhir('GET', 'Practitioner/demo-clinician');
    expect(practitioner.body).toMatchObject({ resourceType: 'Practitioner', name: [{ family: 'Ndlovu' }] });
  });
});
