// Daily values (source priority, sleep dating), FHIR daily Observations + Provenance, and the weekly patient summary.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { Observation, Provenance } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { evaluateAlerts } from '../alerts/evaluate.ts';
import { applyOverrides, loadAlertRules } from '../alerts/rules.ts';
import { series } from '../alerts/synthetic-series.ts';
import { addDays } from '../baselines/baseline.ts';
import { importAppleHealthXml } from '../importers/apple-health.ts';
import { collect, FIXTURES } from '../importers/test-support.ts';
import { loadMetricCatalog } from '../metrics/catalog.ts';
import { dailyValues } from './daily.ts';
import { dailyObservationsBundle } from './fhir-daily.ts';
import { r4ShapeProblems } from './r4-shape.ts';
import { weeklySummary } from './weekly.ts';

const catalog = loadMetricCatalog();
const NOW = new Date('2024-03-03T12:00:00Z');

async function appleDaily() {
  const { samples } = await collect(importAppleHealthXml(createReadStream(join(FIXTURES, 'export.xml')), catalog));
  return dailyValues(samples, catalog, { timeZone: 'America/New_York', priority: catalog.defaultSourcePriority });
}

describe('dailyValues', () => {
  it('counts watch steps over overlapping phone steps and dates sleep by the wake-up day', async () => {
    const daily = await appleDaily();
    const get = (m: string) => daily.find((d) => d.metric === m);
    expect(get('steps')).toMatchObject({ date: '2024-03-01', value: 702, aggregation: 'sum', sources: ['Ana’s Apple Watch'] });
    expect(get('sleep-total')).toMatchObject({ date: '2024-03-01', value: 415, unit: 'min' });
    expect(get('heart-rate')).toMatchObject({ value: 90, n: 2, min: 62, max: 118 });
    expect(get('body-temperature')).toMatchObject({ value: 37, aggregation: 'max' });
  });
});

describe('dailyObservationsBundle', () => {
  it('emits Vital Signs Observations with LOINC + UCUM, effectivePeriod, device, and a Provenance for the import', async () => {
    const bundle = dailyObservationsBundle({ patientId: 'p1', daily: await appleDaily(), importId: 'imp-1', importFormat: 'apple-health', now: NOW }, catalog);
    const obs = bundle.entry!.filter((e) => e.resource?.resourceType === 'Observation').map((e) => e.resource as Observation);
    const byMetric = (m: string) => obs.find((o) => o.code.coding!.some((c) => c.code === m))!;
    const spo2 = byMetric('oxygen-saturation');
    expect(spo2.meta?.profile).toEqual(['http://hl7.org/fhir/StructureDefinition/oxygensat']);
    expect(spo2.code.coding!.filter((c) => c.system === 'http://loinc.org').map((c) => c.code)).toEqual(['2708-6', '59408-5']);
    expect(spo2.valueQuantity).toEqual({ value: 97, unit: '%', system: 'http://unitsofmeasure.org', code: '%' });
    expect(spo2.category![0]!.coding![0]!.code).toBe('vital-signs');
    const rhr = byMetric('resting-heart-rate');
    expect(rhr.code.coding!.map((c) => c.code)).toEqual(['40443-4', '8867-4', 'resting-heart-rate']);
    expect(rhr.meta?.profile).toEqual(['http://hl7.org/fhir/StructureDefinition/heartrate']);
    expect(rhr.code.text).toContain('daily mean');
    const steps = byMetric('steps');
    expect(steps).toMatchObject({ valueQuantity: { value: 702, code: '{steps}' }, effectivePeriod: { start: '2024-03-01T14:01:00.000Z', end: '2024-03-01T14:09:00.000Z' } });
    expect(steps.meta).toBeUndefined();
    expect(steps.code.coding![0]!.code).toBe('55423-8');
    expect(steps.device?.display).toContain('Watch6,1');
    expect(obs.every((o) => o.derivedFrom === undefined)).toBe(true);
    expect(byMetric('sleep-total').code.coding![0]!.code).toBe('93832-4');
    // Every Observation is linked from the Provenance; metrics without a LOINC code (sleep stages) are not published.
    expect(obs.some((o) => o.code.coding!.some((c) => c.code === "sleep-core"))).toBe(false);
    const prov = bundle.entry!.at(-1)!.resource as Provenance;
    expect(prov.target.map((t) => t.reference)).toEqual(bundle.entry!.slice(0, -1).map((e) => e.fullUrl));
    expect(prov.entity![0]!.what.identifier!.value).toBe('imp-1');
    // Rebuilding gives the same fullUrls and conditional-update identifiers: idempotent storage.
    const again = dailyObservationsBundle({ patientId: 'p1', daily: await appleDaily(), importId: 'imp-1', importFormat: 'apple-health', now: NOW }, catalog);
    expect(again.entry!.map((e) => e.fullUrl)).toEqual(bundle.entry!.map((e) => e.fullUrl));
    expect(bundle.entry![0]!.request).toEqual({ method: 'PUT', url: `Observation?identifier=${encodeURIComponent('https://flaura.dev/fhir/sid/wearable-daily|p1/' + (obs[0]!.identifier![0]!.value!.split('/').slice(1).join('/')))}` });
    // The Provenance names the measuring device and the source app.
    expect(prov.agent.some((a) => a.who.display?.includes('Watch6,1'))).toBe(true);
    expect(prov.entity!.some((e) => e.what.display === 'source app: Ana’s Apple Watch')).toBe(true);
    for (const e of bundle.entry!) expect(r4ShapeProblems(e.resource as unknown as { resourceType: string })).toEqual([]);
    expect(r4ShapeProblems({ resourceType: 'Observation', foo: 1 })).toEqual(['Observation.foo is not an R4 element', 'Observation.status is required', 'Observation.code is required']);
  });
});

describe('weeklySummary', () => {
  const START = '2024-01-01';
  it('says how this week compares with the usual, in a few plain sentences, including alerts', () => {
    const daily = new Map(Object.entries({
      'sleep-total': series(START, 42, 450, 10, 6, (i) => (i >= 35 ? -70 : 0)),
      steps: series(START, 42, 8000, 300, 7),
      'resting-heart-rate': series(START, 42, 60, 0.5, 1, (i) => (i >= 37 ? 7 : 0)),
      'body-weight': series(START, 42, 80, 0.05, 8),
    }));
    const set = loadAlertRules();
    const alerts = evaluateAlerts({ patientId: 'p1', daily, rules: applyOverrides(set), baseline: set.baseline, asOf: addDays(START, 41) });
    const s = weeklySummary({ daily, weekEnd: addDays(START, 41), alerts });
    expect(s.title).toBe('Your week, 2024-02-05 to 2024-02-11');
    expect(s.lines[0]).toMatch(/^You slept 6 h \d+ min a night on average, less than usual \(usually 7 h \d+ min\)\.$/);
    expect(s.lines[1]).toMatch(/^You walked about 8\d00 steps a day, about the same as usual\.$/);
    expect(s.lines[2]).toMatch(/^Your resting heart rate was 6\d beats a minute, higher than usual\.$/);
    expect(s.lines[3]).toBe('Your weight stayed steady.');
    expect(s.lines).toContain('Your resting heart rate was higher than usual. Your care team has been told and may contact you.');
    expect(s.lines.every((l) => l.split(' ').length <= 20)).toBe(true);
  });

  it('says so when there is no data', () => {
    expect(weeklySummary({ daily: new Map(), weekEnd: '2024-02-11', alerts: [] }).lines).toEqual(['We did not get enough data from your devices this week to say how it went.']);
  });
});
