// The committed data/pgx/alleles is exactly what scripts/pgx-data/build-alleles.ts produces (deterministic build).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../../..');
const SOURCE = process.env.PGX_ALLELES_SOURCE ?? '/work/shared/reference/pgx/pharmcat/allele-definitions';

describe('scripts/pgx-data/build-alleles.ts', () => {
  it.skipIf(!existsSync(SOURCE))('rebuilds byte-identical data/pgx/alleles', async () => {
    const out = await mkdtemp(join(tmpdir(), 'pgx-alleles-'));
    await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/pgx-data/build-alleles.ts')], { env: { ...process.env, PGX_OUT_DIR: out, PGX_ALLELES_SOURCE: SOURCE }, cwd: ROOT });
    const committed = readdirSync(join(ROOT, 'data/pgx/alleles')).sort();
    expect(readdirSync(out).sort()).toEqual(committed);
    for (const f of committed) expect(readFileSync(join(out, f), 'utf8') === readFileSync(join(ROOT, 'data/pgx/alleles', f), 'utf8'), f).toBe(true);
  }, 120_000);
});
