// gVCF blocks through the caller: reference blocks cover their positions; blocks with a no-call or a non-reference GT
// leave them not called, say so in the call, and are not overridden by a BED of assayed positions.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { geneRecords, recordLine, vcfHeader } from '../synthetic/allele-vcf.ts';
import { createVcfCaller } from './caller.ts';
import { loadAlleleDefinitions } from './definitions.ts';

const dir = mkdtempSync(join(tmpdir(), 'pgx-gvcf-'));
const def = loadAlleleDefinitions().genes.find((g) => g.gene === 'CYP2C19')!;
const variants = geneRecords(def, [['*1', '*2']]).filter((r) => r.gts[0] !== '0/0');
const positions = def.positions.map((p) => p.position).sort((a, b) => a - b);
const firstVariant = Math.min(...variants.map((r) => r.position));
/** The definition positions before the first variant site: the test puts them in a block without a reference call. */
const before = positions.filter((p) => p < firstVariant);
const last = positions.at(-1)!;

/** A gVCF: a block with `gt` over the positions before the first variant, a 0/0 block up to the end, and the variant records. */
function gvcf(gt: string): string {
  const path = join(dir, `${gt.replace(/\W/g, '_')}.g.vcf`);
  const blocks = [
    ['chr10', before[0]! - 1, '.', 'N', '<NON_REF>', '.', '.', `END=${firstVariant - 1}`, 'GT', gt].join('\t'),
    ['chr10', firstVariant - 1, '.', 'N', '<NON_REF>', '.', '.', `END=${last + 10}`, 'GT', '0/0'].join('\t'),
  ];
  const lines = [blocks[0]!, ...variants.map((r) => recordLine({ ...r, alts: [...r.alts, '<NON_REF>'] })), blocks[1]!];
  writeFileSync(path, vcfHeader(['G']) + lines.join('\n') + '\n');
  return path;
}

describe('gVCF blocks', () => {
  it('the test data has positions before the first variant site', () => {
    expect(before.length).toBeGreaterThan(0);
  });

  it('a 0/0 block covers its positions: the gene is called with nothing missing', async () => {
    const { calls } = await createVcfCaller()(gvcf('0/0'), { allMatches: false });
    const c = calls.find((x) => x.gene === 'CYP2C19')!;
    expect(c.diplotypes.map((d) => d.name)).toEqual(['*1/*2']);
    expect(c.missingPositions).toEqual([]);
  });

  for (const [gt, reason] of [['./.', 'no-call'], ['0/1', 'non-reference'], ['.', 'no-call']] as const) {
    it(`a block with GT ${gt}: its positions are no-calls, with GVCF_BLOCK_NOT_CALLED (${reason}); a BED does not fill them`, async () => {
      const bed = join(dir, 'gene.bed');
      writeFileSync(bed, `chr10\t${positions[0]! - 1}\t${last}\n`);
      for (const assayed of [undefined, bed]) {
        const { calls } = await createVcfCaller()(gvcf(gt), { allMatches: false, ...(assayed ? { assayed } : {}) });
        const c = calls.find((x) => x.gene === 'CYP2C19')!;
        expect(c.missingPositions.length).toBe(before.length);
        const w = c.warnings.find((x) => x.code === 'GVCF_BLOCK_NOT_CALLED');
        expect(w?.message).toContain(`(${reason})`);
        expect(c.assumedReference).toBeUndefined();
        expect(c.diplotypes.map((d) => d.name)).toContain('*1/*2');
      }
    });
  }
});
