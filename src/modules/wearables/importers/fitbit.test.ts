// Fitbit Web API importer on intraday heart rate, daily steps, sleep stages and HRV documents.
import { describe, expect, it } from 'vitest';
import { loadMetricCatalog } from '../metrics/catalog.ts';
import { importFitbit } from './fitbit.ts';
import { collect, fixtureJson } from './test-support.ts';

const catalog = loadMetricCatalog();
const opts = { utcOffsetMinutes: -300, device: 'Charge 6' };

describe('importFitbit', () => {
  it('reads intraday heart rate with the date of activities-heart and the daily resting heart rate', async () => {
    const { samples, issues } = await collect(importFitbit([fixtureJson('fitbit-heart-intraday.json')], catalog, opts));
    expect(samples.filter((s) => s.metric === 'resting-heart-rate').map((s) => [s.value, new Date(s.start).toISOString()])).toEqual([[57, '2024-03-01T05:00:00.000Z']]);
    const hr = samples.filter((s) => s.metric === 'heart-rate');
    expect(hr.map((s) => s.value)).toEqual([58, 57, 59, 121]);
    expect(new Date(hr[3]!.start).toISOString()).toBe('2024-03-01T12:30:00.000Z');
    expect(hr[0]).toMatchObject({ source: 'Fitbit', device: 'Charge 6', sourceKind: 'watch', unit: '/min' });
    expect(issues.map((i) => i.reason)).toEqual([expect.stringContaining('invalid date or time'), expect.stringContaining('outside the plausible range')]);
  });

  it('reads daily steps as day intervals and reports an impossible date', async () => {
    const { samples, issues } = await collect(importFitbit([fixtureJson('fitbit-steps.json')], catalog, opts));
    expect(samples.map((s) => [s.value, s.end - s.start])).toEqual([[8123, 86_400_000], [10456, 86_400_000]]);
    expect(issues).toEqual([{ record: 'activities-steps 2024-02-30', reason: 'invalid date "2024-02-30"' }]);
  });

  it('reads sleep stages from levels.data (not shortData) in minutes, and reports unknown levels', async () => {
    const { samples, issues } = await collect(importFitbit([fixtureJson('fitbit-sleep.json')], catalog, opts));
    const minutes = (m: string) => samples.filter((s) => s.metric === m).reduce((a, s) => a + s.value, 0);
    expect([minutes('sleep-core'), minutes('sleep-deep'), minutes('sleep-rem'), minutes('sleep-awake')]).toEqual([240, 75, 90, 45]);
    expect(issues.map((i) => i.reason)).toEqual(['unknown sleep level "snoring"']);
  });

  it('reads daily RMSSD as its own metric, never as SDNN', async () => {
    const { samples } = await collect(importFitbit([fixtureJson('fitbit-hrv.json')], catalog, opts));
    expect(samples.map((s) => [s.metric, s.value, s.unit])).toEqual([['hrv-rmssd', 34.412, 'ms'], ['hrv-rmssd', 37.1, 'ms']]);
  });

  it('reports documents it does not recognise', async () => {
    const { issues } = await collect(importFitbit([{ foods: [] }, 7], catalog, opts));
    expect(issues.map((i) => i.reason)).toEqual([expect.stringContaining('unrecognised Fitbit document'), 'not a JSON object']);
  });
});
