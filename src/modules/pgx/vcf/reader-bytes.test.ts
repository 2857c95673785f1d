// The byte-level reader (readVcfBytes, readVcfCohortBytes, DataLineFilter): the genotypes and errors of the
// line-by-line text reader (readLines over node:readline, the reader before), for any chunking of the file.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FlauraError } from '../../../errors.ts';
import { readVcfCohortBytes } from './cohort.ts';
import { DataLineFilter } from './line-filter.ts';
import { readLines, readVcf, readVcfBytes, type VcfReadResult } from './reader.ts';
import { chunked, vcfText, writeVcf } from './vcf-builder.test-support.ts';

const POSITIONS = new Set(['chr10:100', 'chr10:200', 'chr10:300', 'chrX:500', 'chrX:600', 'chrX:700', 'chrM:73', 'chrM:150', 'chrM:263', 'chrM:750']);
const SIZES = [1, 2, 3, 7, 16, 61, 1 << 20];
const HEADER = '##fileformat=VCFv4.2\n##INFO=<ID=NOTE,Number=1,Type=String,Description="Allèle fréquence ≥ 1 %">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n';

/** The text reader as it was: node:readline lines into readLines. */
async function textReader(text: string): Promise<VcfReadResult> {
  return readLines(createInterface({ input: Readable.from([Buffer.from(text, 'utf8')]), crlfDelay: Infinity }), { positions: POSITIONS });
}

async function errorOf(read: Promise<unknown>): Promise<FlauraError> {
  try {
    await read;
  } catch (e) {
    if (e instanceof FlauraError) return e;
    throw e;
  }
  throw new Error('expected a FlauraError');
}

describe('readVcfBytes', () => {
  it('reads chrX and chrM spellings, CRLF, UTF-8 INFO and a missing final newline at every chunk size, as the text reader', async () => {
    const records = [
      '10\t100\t.\tC\tT\t50\tPASS\tNOTE=é😀\tGT:DP\t0/1:30',
      'chr10\t150\t.\tA\tG\t50\tPASS\tNOTE=µ\tGT:DP\t1/1:30',
      'chr10\t0200\t.\tG\tA\t50\tPASS\t.\tGT\t1/1', // a leading zero is not position 200, as before
      'CHR10\t200\t.\tG\tA\t50\tPASS\tNOTE=ü\tGT:DP\t1|0:30',
      'X\t500\t.\tA\tG\t50\tPASS\t.\tGT\t1',
      'chrx\t600\t.\tA\tG\t50\tPASS\t.\tGT\t1', // lower-case chrx is not chrX (normalizeChromosome keeps the case)
      'ChrX\t700\t.\tC\tT\t50\tPASS\t.\tGT\t0/1',
      'MT\t73\t.\tA\tG\t50\tPASS\t.\tGT\t1',
      'chrMT\t150\t.\tT\tC\t50\tPASS\t.\tGT\t1',
      'M\t263\t.\tA\tG\t50\tPASS\t.\tGT\t1',
      'chrm\t750\t.\tA\tG\t50\tPASS\t.\tGT\t1', // chrm is not chrM either
      'chrM\t751\t.\tA\tG\t50\tPASS\t.\tGT\t1',
    ];
    for (const eol of ['\n', '\r\n']) {
      const text = (HEADER + records.join('\n')).replaceAll('\n', eol); // no final newline
      const expected = await textReader(text);
      expect([...expected.genotypes.keys()].sort()).toEqual(['chr10:100', 'chr10:200', 'chrM:150', 'chrM:263', 'chrM:73', 'chrX:500', 'chrX:700']);
      expect(expected.genotypes.get('chr10:200')).toMatchObject({ alleles: ['A', 'G'], phased: true });
      expect(expected.genotypes.get('chrX:500')).toMatchObject({ alleles: ['G', 'G'], haploid: true });
      expect(expected.genotypes.get('chrM:73')?.alleles).toEqual(['G', 'G']);
      for (const size of SIZES) expect(await readVcfBytes(chunked(text, size), { positions: POSITIONS }), `${JSON.stringify(eol)} chunks of ${size}`).toEqual(expected);
    }
  });

  it('reads a gVCF block whose POS is not requested but whose span covers requested positions', async () => {
    const text = HEADER + [
      'chr10\t90\t.\tA\t<NON_REF>\t.\t.\tEND=250\tGT:DP\t0/0:20', // covers 100 and 200
      'chr10\t251\t.\tT\t<*>\t.\t.\tNOTE=é;END=320\tGT\t./.', // covers 300, END= after another key
      'chrX\t400\t.\tC\t<NON_REF>\t.\t.\tEND=499\tGT\t0/0', // ends before chrX:500
      'chr11\t1\t.\tC\t<NON_REF>\t.\t.\tEND=1000\tGT\t0/0', // no requested positions on chr11
      'chrX\t450\t.\tG\t<NON_REF>\t.\t.\tEND=650\tGT\t0/0', // covers 500 and 600
    ].join('\r\n') + '\r\n';
    const expected = await textReader(text);
    expect(expected.genotypes.get('chr10:100')).toMatchObject({ blockReference: true, alleles: null });
    expect(expected.genotypes.get('chr10:200')).toMatchObject({ blockReference: true });
    expect(expected.genotypes.get('chr10:300')).toMatchObject({ blockNotCalled: 'no-call' });
    expect(expected.genotypes.get('chrX:500')).toMatchObject({ blockReference: true });
    expect(expected.genotypes.has('chrX:700')).toBe(false);
    for (const size of SIZES) expect(await readVcfBytes(chunked(text, size), { positions: POSITIONS })).toEqual(expected);
  });

  it('still rejects a malformed line anywhere (not only at requested positions) with its line number', async () => {
    const base = vcfText([{ chrom: '10', pos: 100, ref: 'C', alt: 'T', gts: ['0/1'] }]); // 2 header lines + 1 record
    const bad: [string, RegExp][] = [
      ['chr22\tabc\t.\tC\tT\t.\t.\t.\tGT\t0/1', /^line 5: .*POS "abc"/], // a chromosome with no requested position
      ['chr10\t12x\t.\tC\tT\t.\t.\t.\tGT\t0/1', /^line 5: .*POS "12x"/],
      ['chr10\t\t.\tC\tT\t.\t.\t.\tGT\t0/1', /^line 5: .*POS ""/],
      ['chr10\t555', /^line 5: .*fewer than 10/],
      ['garbage', /^line 5: .*fewer than 10/],
      ['chr10\t300\t.\tG\tA\t.\t.\t.\tGT\t0/3', /^line 5: .*ALT 3/], // a requested position: fully parsed
    ];
    for (const [line, message] of bad) {
      const text = base.replaceAll('\n', '\r\n') + '\r\n' + line; // an empty line 4 counts, as in readline
      expect((await errorOf(textReader(text))).message).toMatch(message);
      for (const size of SIZES) expect((await errorOf(readVcfBytes(chunked(text, size), { positions: POSITIONS }))).message).toMatch(message);
    }
  });

  it('reports progress up to the file size for a plain file (bytes read, as for gzip)', async () => {
    const text = vcfText([{ chrom: '10', pos: 100, ref: 'C', alt: 'T', gts: ['0/1'] }]);
    const seen: [number, number][] = [];
    const { genotypes } = await readVcf(writeVcf(text), { positions: POSITIONS, onProgress: (bytes, total) => seen.push([bytes, total]) });
    expect(genotypes.get('chr10:100')?.alleles).toEqual(['C', 'T']);
    expect(seen.at(-1)).toEqual([Buffer.byteLength(text), Buffer.byteLength(text)]);
  });

  it('reads the cohort form from tiny chunks as from one', async () => {
    const text = vcfText([
      { chrom: '10', pos: 100, ref: 'C', alt: 'T', gts: ['0/1', '1/1'] },
      { chrom: '10', pos: 150, ref: 'C', alt: 'T', gts: ['1/1', '1/1'] },
      { chrom: 'chrMT', pos: 73, ref: 'A', alt: 'G', gts: ['1', '0'] },
    ], { samples: ['A', 'B'] }).replaceAll('\n', '\r\n');
    for (const size of SIZES) {
      const { samples, genotypes } = await readVcfCohortBytes(chunked(text, size), { positions: POSITIONS });
      expect(samples).toEqual(['A', 'B']);
      expect(genotypes.map((g) => [...g.keys()])).toEqual([['chr10:100', 'chrM:73'], ['chr10:100', 'chrM:73']]);
      expect(genotypes[0]!.get('chr10:100')?.alleles).toEqual(['C', 'T']);
      expect(genotypes[1]!.get('chrM:73')?.alleles).toEqual(['A', 'A']);
    }
    const err = await errorOf(readVcfCohortBytes(chunked(text + 'chr3\tx\t.\tA\tG\t.\t.\t.\tGT\t0\t1\n', 5), { positions: POSITIONS }));
    expect(err.message).toMatch(/^line 6: .*POS "x"/);
  });
});

