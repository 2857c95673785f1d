// Indel normalization: VCFs written from the definitions, with the indel record re-spelled the ways callers write it
// (minimal / left-aligned, extra padding base on either side, shifted right in a repeat, the repeat spelled out).
import { describe, expect, it } from 'vitest';
import type { GeneCall } from '../model.ts';
import { geneRecords, recordLine, vcfHeader, type SyntheticRecord } from '../synthetic/allele-vcf.ts';
import { readLines } from '../vcf/reader.ts';
import { normalizeVariant, referenceFrom } from '../vcf/normalize.ts';
import { writeVcf } from '../vcf/vcf-builder.test-support.ts';
import { createVcfCaller } from './caller.ts';
import { loadAlleleDefinitions } from './definitions.ts';
import { matchGene } from './matcher.ts';
import { positionKeys, prepareGene } from './prepare.ts';

const { genes } = loadAlleleDefinitions();

/** A respelling of the record at `position`: `null` drops it, a function maps the GT written from the definitions. */
interface Respell { position: number; pos: number; ref: string; alt: string; gt: (definitionGt: string) => string }

/**
 * Calls `gene` for a diplotype written from its definitions, with the indel record(s) replaced by another spelling.
 * The GT is derived from the definition GT, so the same strands carry the event.
 */
async function call(gene: string, pair: readonly [string, string], respell: Respell[], opts: { phased?: boolean; allMatches?: boolean } = {}): Promise<GeneCall> {
  const def = genes.find((g) => g.gene === gene)!;
  const prepared = prepareGene(def);
  const records: SyntheticRecord[] = geneRecords(def, [pair], opts.phased === true).flatMap((r) => {
    const re = respell.find((x) => x.position === r.position);
    if (!re) return [r];
    return [{ chromosome: r.chromosome, position: re.pos, ref: re.ref, alts: [re.alt], gts: [re.gt(r.gts[0]!)] }];
  });
  records.sort((a, b) => a.position - b.position);
  const text = vcfHeader(['S']) + records.map((r) => recordLine(r)).join('\n') + '\n';
  const { genotypes } = await readLines((async function* () { yield* text.split('\n'); })(), { positions: positionKeys([prepared]) });
  return matchGene(prepared, genotypes, { allMatches: opts.allMatches === true });
}

/** GT written from the definition (e.g. `0/2` for UGT1A1 *28 = ALT 2) with every non-zero index mapped to 1. */
const anyAlt = (gt: string) => gt.replace(/[1-9]/g, '1');
const names = (c: GeneCall) => c.diplotypes.map((d) => d.name);
const codes = (c: GeneCall) => c.warnings.map((w) => w.code);

describe('normalizeVariant (trim, left-align with the known reference, trim)', () => {
  const ref = referenceFrom([{ position: 100, ref: 'CATATATATATATG' }]);
  const base = (p: number) => ref.get(p);
  it('trims a shared suffix and prefix (padding bases)', () => {
    expect(normalizeVariant({ position: 100, ref: 'CAT', alt: 'CATAT' }, base)).toEqual({ position: 100, ref: 'C', alt: 'CAT' });
    expect(normalizeVariant({ position: 99, ref: 'GTGA', alt: 'GTA' }, () => undefined)).toEqual({ position: 100, ref: 'TG', alt: 'T' });
  });
  it('left-aligns an insertion at the end of a repeat to its start', () => {
    expect(normalizeVariant({ position: 112, ref: 'T', alt: 'TAT' }, base)).toEqual({ position: 100, ref: 'C', alt: 'CAT' });
    expect(normalizeVariant({ position: 100, ref: 'CATATATATATATG', alt: 'CATATATATATATATG' }, base)).toEqual({ position: 100, ref: 'C', alt: 'CAT' });
  });
  it('stops at an unknown base and leaves SNVs and MNVs alone', () => {
    expect(normalizeVariant({ position: 50, ref: 'AA', alt: 'A' }, () => undefined)).toEqual({ position: 50, ref: 'AA', alt: 'A' });
    expect(normalizeVariant({ position: 50, ref: 'TC', alt: 'CT' }, () => undefined)).toEqual({ position: 50, ref: 'TC', alt: 'CT' });
    expect(normalizeVariant({ position: 50, ref: 'G', alt: 'A' }, () => undefined)).toEqual({ position: 50, ref: 'G', alt: 'A' });
  });
});

