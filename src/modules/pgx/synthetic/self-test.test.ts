// The exhaustive self-test as a unit test: every pair for the genes that matter most in African populations and the
// small genes, a sample of pairs for every gene (the full run is scripts/pgx-data/self-test.ts, docs/methods/pgx-self-test.md).
import { describe, expect, it } from 'vitest';
import { loadAlleleDefinitions } from '../matcher/definitions.ts';
import { selfTestGene } from './self-test.ts';

const genes = loadAlleleDefinitions().genes;

describe('exhaustive self-test (every pair written as a VCF and called back)', () => {
  for (const name of ['CYP2B6', 'CYP2C19', 'CYP3A5', 'NUDT15', 'UGT1A1', 'ABCG2', 'VKORC1', 'IFNL3', 'CACNA1S']) {
    it(`${name}: every pair, unphased and phased, no misses; phased is always exact`, async () => {
      const def = genes.find((g) => g.gene === name)!;
      const unphased = await selfTestGene(def);
      const phased = await selfTestGene(def, { phased: true });
      expect(unphased.counts.miss, JSON.stringify(unphased.cases.filter((c) => c.kind === 'miss'))).toBe(0);
      expect(unphased.pairs).toBe((def.alleles.length * (def.alleles.length + 1)) / 2);
      expect(phased.counts.exact).toBe(phased.pairs);
    });
  }

  it('CYP2B6 unphased: *1/*6 outranks *4/*9 (the same genotypes), as PharmCAT scores', async () => {
    const r = await selfTestGene(genes.find((g) => g.gene === 'CYP2B6')!, { examples: 100 });
    expect(r.cases).toContainEqual(expect.objectContaining({ expected: '*4/*9', called: ['*1/*6'], kind: 'indistinguishable' }));
    expect(r.counts.exact + r.counts.tied + r.counts.indistinguishable).toBe(r.pairs);
  });

  it('every gene, every 41st pair: no misses', async () => {
    for (const def of genes) {
      for (const phased of [false, true]) {
        const r = await selfTestGene(def, { phased, select: (i) => i % 41 === 0 });
        expect(r.counts.miss, `${def.gene} ${phased ? 'phased' : 'unphased'}: ${JSON.stringify(r.cases.filter((c) => c.kind === 'miss'))}`).toBe(0);
      }
    }
  }, 120_000);
});