describe('DataLineFilter', () => {
  const line = (text: string) => Buffer.from(`pad\n${text}\n`, 'utf8');
  const mustParse = (filter: DataLineFilter, text: string) => {
    const buf = line(text);
    return filter.mustParse(buf, 4, buf.length - 1);
  };

  it('skips well-formed records at positions nobody asked for, without END= on chromosomes with positions', () => {
    const filter = new DataLineFilter(POSITIONS, true);
    expect(mustParse(filter, 'chr10\t101\t.\tC\tT\t.\t.\tNOTE=é\tGT\t0/1')).toBe(false);
    expect(mustParse(filter, 'chr2\t100\t.\tC\tT\t.\t.\tEND=900\tGT\t0/0')).toBe(false); // no positions on chr2
    expect(mustParse(filter, 'chr10\t100\t.\tC\tT\t.\t.\t.\tGT\t0/1')).toBe(true);
    expect(mustParse(filter, '10\t300\t.\tC\tT\t.\t.\t.\tGT\t0/1')).toBe(true);
    expect(mustParse(filter, 'chrMT\t73\t.\tA\tG\t.\t.\t.\tGT\t1')).toBe(true);
    expect(mustParse(filter, 'chr10\t90\t.\tC\t<NON_REF>\t.\t.\tEND=150\tGT\t0/0')).toBe(true);
    expect(mustParse(filter, 'chr10\t0100\t.\tC\tT\t.\t.\t.\tGT\t0/1')).toBe(true); // odd POS text: the parser decides
    expect(mustParse(filter, 'chr2\t1x\t.\tC\tT\t.\t.\t.\tGT\t0/1')).toBe(true); // malformed: the parser throws
  });

  it('does not look for blocks in the cohort form (blocks are not expanded there)', () => {
    const filter = new DataLineFilter(POSITIONS, false);
    expect(mustParse(filter, 'chr10\t90\t.\tC\t<NON_REF>\t.\t.\tEND=150\tGT\t0/0')).toBe(false);
  });
});
