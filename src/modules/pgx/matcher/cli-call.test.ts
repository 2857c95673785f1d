// End to end through `flaura pgx call` (src/cli/program.ts): a CYP2C19 *2/*2 VCF → Poor Metabolizer, clopidogrel.
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../cli/program.ts';
import { vcfText, writeVcf } from '../vcf/vcf-builder.test-support.ts';
import type { TestRecord } from '../vcf/vcf-builder.test-support.ts';
import { loadAlleleDefinitions } from './definitions.ts';

/** A VCF record per CYP2C19 position carrying *2 on both strands (IUPAC R resolved to the ALT that fits). */
function cyp2c19Star2Records(): TestRecord[] {
  const def = loadAlleleDefinitions().genes.find((g) => g.gene === 'CYP2C19');
  const star2 = def?.alleles.find((a) => a.name === '*2');
  if (!def || !star2) throw new Error('CYP2C19 *2 not defined');
  const defining = new Map(star2.defining);
  return def.positions.map((p, i) => {
    const want = defining.get(i);
    const options = [p.ref, ...p.alts];
    const fits = (o: string): boolean => o === want || (want === 'R' && (o === 'A' || o === 'G'));
    const idx = want === undefined ? 0 : options.findIndex((o, k) => k > 0 && fits(o));
    if (idx < 0) throw new Error(`no ALT fits ${want} at ${p.position}`);
    return { chrom: p.chromosome.replace(/^chr/, ''), pos: p.position, ref: p.ref, alt: p.alts.join(','), gts: [`${idx}/${idx}`] };
  });
}

describe('flaura pgx call with the VCF matcher wired', () => {
  it('calls CYP2C19 *2/*2 from a VCF and reports Poor Metabolizer with clopidogrel guidance', async () => {
    const vcf = writeVcf(vcfText(cyp2c19Star2Records(), { samples: ['P1'] }), true);
    const out = await mkdtemp(join(tmpdir(), 'pgx-cli-vcf-'));
    await buildProgram().exitOverride().parseAsync(['node', 'flaura', 'pgx', 'call', vcf, '--format', 'json', '--out', out]);
    const file = (await readdir(out)).find((f) => f.endsWith('.json'));
    if (!file) throw new Error('no JSON report written');
    const report = JSON.parse(await readFile(join(out, file), 'utf8')) as { sample: string; genes: Array<{ gene: string; phenotype: string; diplotypes?: unknown }>; drugs: Array<{ drug: string; status: string; genes?: unknown }> };
    expect(report.sample).toBe('P1');
    const cyp = report.genes.find((g) => g.gene === 'CYP2C19');
    expect(cyp?.phenotype).toBe('Poor Metabolizer');
    expect(JSON.stringify(cyp)).toContain('*2/*2');
    const clopidogrel = report.drugs.find((d) => d.drug === 'clopidogrel');
    expect(clopidogrel?.status).toBe('recommendation');
    expect(JSON.stringify(clopidogrel)).toMatch(/Poor Metabolizer/);
  });
});