describe('indels written differently from the definitions still match', () => {
  it('UGT1A1 *28 (TA7) as the minimal left-aligned insertion C>CAT, unphased and phased', async () => {
    for (const phased of [false, true]) {
      const c = await call('UGT1A1', ['*1', '*28'], [{ position: 233760233, pos: 233760233, ref: 'C', alt: 'CAT', gt: anyAlt }], { phased });
      expect(names(c)).toEqual(['*1/*28']);
      expect(c.missingPositions).toEqual([]);
      expect(codes(c)).toContain('INDEL_NORMALIZED');
      expect(codes(c)).not.toContain('REF_MISMATCH');
    }
  });

  it('UGT1A1 *28/*28 with the TA repeat spelled out over its whole length (REF = the repeat)', async () => {
    const c = await call('UGT1A1', ['*28', '*28'], [{ position: 233760233, pos: 233760233, ref: 'CATATATATATATG', alt: 'CATATATATATATATG', gt: anyAlt }]);
    expect(names(c)).toEqual(['*28/*28']);
  });

  it('UGT1A1 *1/*36 (TA5) as CAT>C is the definition spelling: no normalization warning', async () => {
    const c = await call('UGT1A1', ['*1', '*36'], []);
    expect(names(c)).toEqual(['*1/*36']);
    expect(codes(c)).not.toContain('INDEL_NORMALIZED');
  });

  const dpyd: Array<[string, Respell]> = [
    ['an extra padding base on the left (ATG>AT at POS-1)', { position: 97450065, pos: 97450064, ref: 'ATG', alt: 'AT', gt: anyAlt }],
    ['an extra padding base on the right (TGC>TC)', { position: 97450065, pos: 97450065, ref: 'TGC', alt: 'TC', gt: anyAlt }],
    ['shifted right in a G run (GG>G at POS+1)', { position: 97450065, pos: 97450066, ref: 'GG', alt: 'G', gt: anyAlt }],
  ];
  for (const [how, respell] of dpyd) {
    it(`DPYD c.1898delC (*3) with ${how}`, async () => {
      for (const phased of [false, true]) {
        const c = await call('DPYD', ['Reference', 'c.1898delC (*3)'], [respell], { phased });
        expect(names(c)).toEqual(['c.1898delC (*3)/Reference']);
        expect(c.haplotypes).toEqual(['c.1898delC (*3)']);
        expect(codes(c)).toContain('INDEL_NORMALIZED');
      }
    });
  }

  it('NUDT15 *6 (GGAGTC duplication) as the minimal insertion A>AGGAGTC; *9 (deletion) as its definition spelling', async () => {
    const c6 = await call('NUDT15', ['*1', '*6'], [{ position: 48037782, pos: 48037782, ref: 'A', alt: 'AGGAGTC', gt: anyAlt }]);
    expect(names(c6)).toEqual(['*1/*6']);
    expect((await call('NUDT15', ['*6', '*9'], [])).diplotypes.map((d) => d.name)).toEqual(['*6/*9']);
  });

  it('CYP3A5 *7 (insertion of A) shifted right (A>AA at POS+1), homozygous', async () => {
    const c = await call('CYP3A5', ['*7', '*7'], [{ position: 99652770, pos: 99652771, ref: 'A', alt: 'AA', gt: anyAlt }]);
    expect(names(c)).toEqual(['*7/*7']);
  });

  it('CYP2C9 *6 (deletion of A) shifted right (AA>A at POS+1)', async () => {
    const c = await call('CYP2C9', ['*1', '*6'], [{ position: 94949281, pos: 94949282, ref: 'AA', alt: 'A', gt: anyAlt }]);
    expect(names(c)).toEqual(['*1/*6']);
  });

  it('another indel nearby is not taken for the defined one: the position stays a no-call', async () => {
    const c = await call('CYP2C9', ['*1', '*6'], [{ position: 94949281, pos: 94949282, ref: 'AT', alt: 'A', gt: anyAlt }]);
    expect(c.missingPositions.some((m) => m.includes('94949281'))).toBe(true);
    expect(names(c)).not.toContain('*1/*6');
  });

  it('a homozygous-reference line with a one-base REF at an indel position counts as the definition reference', async () => {
    const c = await call('UGT1A1', ['*1', '*1'], [{ position: 233760233, pos: 233760233, ref: 'C', alt: '.', gt: () => '0/0' }]);
    expect(names(c)).toEqual(['*1/*1']);
    expect(c.missingPositions).toEqual([]);
    expect(codes(c)).not.toContain('REF_MISMATCH');
  });

  it('through the VCF caller (file on disk): the reader keeps the records around indel positions', async () => {
    const def = genes.find((g) => g.gene === 'DPYD')!;
    const records = geneRecords(def, [['Reference', 'c.1898delC (*3)']]).map((r) => (r.position === 97450065 ? { ...r, position: 97450064, ref: 'ATG', alts: ['AT'], gts: ['0/1'] } : r));
    const path = writeVcf(vcfHeader(['S']) + records.map((r) => recordLine(r)).join('\n') + '\n', true);
    const { calls } = await createVcfCaller()(path, { allMatches: false });
    const c = calls.find((x) => x.gene === 'DPYD')!;
    expect(names(c)).toEqual(['c.1898delC (*3)/Reference']);
    expect(c.warnings.find((w) => w.code === 'INDEL_NORMALIZED')?.message).toMatch(/chr1:97450065 \(rs72549303\) from chr1:97450064 ATG>AT/);
  });
});
