// A 2 MB Synthea-shaped patient bundle goes through POST /fhir as one transaction, and every resource in it is
// then found by its own search parameters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../../test/test-server.ts';
import { testDbKind } from '../../test/test-db.ts';
import { syntheticPatientBundle } from './synthetic-bundle.ts';

const options = { seed: 7, years: 8, encountersPerYear: 12, until: '2026-11-01T00:00:00Z' };

/** A search that must find `r` by its own values. */
function ownSearch(r: Resource & Record<string, unknown>): string {
  const code = (r.code as { coding?: { system: string; code: string }[] } | undefined)?.coding?.[0];
  const subjectRef = (r.subject as { reference?: string } | undefined)?.reference ?? (r.patient as { reference?: string } | undefined)?.reference;
  switch (r.resourceType) {
    case 'Patient':
      return `identifier=https://github.com/synthetichealth/synthea|synthetic-7&family=Dube&birthdate=1961-04-17`;
    case 'Organization':
      return `identifier=https://github.com/synthetichealth/synthea|org-7&name=Parirenyatwa`;
    case 'Practitioner':
      return `identifier=http://hl7.org/fhir/sid/us-npi|9800000007&family=Mutasa`;
    case 'Encounter':
      return `subject=${subjectRef}&date=${(r.period as { start: string }).start.slice(0, 10)}&class=AMB`; // eq on a Period: the day contains it
    case 'Observation':
      return `subject=${subjectRef}&code=${code!.system}|${code!.code}&date=${r.effectiveDateTime as string}`;
    case 'DiagnosticReport':
      return `subject=${subjectRef}&code=${code!.system}|${code!.code}&result=${(r.result as { reference: string }[])[0]!.reference}`;
    case 'Condition':
      return `subject=${subjectRef}&code=${code!.system}|${code!.code}&onset-date=${r.onsetDateTime as string}`;
    case 'MedicationRequest':
      return `subject=${subjectRef}&authoredon=${r.authoredOn as string}&status=${r.status as string}`;
    case 'Procedure':
      return `subject=${subjectRef}&code=${code!.system}|${code!.code}&date=${(r.performedPeriod as { start: string }).start.slice(0, 10)}`;
    case 'Claim':
      return `patient=${subjectRef}&created=${r.created as string}&use=claim`;
    default:
      throw new Error(`no search for ${r.resourceType}`);
  }
}

describe(`2 MB Synthea-shaped transaction on ${testDbKind}`, () => {
  let s: TestServer;
  beforeAll(async () => {
    // About 1,800 searches in a row from one client: more than the per-client rate limit allows in a minute.
    s = await startTestServer({ rateLimitPerMinute: 0 });
  });
  afterAll(async () => {
    await s.close();
  });

  it('is deterministic for a seed and at least 2 MB', () => {
    const a = JSON.stringify(syntheticPatientBundle(options));
    expect(JSON.stringify(syntheticPatientBundle(options))).toBe(a);
    expect(Buffer.byteLength(a)).toBeGreaterThanOrEqual(2 * 1024 * 1024);
  });

  it('loads through POST /fhir and every resource is found by its own search parameters', async () => {
    const bundle = syntheticPatientBundle(options);
    const res = await s.fhir('POST', '', bundle);
    expect(res.status).toBe(200);
    const out = res.body as unknown as Bundle;
    expect(out.entry).toHaveLength(bundle.entry!.length);
    expect(out.entry!.every((e) => e.response?.status === '201')).toBe(true);
    // Conditional references were resolved to the created Organization and Practitioner.
    const created = out.entry!.map((e) => e.resource as Resource & Record<string, unknown>);
    const org = created.find((r) => r.resourceType === 'Organization')!;
    expect((created.find((r) => r.resourceType === 'Patient')!.managingOrganization as { reference: string }).reference).toBe(`Organization/${org.id}`);
    const misses: string[] = [];
    for (const r of created) {
      const found = (await s.fhir('GET', `${r.resourceType}?${ownSearch(r)}&_count=1000&_elements=id`)).body as unknown as Bundle;
      if (!found.entry?.some((e) => e.resource?.id === r.id)) misses.push(`${r.resourceType}?${ownSearch(r)} → ${JSON.stringify(found).slice(0, 300)}`);
    }
    expect(misses).toEqual([]);
  }, 300_000);
});
