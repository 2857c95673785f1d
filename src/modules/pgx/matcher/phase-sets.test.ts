// Phase sets (FORMAT PS): calls phased within a set, not across sets. CYP2B6 *6 = *4's 785A>G + *9's 516G>T in cis.
import { describe, expect, it } from 'vitest';
import { geneRecords, recordLine, vcfHeader } from '../synthetic/allele-vcf.ts';
import { readLines } from '../vcf/reader.ts';
import { loadAlleleDefinitions } from './definitions.ts';
import { matchGene } from './matcher.ts';
import { prepareGene } from './prepare.ts';

const def = loadAlleleDefinitions().genes.find((g) => g.gene === 'CYP2B6')!;
const gene = prepareGene(def);

/** *4 on strand 1 and *9 on strand 2 (trans), written phased; `ps` gives each heterozygous record's PS ('' = none). */
async function call(gts: (gt: string, index: number) => string, allMatches = false) {
  let het = 0;
  const lines = geneRecords(def, [['*4', '*9']], true).map((r) => {
    const gt = r.gts[0]!;
    const isHet = gt[0] !== gt[2];
    const written = isHet ? gts(gt, het++) : gt;
    return recordLine({ ...r, gts: [written] }, written.includes(':') ? 'GT:PS' : 'GT');
  });
  const text = vcfHeader(['S']) + lines.join('\n') + '\n';
  const { genotypes } = await readLines((async function* () { yield* text.split('\n'); })(), { positions: new Set(gene.keys) });
  return matchGene(gene, genotypes, { allMatches });
}

describe('phase sets', () => {
  it('one phase set (or none): the trans arrangement is *4/*9', async () => {
    expect((await call((gt) => gt)).diplotypes.map((d) => d.name)).toEqual(['*4/*9']);
    expect((await call((gt) => `${gt}:1000`)).diplotypes.map((d) => d.name)).toEqual(['*4/*9']);
  });

  it('the cis arrangement in one set is *1/*6', async () => {
    expect((await call((_gt) => '1|0:1000')).diplotypes.map((d) => d.name)).toEqual(['*1/*6']);
  });

  it('two phase sets: the orientation between them is unknown, so both arrangements are plausible', async () => {
    const c = await call((gt, i) => `${gt}:${i === 0 ? 1000 : 2000}`, true);
    expect(c.diplotypes.map((d) => d.name)).toEqual(['*1/*6', '*4/*9']);
    expect(c.phased).toBe(false);
    expect(c.warnings.map((w) => w.code)).toContain('PHASE_SETS');
    // Top-scoring call as for unphased data (PharmCAT scoring): *1/*6.
    expect((await call((gt, i) => `${gt}:${i === 0 ? 1000 : 2000}`)).diplotypes.map((d) => d.name)).toEqual(['*1/*6']);
  });

  it('a phased and an unphased heterozygous call mix the same way', async () => {
    const c = await call((gt, i) => (i === 0 ? gt : gt.replace('|', '/')), true);
    expect(c.diplotypes.map((d) => d.name)).toEqual(['*1/*6', '*4/*9']);
  });
});
