// Demo wearable data: every demo patient gets ~90 days through the real import path; James's resting heart rate rise
// raises an alert the chart shows over his baseline band; seeding again writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../../test/test-server.ts';
import { testDbKind } from '../../test/test-db.ts';
import { addDays } from '../modules/wearables/baselines/baseline.ts';
import { DEMO_WEARABLE_DAYS, JAMES_RISE_DAYS, demoWearers, seedDemoWearables } from './wearables-demo.ts';

const NOW = new Date('2026-11-25T09:00:00Z');

describe(`demo wearable data on ${testDbKind}`, () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
    for (const w of demoWearers) await s.fhir('PUT', `Patient/${w.patientId}`, { resourceType: 'Patient', id: w.patientId });
  }, 60_000);
  afterAll(async () => {
    await s.close();
  });

  it('imports 90 days for each demo patient, raises James’s resting-heart-rate alert, and is idempotent', async () => {
    const deps = { db: s.flaura.db, store: s.flaura.store, transaction: async (bundle: Bundle) => (await s.flaura.router.handle({ method: 'POST', path: '', query: [], headers: {}, body: bundle, contentType: 'application/fhir+json', baseUrl: s.flaura.store.baseUrl })).body as Bundle };
    const started = performance.now();
    const first = await seedDemoWearables(deps, NOW);
    const seconds = (performance.now() - started) / 1000;
    expect(first.imported).toEqual(demoWearers.map((w) => w.patientId));
    expect(first.samples).toBeGreaterThan(4 * 90 * 100);
    console.log(`seeded ${first.samples} samples for ${first.imported.length} patients in ${seconds.toFixed(1)} s`);

    // Every wearer has a resting heart rate summary per day, searchable as FHIR.
    for (const w of demoWearers) {
      const res = await s.fhir('GET', `Observation?patient=Patient/${w.patientId}&code=http://loinc.org|40443-4&_summary=count`);
      expect((res.body as Bundle).total).toBe(DEMO_WEARABLE_DAYS);
    }
    const inbox = (await s.request('GET', '/wearables/alerts?status=active')).body as unknown as { alerts: { patientId: string; ruleId: string; start: string }[] };
    expect(inbox.alerts.map((a) => [a.patientId, a.ruleId])).toEqual([['demo-james', 'rhr-rise']]);
    const lastDay = addDays('2026-11-25', -1);
    expect(inbox.alerts[0]!.start).toBe(addDays(lastDay, -JAMES_RISE_DAYS + 2));

    // The chart of James's last 90 days: one point per day, a band, and the alert marker.
    const from = new Date(NOW.getTime() - 90 * 86_400_000).toISOString();
    const chart = (await s.request('GET', `/wearables/chart?patient=demo-james&metric=resting-heart-rate&from=${from}&to=${NOW.toISOString()}&points=200`)).body as unknown as { points: unknown[]; baseline: { low: number; high: number }[]; alerts: { day: string }[] };
    expect(chart.points.length).toBeGreaterThanOrEqual(89);
    expect(chart.baseline.length).toBeGreaterThan(60);
    expect(chart.alerts.map((a) => a.day)).toEqual([inbox.alerts[0]!.start]);

    const second = await seedDemoWearables(deps, NOW);
    expect(second).toEqual({ imported: [], skipped: demoWearers.map((w) => w.patientId), samples: 0 });
  }, 300_000);
});
