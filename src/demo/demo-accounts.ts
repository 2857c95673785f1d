// Demo sign-in accounts: one per staff role and one per demo patient, all with the published demo password.
// Demo only: `serve` prints them; a real deployment starts with a single admin and a random password.
import type { Bundle, Practitioner } from '@medplum/fhirtypes';
import type { Role } from '../security/principal.ts';
import type { UserStore } from '../security/auth/users.ts';

export const DEMO_PASSWORD = 'flaura-demo';

export interface DemoAccount {
  username: string;
  role: Role;
  patientId?: string;
  /** Staff with a Practitioner resource in the demo data. */
  practitioner?: { id: string; family: string; given: string; qualification: string };
}

export const demoAccounts: readonly DemoAccount[] = [
  { username: 'clinician', role: 'clinician', practitioner: { id: 'demo-clinician', family: 'Ndlovu', given: 'Rudo', qualification: 'MD' } },
  { username: 'nurse', role: 'nurse', practitioner: { id: 'demo-nurse', family: 'Silva', given: 'Ana', qualification: 'RN' } },
  { username: 'pharmacist', role: 'pharmacist', practitioner: { id: 'demo-pharmacist', family: 'Adeyemi', given: 'Tunde', qualification: 'PharmD' } },
  { username: 'lab', role: 'lab', practitioner: { id: 'demo-lab', family: 'Mutasa', given: 'Farai', qualification: 'MLS' } },
  { username: 'admin', role: 'admin' },
  { username: 'research', role: 'research' },
  { username: 'tendai', role: 'patient', patientId: 'demo-tendai' },
  { username: 'maria', role: 'patient', patientId: 'demo-maria' },
  { username: 'grace', role: 'patient', patientId: 'demo-grace' },
  { username: 'james', role: 'patient', patientId: 'demo-james' },
];

/** The staff Practitioner resources (PUT by id, so seeding twice changes nothing). */
export function demoPractitionerBundle(): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: demoAccounts
      .filter((a) => a.practitioner)
      .map(({ practitioner: p }) => {
        const resource: Practitioner = {
          resourceType: 'Practitioner',
          id: p!.id,
          identifier: [{ system: 'urn:flaura:demo', value: p!.id }],
          active: true,
          name: [{ use: 'official', family: p!.family, given: [p!.given] }],
          qualification: [{ code: { text: p!.qualification } }],
        };
        return { fullUrl: `Practitioner/${p!.id}`, resource, request: { method: 'PUT' as const, url: `Practitioner/${p!.id}` } };
      }),
  };
}

/** Creates the accounts that do not exist yet; returns how many were created. */
export async function seedDemoAccounts(users: UserStore): Promise<number> {
  let created = 0;
  for (const a of demoAccounts) {
    if (await users.find(a.username)) continue;
    const fhirUser = a.patientId ? `Patient/${a.patientId}` : a.practitioner ? `Practitioner/${a.practitioner.id}` : undefined;
    await users.create({ username: a.username, password: DEMO_PASSWORD, role: a.role, ...(a.patientId ? { patientId: a.patientId } : {}), ...(fhirUser ? { fhirUser } : {}) }, { allowWeak: true, ifMissing: true });
    created++;
  }
  return created;
}
