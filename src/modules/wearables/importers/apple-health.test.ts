// Apple Health importer on a realistic export excerpt (DTD, Me, Workout, MetadataEntry, malformed records), plain and zipped.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMetricCatalog } from '../metrics/catalog.ts';
import { importAppleHealthXml } from './apple-health.ts';
import { openAppleHealthZip } from './apple-zip.ts';
import { collect } from './test-support.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures');
const catalog = loadMetricCatalog();


async function* chunks(...texts: string[]): AsyncGenerator<string> {
  yield* texts;
}

describe('importAppleHealthXml', () => {
  it('reads every supported Record with unit conversion and provenance', async () => {
    const { samples } = await collect(importAppleHealthXml(createReadStream(join(FIXTURES, 'export.xml'), { highWaterMark: 512 }), catalog));
    const by = (metric: string) => samples.filter((s) => s.metric === metric);
    const hr = by('heart-rate');
    expect(hr.map((s) => [s.value, s.unit, s.context])).toEqual([[62, '/min', 'sedentary'], [118, '/min', 'active']]);
    expect(hr[0]!.start).toBe(Date.parse('2024-03-01T12:15:22Z'));
    expect(hr[0]!.source).toBe('Ana’s Apple Watch');
    expect(hr[0]!.sourceKind).toBe('watch');
    expect(hr[0]!.device).toContain('hardware:Watch6,1');
    expect(by('oxygen-saturation')[0]).toMatchObject({ value: 97, unit: '%' });
    expect(by('body-temperature')[0]).toMatchObject({ value: 37, unit: 'Cel' });
    expect(by('body-weight')[0]!.value).toBeCloseTo(68.0389, 4);
    expect(by('hrv-sdnn')[0]).toMatchObject({ value: 48.3724, unit: 'ms' });
    expect(by('hrv-rmssd')).toEqual([]);
    expect(by('respiratory-rate')[0]).toMatchObject({ value: 14.5, unit: '/min' });
    expect(by('resting-heart-rate')[0]!.value).toBe(58);
    expect(by('steps').map((s) => [s.value, s.sourceKind])).toEqual([[640, 'phone'], [702, 'watch']]);
    expect(by('active-energy')[0]).toMatchObject({ value: 38.5, unit: 'kcal' });
    expect(by('sleep-deep')[0]).toMatchObject({ value: 70, unit: 'min' });
    expect(by('sleep-core').map((s) => s.value)).toEqual([120, 135]);
    expect(by('sleep-rem')[0]!.value).toBe(90);
    expect(by('sleep-awake')[0]!.value).toBe(15);
    expect(by('sleep-in-bed')[0]!.value).toBe(450);
    expect(samples).toHaveLength(17);
  });

  it('reports malformed records with line and reason, and ignores Workout and ActivitySummary', async () => {
    const { issues } = await collect(importAppleHealthXml(createReadStream(join(FIXTURES, 'export.xml')), catalog));
    expect(issues.map((i) => i.reason)).toEqual([
      expect.stringContaining('invalid date "2024-03-02 25:15:00 -0500"'),
      expect.stringContaining('outside the plausible range'),
      expect.stringContaining('unit "stone" is not accepted for body-weight'),
      'unsupported record type HKQuantityTypeIdentifierDietaryWater',
    ]);
    expect(issues.every((i) => typeof i.line === 'number' && i.line > 50)).toBe(true);
  });

  it('streams the export.xml entry out of export.zip', async () => {
    const { samples, issues } = await collect(importAppleHealthXml(await openAppleHealthZip(join(FIXTURES, 'export.zip')), catalog));
    expect(samples).toHaveLength(17);
    expect(issues).toHaveLength(4);
  });

  it('rejects a file that is not a zip and XML that is not well-formed or not an export', async () => {
    await expect(openAppleHealthZip(join(FIXTURES, 'export.xml'))).rejects.toMatchObject({ code: 'WEARABLES_BAD_ZIP', status: 400 });
    await expect(collect(importAppleHealthXml(chunks('<HealthData><Record type="x"></HealthData>'), catalog))).rejects.toMatchObject({ code: 'WEARABLES_MALFORMED_XML' });
    await expect(collect(importAppleHealthXml(chunks('<html/>'), catalog))).rejects.toMatchObject({ code: 'WEARABLES_NOT_APPLE_HEALTH', status: 422 });
  });

  it('streams: items come out while the document is still being read, whatever its size', async () => {
    const records = 50_000;
    let pulled = 0;
    async function* bigExport(): AsyncGenerator<string> {
      yield '<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n<ExportDate value="2024-03-03 09:00:00 -0500"/>\n';
      for (let i = 0; i < records; i += 100) {
        pulled++;
        let chunk = '';
        for (let j = i; j < i + 100; j++) {
          const t = new Date(Date.UTC(2024, 0, 1) + j * 60_000).toISOString().replace('T', ' ').slice(0, 19);
          chunk += ` <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" unit="count/min" startDate="${t} +0000" endDate="${t} +0000" value="${60 + (j % 40)}"/>\n`;
        }
        yield chunk;
      }
      yield '</HealthData>\n';
    }
    let first: number | undefined;
    let n = 0;
    for await (const item of importAppleHealthXml(bigExport(), catalog)) {
      if (first === undefined) first = pulled;
      if (item.type === 'sample') n++;
    }
    expect(n).toBe(records);
    expect(first).toBe(1); // the first sample is out after the first chunk of records, not after the whole file
  });
});
