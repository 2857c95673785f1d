// Open mHealth (NDJSON data points) and FHIR Observation (Bundle) importers: shapes, units, reported failures.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMetricCatalog } from '../metrics/catalog.ts';
import { bundleEntries, importFhirObservations } from './fhir-observations.ts';
import { readJsonLines } from './json-lines.ts';
import { importOmh } from './omh.ts';
import { collect, FIXTURES, fixtureJson } from './test-support.ts';

const catalog = loadMetricCatalog();

describe('importOmh', () => {
  it('normalizes each supported schema and reports bad shapes with line numbers', async () => {
    const { samples, issues } = await collect(importOmh(readJsonLines(createReadStream(join(FIXTURES, 'omh-data-points.ndjson'), { highWaterMark: 300 })), catalog));
    expect(samples.map((s) => [s.metric, s.value, s.unit])).toEqual([
      ['heart-rate', 64, '/min'], ['steps', 4210, '{steps}'], ['steps', 512, '{steps}'], ['sleep-asleep', 435, 'min'],
      ['body-temperature', 38.2778, 'Cel'].map((v) => (typeof v === 'number' ? expect.closeTo(v, 3) : v)),
      ['respiratory-rate', 15, '/min'], ['oxygen-saturation', 96, '%'], ['body-weight', expect.closeTo(75.07, 2), 'kg'],
    ]);
    expect(samples[0]).toMatchObject({ source: 'Polar H10', sourceKind: 'chest-strap' });
    expect(samples[1]!.end - samples[1]!.start).toBe(3 * 3_600_000);
    expect(samples[4]!.start).toBe(Date.parse('2024-03-01T13:00:00Z'));
    expect(issues.map((i) => [i.line, i.reason])).toEqual([
      [10, expect.stringContaining('creation_date_time')],
      [11, expect.stringContaining('unit "beats/sec" is not allowed')],
      [12, expect.stringContaining('must be a time_interval')],
      [13, 'unsupported schema omh:blood-glucose'],
      [14, expect.stringContaining('invalid JSON')],
      [15, expect.stringContaining('outside the plausible range')],
    ]);
  });
});

describe('importFhirObservations', () => {
  it('reads Vital Signs Observations from a Bundle and reports what it cannot use', async () => {
    const { samples, issues } = await collect(importFhirObservations(bundleEntries(fixtureJson('fhir-vitals-bundle.json')), catalog));
    expect(samples.map((s) => [s.metric, s.value, s.unit, s.sourceKind])).toEqual([['oxygen-saturation', 95, '%', 'ring'], ['body-temperature', expect.closeTo(38.5, 5), 'Cel', 'unknown']]);
    expect(samples[1]!.end - samples[1]!.start).toBe(300_000);
    expect(issues.map((i) => i.reason)).toEqual(['effective[x] must be a date-time with a time zone (Z or ±hh:mm)', 'no supported LOINC code (85354-9)', 'not an Observation (Patient)']);
  });

  it('refuses something that is not a Bundle', () => {
    expect(() => [...bundleEntries({ resourceType: 'Patient' })]).toThrow(expect.objectContaining({ code: 'WEARABLES_NOT_A_BUNDLE', status: 400 }));
  });
});
