// DPYD lowest-function logic (CPIC DPYD guideline 2018; PharmCAT): unphased data reports the variants found and scores
// the two lowest-function ones even when a pair fits; phased data scores the lowest-function allele of each strand.
// VCFs written from the allele definitions (c.1905+1G>A = *2A, c.2846A>T, HapB3).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPgx } from '../pipeline.ts';
import { panelVcf } from '../synthetic/allele-vcf.ts';
import { callVcf } from './caller.ts';
import { loadAlleleDefinitions } from './definitions.ts';

const { genes: defs } = loadAlleleDefinitions();
const dpyd = defs.find((g) => g.gene === 'DPYD')!;
const dir = mkdtempSync(join(tmpdir(), 'pgx-dpyd-'));
let n = 0;
const A2 = 'c.1905+1G>A (*2A)';
const T2846 = 'c.2846A>T';
const HAPB3 = 'c.1129-5923C>G, c.1236G>A (HapB3)';

/** `chr:pos` of every defining position of an allele. */
function keysOf(name: string): string[] {
  const a = dpyd.alleles.find((x) => x.name === name)!;
  return a.defining.map(([i]) => `${dpyd.positions[i]!.chromosome}:${dpyd.positions[i]!.position}`);
}

/** A panel VCF, reference everywhere, with the given GT at the positions of the named DPYD alleles (`drop`: left out). */
async function run(gts: Array<[string, string]>, drop: string[] = []) {
  const set = new Map(gts.flatMap(([allele, gt]) => keysOf(allele).map((k) => [k, gt] as const)));
  const lines = panelVcf(defs, {}).trimEnd().split('\n').filter((line) => !drop.includes(line.split('\t').slice(0, 2).join(':'))).map((line) => {
    const f = line.split('\t');
    const gt = set.get(`${f[0]}:${f[1]}`);
    return gt && !line.startsWith('#') ? [...f.slice(0, 9), gt].join('\t') : line;
  });
  const path = join(dir, `d${n++}.vcf`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  const r = await runPgx({ vcf: path }, callVcf);
  return { r, g: r.genes.find((x) => x.gene === 'DPYD')! };
}

describe('DPYD lowest-function alleles', () => {
  it('unphased *2A + c.2846A>T: the pair fits and is shown, both variants reported, the score is from the two lowest (0 + 0.5)', async () => {
    const { r, g } = await run([[A2, '0/1'], [T2846, '0/1']]);
    expect(g.call.diplotypes.map((d) => d.name)).toEqual([`${A2}/${T2846}`]);
    expect([...(g.call.haplotypes ?? [])].sort()).toEqual([A2, T2846].sort());
    expect(g.phenotypes).toEqual([expect.objectContaining({ activityScore: '0.5', phenotype: 'Poor Metabolizer', lookupKey: '0.5' })]);
    expect(g.warnings.find((w) => w.code === 'DPYD_LOWEST_FUNCTION')?.message).toMatch(/unphased data: the pairing is not used/);
    expect(r.drugs.find((d) => d.drug === 'capecitabine')?.recommendations.find((x) => x.source === 'CPIC')?.lookupKey).toEqual({ DPYD: '0.5' });
  });

  it('unphased with a third variant (HapB3): no pair fits, the two lowest of the three (*2A 0, one 0.5) give 0.5', async () => {
    const { g } = await run([[A2, '0/1'], [T2846, '0/1'], [HAPB3, '0/1']]);
    expect(g.call.diplotypes).toEqual([]);
    expect([...(g.call.haplotypes ?? [])].sort()).toEqual([A2, T2846, HAPB3].sort());
    expect(g.phenotypes[0]).toMatchObject({ activityScore: '0.5', phenotype: 'Poor Metabolizer' });
  });

  it('unphased HapB3 heterozygote: HapB3 alone is reported (not also its intronic part), 0.5 + 1 = 1.5', async () => {
    const { g } = await run([[HAPB3, '0/1']]);
    expect(g.call.haplotypes).toEqual([HAPB3]);
    expect(g.phenotypes[0]).toMatchObject({ activityScore: '1.5', phenotype: 'Intermediate Metabolizer' });
  });

  it('intronic HapB3 SNP heterozygous with the exonic one not genotyped: one decreased-function variant, 0.5 + 1 = 1.5, not counted twice', async () => {
    const exonic = keysOf(HAPB3).find((k) => !keysOf('c.1129-5923C>G').includes(k))!;
    // Without the exonic position, HapB3 and the intron-only allele rest on the same evidence.
    const { g } = await run([['c.1129-5923C>G', '0/1']], [exonic]);
    expect(g.call.missingPositions.some((m) => m.startsWith(exonic))).toBe(true);
    expect(g.call.haplotypes).toEqual(['c.1129-5923C>G']);
    expect(g.phenotypes[0]).toMatchObject({ activityScore: '1.5', phenotype: 'Intermediate Metabolizer' });
    // With the exonic position genotyped reference: the same.
    const { g: withExon } = await run([['c.1129-5923C>G', '0/1']]);
    expect(withExon.call.haplotypes).toEqual(['c.1129-5923C>G']);
    expect(withExon.phenotypes[0]).toMatchObject({ activityScore: '1.5' });
  });

  it('unphased homozygous c.2846A>T: reported twice and scored 0.5 + 0.5 = 1.0', async () => {
    const { g } = await run([[T2846, '1/1']]);
    expect(g.call.haplotypes).toEqual([T2846, T2846]);
    expect(g.phenotypes[0]).toMatchObject({ activityScore: '1.0', phenotype: 'Intermediate Metabolizer' });
  });

  it('phased in trans (*2A|c.2846A>T): the pair, 0.5, no lowest-function warning', async () => {
    const { g } = await run([[A2, '1|0'], [T2846, '0|1']]);
    expect(g.call.phased).toBe(true);
    expect(g.call.diplotypes.map((d) => d.name)).toEqual([`${A2}/${T2846}`]);
    expect(g.phenotypes[0]).toMatchObject({ activityScore: '0.5' });
    expect(g.warnings.map((w) => w.code)).not.toContain('DPYD_LOWEST_FUNCTION');
  });

  it('phased in cis (both on one strand): lowest per strand, *2A and Reference → 1.0 Intermediate (unphased would give 0.5)', async () => {
    const { g } = await run([[A2, '1|0'], [T2846, '1|0']]);
    expect(g.call.diplotypes).toEqual([]);
    expect(g.call.haplotypeStrands).toEqual([[A2, T2846].sort((a, b) => dpyd.alleles.findIndex((x) => x.name === a) - dpyd.alleles.findIndex((x) => x.name === b)), []]);
    expect(g.phenotypes[0]).toMatchObject({ diplotype: `${A2}/Reference`, activityScore: '1.0', phenotype: 'Intermediate Metabolizer' });
    expect(g.warnings.find((w) => w.code === 'DPYD_LOWEST_FUNCTION')?.message).toMatch(/each strand/);
  });
});
