// Declared assayed positions (BED): a panel VCF that writes only its variant sites is called as if the rest were reference.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../cli/program.ts';
import { createVcfCaller } from '../matcher/caller.ts';
import { loadAlleleDefinitions } from '../matcher/definitions.ts';
import { geneRecords, recordLine, vcfHeader } from '../synthetic/allele-vcf.ts';
import { covers, parseBed } from './bed.ts';

const dir = mkdtempSync(join(tmpdir(), 'pgx-bed-'));
const def = loadAlleleDefinitions().genes.find((g) => g.gene === 'CYP2C19')!;
const variantsOnly = geneRecords(def, [['*2', '*2']]).filter((r) => r.gts[0] !== '0/0');
const vcf = join(dir, 'variants-only.vcf');
writeFileSync(vcf, vcfHeader(['P']) + variantsOnly.map((r) => recordLine(r)).join('\n') + '\n');
const first = Math.min(...def.positions.map((p) => p.position));
const last = Math.max(...def.positions.map((p) => p.position));

describe('BED assayed regions', () => {
  it('parses UCSC BED (0-based, end exclusive), skipping headers; bad lines name their number', () => {
    const r = parseBed('track name=panel\n# comment\n10\t99\t200\textra\nchr10\t300\t301\n');
    expect(covers(r, 'chr10', 99)).toBe(false);
    expect(covers(r, 'chr10', 100)).toBe(true);
    expect(covers(r, 'chr10', 200)).toBe(true);
    expect(covers(r, 'chr10', 201)).toBe(false);
    expect(covers(r, 'chr10', 301)).toBe(true);
    expect(() => parseBed('chr1\t10\n')).toThrow(/line 1: a BED line needs/);
    expect(() => parseBed('chr1\t1\t2\nchr1\tx\t5\n')).toThrow(/line 2: start "x"/);
    expect(() => parseBed('chr1\t5\t5\n')).toThrow(/line 1: end 5 must be greater/);
  });

  it('without a BED, positions absent from a variants-only VCF are no-calls', async () => {
    const { calls } = await createVcfCaller()(vcf, { allMatches: false });
    const c = calls.find((x) => x.gene === 'CYP2C19')!;
    expect(c.missingPositions.length).toBe(def.positions.length - variantsOnly.length);
    expect(c.assumedReference).toBeUndefined();
  });

  it('with a BED covering the gene, they count as reference, and the call says so', async () => {
    const bed = join(dir, 'panel.bed');
    writeFileSync(bed, `chr10\t${first - 1}\t${last}\n`);
    const { calls } = await createVcfCaller()(vcf, { allMatches: false, assayed: bed });
    const c = calls.find((x) => x.gene === 'CYP2C19')!;
    expect(c.diplotypes.map((d) => d.name)).toEqual(['*2/*2']);
    expect(c.missingPositions).toEqual([]);
    expect(c.assumedReference).toBe(true);
    expect(c.warnings.find((w) => w.code === 'ASSUMED_REFERENCE')?.message).toMatch(new RegExp(`^CYP2C19: ${def.positions.length - variantsOnly.length} position`));
    // Genes outside the BED are untouched.
    expect(calls.find((x) => x.gene === 'CYP2C9')?.assumedReference).toBeUndefined();
  });

  it('flaura pgx call --assayed-positions: the JSON report marks the gene assumedReference', async () => {
    const bed = join(dir, 'cli.bed');
    writeFileSync(bed, `chr10\t${first - 1}\t${last}\n`);
    const out = join(dir, 'out');
    await buildProgram().exitOverride().parseAsync(['node', 'flaura', 'pgx', 'call', vcf, '--assayed-positions', bed, '--format', 'json', '--out', out]);
    const file = readdirSync(out).find((f) => f.endsWith('.json'))!;
    const report = JSON.parse(readFileSync(join(out, file), 'utf8')) as { genes: { gene: string; diplotypes: string[]; assumedReference: boolean; phenotype: string }[] };
    expect(report.genes.find((g) => g.gene === 'CYP2C19')).toMatchObject({ diplotypes: ['*2/*2'], phenotype: 'Poor Metabolizer', assumedReference: true });
    expect(report.genes.find((g) => g.gene === 'CYP2C9')?.assumedReference).toBe(false);
  });
});
