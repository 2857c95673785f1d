// The committed CDS data is what the build scripts make from their sources (the PDDI artifacts need ../shared).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const pddiSource = join(root, '..', 'shared', 'reference', 'ddi', 'pddi');
const tsx = (script: string, args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'ddi-data', script), ...args], { cwd: root, stdio: 'pipe' });

describe('CDS data builds', () => {
  it.skipIf(!existsSync(pddiSource))('data/ddi/pddi/rules.json is rebuilt identically from the HL7 PDDI artifacts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pddi-'));
    try {
      tsx('build-pddi-rules.ts', [pddiSource, join(dir, 'rules.json')]);
      expect(readFileSync(join(dir, 'rules.json'), 'utf8')).toBe(readFileSync(join(root, 'data', 'ddi', 'pddi', 'rules.json'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('the RxNorm map and the alternatives are rebuilt identically, each alternative named by the CPIC text it cites', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cds-data-'));
    try {
      tsx('build-pgx-cds-data.ts', [dir]);
      for (const f of ['rxnorm-drugs.json', 'pgx-alternatives.json']) expect(readFileSync(join(dir, f), 'utf8'), f).toBe(readFileSync(join(root, 'data', 'ddi', f), 'utf8'));
      const alternatives = JSON.parse(readFileSync(join(dir, 'pgx-alternatives.json'), 'utf8')) as { alternatives: { drug: string; alternative: string; recommendationIds: string[] }[] };
      expect(alternatives.alternatives.map((a) => `${a.drug}→${a.alternative}`)).toEqual(['clopidogrel→prasugrel', 'clopidogrel→ticagrelor']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
