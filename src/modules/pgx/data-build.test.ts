// The committed PGx data is exactly what the build script produces from the reference copy (deterministic build).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const SOURCE = process.env.PGX_SOURCE_DIR ?? '/work/shared/reference/pgx';

describe('scripts/pgx-data/build-guidance.ts', () => {
  it.skipIf(!existsSync(SOURCE))('rebuilds byte-identical data/pgx/{phenotypes,guidance}', async () => {
    const out = await mkdtemp(join(tmpdir(), 'pgx-build-'));
    await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/pgx-data/build-guidance.ts')], { env: { ...process.env, PGX_OUT_DIR: out }, cwd: ROOT });
    for (const sub of ['phenotypes', 'guidance/cpic', 'guidance/dpwg']) {
      const committed = readdirSync(join(ROOT, 'data/pgx', sub)).sort();
      expect(readdirSync(join(out, sub)).sort()).toEqual(committed);
      for (const f of committed) expect(readFileSync(join(out, sub, f), 'utf8') === readFileSync(join(ROOT, 'data/pgx', sub, f), 'utf8'), `${sub}/${f}`).toBe(true);
    }
  }, 120_000);
});
