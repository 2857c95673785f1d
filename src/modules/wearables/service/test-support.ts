// Test support for the alert services: a synthetic resting-heart-rate trajectory (seeded noise, known shifts) as a
// FHIR R4 Bundle of Vital Signs Observations, imported over HTTP like a clinic's export, and the inbox read back.
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { expect } from 'vitest';
import type { TestServer } from '../../../../test/test-server.ts';
import { addDays, type DayPoint } from '../baselines/baseline.ts';
import { series } from '../alerts/synthetic-series.ts';
import type { InboxAlert } from './alert-store.ts';

/** The first of `days` days ending yesterday (UTC): recent, so a re-evaluation at today's date judges every day. */
export function recentStart(days: number): string {
  return addDays(new Date().toISOString().slice(0, 10), -days);
}

/** `days` daily resting heart rates around `mean` (sd `sd`), plus `shift(dayIndex)` bpm. */
export function restingHr(start: string, days: number, o: { mean: number; sd: number; seed: number; shift: (i: number) => number }): DayPoint[] {
  return series(start, days, o.mean, o.sd, o.seed, o.shift);
}

/** One Observation per day (LOINC 40443-4, UCUM /min, measured 06:30 UTC) from `device`, as a collection Bundle. */
export function restingHrBundle(patientId: string, points: readonly DayPoint[], device = 'Polar H10'): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: points.map((p): { resource: Observation } => ({
      resource: {
        resourceType: 'Observation',
        id: `rhr-${patientId}-${p.date}-${device.replace(/\W+/g, '-')}`,
        status: 'final',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
        code: { coding: [{ system: 'http://loinc.org', code: '40443-4', display: 'Heart rate --resting' }] },
        subject: { reference: `Patient/${patientId}` },
        effectiveDateTime: `${p.date}T06:30:00Z`,
        valueQuantity: { value: p.value, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' },
        device: { display: device },
      },
    })),
  };
}

/** Imports the trajectory through `POST /wearables/import` as the care team would; the days are cut in UTC. */
export async function importTrajectory(s: TestServer, token: string, patientId: string, points: readonly DayPoint[], device?: string): Promise<{ alerts: { written: number; withdrawn: number } }> {
  const res = await s.request('POST', `/wearables/import?patient=${patientId}&format=fhir&timeZone=UTC`, restingHrBundle(patientId, points, device), { authorization: `Bearer ${token}` });
  expect(res.status, res.text).toBe(200);
  expect(res.body).toMatchObject({ inserted: points.length, rejected: 0 });
  return res.body as unknown as { alerts: { written: number; withdrawn: number } };
}

/** The inbox for one query (`status=…&patient=…`), as the given token sees it (admin when none). */
export async function inbox(s: TestServer, query: string, token?: string): Promise<InboxAlert[]> {
  const res = await s.request('GET', `/wearables/alerts?${query}`, undefined, token ? { authorization: `Bearer ${token}` } : {});
  expect(res.status, res.text).toBe(200);
  return (res.body as unknown as { alerts: InboxAlert[] }).alerts;
}
