// data/wearables/metrics.json is exactly what scripts/wearables-data/build.ts produces, and its codes obey the profiles.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WEARABLES_DATA_DIR, loadMetricCatalog } from './catalog.ts';

const ROOT = join(import.meta.dirname, '../../../..');
const SOURCE = process.env.WEARABLES_SOURCE_DIR ?? '/work/shared/reference/wearables';

describe('data/wearables/metrics.json', () => {
  it.skipIf(!existsSync(SOURCE))('is rebuilt byte-identical by the build script', async () => {
    const out = await mkdtemp(join(tmpdir(), 'wearables-build-'));
    await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/wearables-data/build.ts')], { env: { ...process.env, WEARABLES_OUT_DIR: out }, cwd: ROOT });
    expect(readFileSync(join(out, 'metrics.json'), 'utf8') === readFileSync(join(DEFAULT_WEARABLES_DATA_DIR, 'metrics.json'), 'utf8')).toBe(true);
  }, 120_000);

  it('codes the Vital Signs metrics as the R4 profiles require', () => {
    const c = loadMetricCatalog();
    const vs = Object.fromEntries(c.metrics.filter((m) => m.vitalSignsProfile).map((m) => [m.id, [m.loinc?.code, ...m.extraCodings.map((x) => x.code), m.ucum, m.vitalSignsProfile!.split('/').at(-1)]]));
    expect(vs).toEqual({
      'heart-rate': ['8867-4', '/min', 'heartrate'],
      'resting-heart-rate': ['40443-4', '8867-4', '/min', 'heartrate'],
      'respiratory-rate': ['9279-1', '/min', 'resprate'],
      'oxygen-saturation': ['2708-6', '59408-5', '%', 'oxygensat'],
      'body-temperature': ['8310-5', 'Cel', 'bodytemp'],
      'body-weight': ['29463-7', 'kg', 'bodyweight'],
    });
    expect(c.byId.get('steps')).toMatchObject({ loinc: { code: '55423-8' }, ucum: '{steps}', vitalSignsProfile: null });
  });
});
