// `flaura import pgx` end to end through the real program (embedded PGlite in a temporary data directory).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../test/run-cli.ts';
import { loadConfig } from '../../../config.ts';
import { createFlaura } from '../../../server.ts';
import { loadAlleleDefinitions } from '../matcher/definitions.ts';
import { panelVcf } from '../synthetic/allele-vcf.ts';

const dir = mkdtempSync(join(tmpdir(), 'flaura-pgx-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withFlaura<T>(fn: (f: Awaited<ReturnType<typeof createFlaura>>) => Promise<T>): Promise<T> {
  const flaura = await createFlaura(loadConfig({ dataDir: join(dir, 'data'), logLevel: 'silent' }));
  try {
    return await fn(flaura);
  } finally {
    await flaura.close();
  }
}

describe('flaura import pgx', () => {
  it('stores a VCF for a patient, prints a summary, and is idempotent', async () => {
    await withFlaura((f) => f.store.update({ resourceType: 'Patient', id: 'cli-1', gender: 'male' }));
    const vcf = join(dir, 'james.vcf');
    writeFileSync(vcf, panelVcf(loadAlleleDefinitions().genes, { SLCO1B1: ['*5', '*5'] }, { sample: 'JAMES' }));
    const first = await runCli(['import', 'pgx', '--patient', 'cli-1', '--data', join(dir, 'data'), vcf]);
    expect(first[0]).toMatch(/^Stored PGx result DiagnosticReport\/\S+ for Patient\/cli-1: \d+ resources in one transaction; 0 older/);
    expect(first.find((l) => l.includes('SLCO1B1'))).toMatch(/SLCO1B1\s+\*5\/\*5\s+Poor Function \(vcf\)/);
    const again = await runCli(['import', 'pgx', '--patient', 'cli-1', '--data', join(dir, 'data'), vcf]);
    expect(again[0]).toMatch(/^Already stored for Patient\/cli-1/);
    const stored = await withFlaura((f) => f.store.search('Observation', 'subject=Patient/cli-1&code=http://loinc.org|84413-4&_count=1000'));
    const texts = ((stored as Bundle).entry ?? []).map((e) => (e.resource as Observation).valueCodeableConcept?.text);
    expect(texts).toContain('SLCO1B1 *5/*5');
  }, 60_000);

  it('--cyp2d6-from-vcf calls CYP2D6 from the VCF and says the call has no copy number; refused without a VCF', async () => {
    await withFlaura((f) => f.store.update({ resourceType: 'Patient', id: 'cli-2', gender: 'female' }));
    const defs = loadAlleleDefinitions();
    const vcf = join(dir, 'amara.vcf');
    writeFileSync(vcf, panelVcf([...defs.genes, ...defs.optIn], { CYP2D6: ['*1', '*17'] }, { sample: 'AMARA' }));
    const lines = await runCli(['import', 'pgx', '--patient', 'cli-2', '--data', join(dir, 'data'), '--cyp2d6-from-vcf', vcf]);
    expect(lines.find((l) => l.includes('CYP2D6'))).toMatch(/CYP2D6\s+\*1\/\*17\s+Normal Metabolizer \(vcf; CYP2D6_COPY_NUMBER_NOT_ASSESSED\)/);
    const stored = await withFlaura((f) => f.store.search('Observation', 'subject=Patient/cli-2&code=http://loinc.org|84413-4&_count=1000'));
    const genotype = ((stored as Bundle).entry ?? []).map((e) => e.resource as Observation).find((o) => o.valueCodeableConcept?.text === 'CYP2D6 *1/*17');
    expect(genotype?.note?.some((n) => n.text?.startsWith('CYP2D6_COPY_NUMBER_NOT_ASSESSED: '))).toBe(true);
    const lab = join(dir, 'lab.tsv');
    writeFileSync(lab, 'gene\tdiplotype\nCYP2D6\t*1/*2\n');
    await expect(runCli(['import', 'pgx', '--patient', 'cli-2', '--data', join(dir, 'data'), '--cyp2d6-from-vcf', lab])).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/this upload has no VCF/) });
  }, 60_000);

  it('exits non-zero with the reason on a bad file', async () => {
    const bad = join(dir, 'bad.vcf');
    writeFileSync(bad, '##fileformat=VCFv4.2\nchr1\t1\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\n');
    await expect(runCli(['import', 'pgx', '--patient', 'cli-1', '--data', join(dir, 'data'), bad])).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/line 2/) });
  }, 60_000);
});
