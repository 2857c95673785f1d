// VCF reader: headers, chr prefixes, GT forms, multi-allelic ALT, samples, gzip/bgzip and error line numbers.
import { describe, expect, it } from 'vitest';
import { FlauraError } from '../../../errors.ts';
import { readVcf } from './reader.ts';
import { vcfText, writeVcf } from './vcf-builder.test-support.ts';

const POSITIONS = new Set(['chr10:100', 'chr10:200', 'chr10:300']);

async function failure(text: string, opts: { sample?: string } = {}): Promise<FlauraError> {
  try {
    await readVcf(writeVcf(text), { positions: POSITIONS, ...opts });
  } catch (e) {
    if (e instanceof FlauraError) return e;
    throw e;
  }
  throw new Error('expected a FlauraError');
}

describe('readVcf', () => {
  it('keeps only the requested positions, normalizes chr and parses / and | genotypes', async () => {
    const text = vcfText([
      { chrom: '10', pos: 100, ref: 'C', alt: 'T', gts: ['0/1'] },
      { chrom: 'chr10', pos: 150, ref: 'A', alt: 'G', gts: ['1/1'] },
      { chrom: 'CHR10', pos: 200, ref: 'G', alt: 'A', gts: ['1|0'] },
    ]);
    const { sample, genotypes } = await readVcf(writeVcf(text), { positions: POSITIONS });
    expect(sample).toBe('S1');
    expect([...genotypes.keys()]).toEqual(['chr10:100', 'chr10:200']);
    expect(genotypes.get('chr10:100')).toMatchObject({ alleles: ['C', 'T'], phased: false });
    expect(genotypes.get('chr10:200')).toMatchObject({ alleles: ['A', 'G'], phased: true });
  });

  it('resolves multi-allelic ALT indices, no-calls and haploid calls', async () => {
    const text = vcfText([
      { chrom: 'chr10', pos: 100, ref: 'C', alt: 'T,G', gts: ['1/2'] },
      { chrom: 'chr10', pos: 200, ref: 'G', alt: 'A', gts: ['./.'] },
      { chrom: 'chr10', pos: 300, ref: 'TG', alt: 'T', gts: ['1'] },
    ]);
    const { genotypes } = await readVcf(writeVcf(text), { positions: POSITIONS });
    expect(genotypes.get('chr10:100')?.alleles).toEqual(['T', 'G']);
    expect(genotypes.get('chr10:200')?.alleles).toBeNull();
    expect(genotypes.get('chr10:300')?.alleles).toEqual(['T', 'T']);
  });

  it('prefers a called, non-reference record when a position appears twice (split multi-allelic)', async () => {
    const text = vcfText([
      { chrom: '10', pos: 100, ref: 'C', alt: 'T', gts: ['0/0'] },
      { chrom: '10', pos: 100, ref: 'C', alt: 'G', gts: ['0/1'] },
      { chrom: '10', pos: 200, ref: 'G', alt: 'A', gts: ['0/1'] },
      { chrom: '10', pos: 200, ref: 'G', alt: 'T', gts: ['0/0'] },
      { chrom: '10', pos: 300, ref: 'T', alt: 'A', gts: ['./.'] },
      { chrom: '10', pos: 300, ref: 'T', alt: 'C', gts: ['1/1'] },
    ]);
    const { genotypes } = await readVcf(writeVcf(text), { positions: POSITIONS });
    expect(genotypes.get('chr10:100')?.alleles).toEqual(['C', 'G']);
    expect(genotypes.get('chr10:200')?.alleles).toEqual(['G', 'A']);
    expect(genotypes.get('chr10:300')?.alleles).toEqual(['C', 'C']);
  });

  it('reads gVCF homozygous-reference blocks (END=) over kept positions; a later real record replaces them', async () => {
    const header = vcfText([]);
    const body = [
      '10\t100\t.\tC\t<NON_REF>\t.\t.\tEND=250\tGT:DP\t0/0:20',
      '10\t260\t.\tA\t<*>\t.\t.\tEND=400\tGT:DP\t0/1:20',
      '10\t200\t.\tG\tA,<NON_REF>\t.\t.\t.\tGT:DP\t0/1:20',
    ].join('\n') + '\n';
    const { genotypes } = await readVcf(writeVcf(header + body), { positions: POSITIONS });
    expect(genotypes.get('chr10:100')?.alleles).toEqual(['C', 'C']);
    const inside = await readVcf(writeVcf(header + '10\t90\t.\tA\t<NON_REF>\t.\t.\tEND=150\tGT\t0/0\n'), { positions: POSITIONS });
    expect(inside.genotypes.get('chr10:100')).toMatchObject({ blockReference: true, alleles: null });
    expect(inside.genotypes.has('chr10:200')).toBe(false);
    expect(genotypes.get('chr10:200')?.alleles).toEqual(['G', 'A']);
    // The 0/1 block over 260-400: chr10:300 is not called (a non-reference allele of unknown sequence).
    expect(genotypes.get('chr10:300')).toMatchObject({ alleles: null, blockNotCalled: 'non-reference' });
  });

  it('gVCF blocks with a no-call GT leave their positions not called, marked; a called <NON_REF> allele is a no-call', async () => {
    const header = vcfText([]);
    const body = [
      '10	50	.	A	<NON_REF>	.	.	END=150	GT:DP	./.:0',
      '10	200	.	G	A,<NON_REF>	.	.	.	GT:DP	0/2:20',
      '10	250	.	A	<*>	.	.	END=350	GT	.',
    ].join('\n') + '\n';
    const { genotypes } = await readVcf(writeVcf(header + body), { positions: POSITIONS });
    expect(genotypes.get('chr10:100')).toMatchObject({ alleles: null, blockNotCalled: 'no-call' });
    expect(genotypes.get('chr10:200')).toMatchObject({ alleles: null, ref: 'G' });
    expect(genotypes.get('chr10:300')).toMatchObject({ alleles: null, blockNotCalled: 'no-call' });
  });

  it('selects a sample by name and rejects an unknown one', async () => {
    const text = vcfText([{ chrom: '10', pos: 100, ref: 'C', alt: 'T', gts: ['0/0', '1/1'] }], { samples: ['A', 'B'] });
    const { sample, genotypes } = await readVcf(writeVcf(text), { positions: POSITIONS, sample: 'B' });
    expect(sample).toBe('B');
    expect(genotypes.get('chr10:100')?.alleles).toEqual(['T', 'T']);
    const err = await failure(text, { sample: 'C' });
    expect(err.code).toBe('PGX_VCF_SAMPLE_UNKNOWN');
    expect(err.message).toMatch(/"C".*A, B/);
  });

  it('reads gzip and multi-member (bgzip-like) files and reports progress', async () => {
    const text = vcfText([{ chrom: '10', pos: 100, ref: 'C', alt: 'T', gts: ['0/1'] }, { chrom: '10', pos: 300, ref: 'TG', alt: 'T', gts: ['1/1'] }]);
    const seen: number[] = [];
    const { genotypes } = await readVcf(writeVcf(text, true), { positions: POSITIONS, onProgress: (b) => seen.push(b) });
    expect(genotypes.get('chr10:300')?.alleles).toEqual(['T', 'T']);
    expect(genotypes.size).toBe(2);
    expect(seen.length).toBeGreaterThan(0);
  });

  it('rejects missing headers with the line number', async () => {
    expect((await failure('#CHROM\tPOS\n')).message).toMatch(/^line 1: .*##fileformat/);
    const noChrom = '##fileformat=VCFv4.2\n10\t100\t.\tC\tT\t.\t.\t.\tGT\t0/1\n';
    expect((await failure(noChrom)).message).toMatch(/^line 2: expected the #CHROM/);
    expect((await failure('')).code).toBe('PGX_VCF_INVALID');
  });

  it('rejects malformed records with their line number', async () => {
    const base = vcfText([{ chrom: '10', pos: 100, ref: 'C', alt: 'T', gts: ['0/1'] }]);
    expect((await failure(base + '10\tabc\t.\tC\tT\t.\t.\t.\tGT\t0/1\n')).message).toMatch(/^line 4: .*POS "abc"/);
    expect((await failure(base + '10\t200\t.\tG\tA\t.\t.\t.\tGT\t0/3\n')).message).toMatch(/^line 4: .*ALT 3/);
    expect((await failure(base + '10\t200\t.\tG\tA\t.\t.\t.\tGT\n')).message).toMatch(/^line 4: .*columns/);
    expect((await failure(base + 'garbage\n')).message).toMatch(/^line 4: /);
  });

  it('rejects a GRCh37/hg19 reference', async () => {
    const err = await failure(vcfText([], { meta: ['##reference=file:///refs/hs37d5.fa'] }));
    expect(err.code).toBe('PGX_VCF_WRONG_BUILD');
    expect(err.message).toMatch(/^line 2: .*GRCh38/);
    const ok = await readVcf(writeVcf(vcfText([], { meta: ['##reference=GRCh38.fa'] })), { positions: POSITIONS });
    expect(ok.genotypes.size).toBe(0);
  });

  it('rejects an unreadable file and a corrupt gzip cleanly', async () => {
    await expect(readVcf('/nonexistent/x.vcf', { positions: POSITIONS })).rejects.toMatchObject({ code: 'PGX_INPUT_UNREADABLE' });
    const path = writeVcf('x');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5]));
    await expect(readVcf(path, { positions: POSITIONS })).rejects.toMatchObject({ code: 'PGX_VCF_INVALID' });
  });
});
