// openImport picks the importer by format and file shape (zip/XML, JSON document/NDJSON) and refuses bad input.
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMetricCatalog } from '../metrics/catalog.ts';
import { openImport } from './open-import.ts';
import { collect, FIXTURES } from './test-support.ts';

const catalog = loadMetricCatalog();

describe('openImport', () => {
  it.each([
    ['export.xml', 'apple-health', 17, 4],
    ['export.zip', 'apple-health', 17, 4],
    ['fitbit-sleep.json', 'fitbit', 6, 1],
    ['omh-data-points.ndjson', 'omh', 8, 6],
    ['fhir-vitals-bundle.json', 'fhir', 2, 3],
    ['fhir-observations.ndjson', 'fhir', 2, 1],
  ] as const)('%s as %s → %i samples, %i issues', async (file, format, samples, issues) => {
    const r = await collect(await openImport(join(FIXTURES, file), format, catalog, { fitbit: { utcOffsetMinutes: 0 } }));
    expect([r.samples.length, r.issues.length]).toEqual([samples, issues]);
  });

  it('reads a JSON array of OMH data points and a FHIR resource array', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wearables-'));
    const omh = join(dir, 'points.json');
    await writeFile(omh, JSON.stringify([{ header: { id: 'a', creation_date_time: '2024-03-01T08:00:00Z', schema_id: { namespace: 'omh', name: 'heart-rate', version: '2.0' } }, body: { heart_rate: { value: 61, unit: 'beats/min' }, effective_time_frame: { date_time: '2024-03-01T07:00:00Z' } } }]));
    expect((await collect(await openImport(omh, 'omh', catalog))).samples.map((s) => s.value)).toEqual([61]);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"resourceType": "Bundle", ');
    await expect(openImport(bad, 'fhir', catalog)).rejects.toMatchObject({ code: 'WEARABLES_BAD_JSON', status: 400 });
    await expect(openImport(join(FIXTURES, 'fitbit-hrv.json'), 'fitbit', catalog)).rejects.toMatchObject({ code: 'WEARABLES_FITBIT_OFFSET_REQUIRED' });
  });
});
