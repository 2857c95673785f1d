// Matcher tests derived from the shipped definitions: every allele homozygous and over the reference, plus goldens.
import { describe, expect, it } from 'vitest';
import type { VcfGenotype } from '../vcf/lines.ts';
import { loadAlleleDefinitions } from './definitions.ts';
import { matchGene } from './matcher.ts';
import { prepareGene } from './prepare.ts';
import type { PreparedAllele, PreparedGene } from './prepare.ts';

const { genes } = loadAlleleDefinitions();

function gene(name: string): PreparedGene {
  const def = genes.find((g) => g.gene === name);
  if (!def) throw new Error(`no definition for ${name}`);
  return prepareGene(def);
}

function allele(g: PreparedGene, name: string): PreparedAllele {
  const a = g.alleles.find((x) => x.name === name);
  if (!a) throw new Error(`${g.gene} has no ${name}`);
  return a;
}

/** A concrete VCF allele for an expected one (first base of an IUPAC code). */
function concrete(base: string): string {
  return base.length === 1 && !'ACGT'.includes(base) ? ({ R: 'A', Y: 'C', S: 'C', W: 'A', K: 'G', M: 'A' } as Record<string, string>)[base] ?? base : base;
}

/** Genotypes for a sample carrying alleles a and b at every position of the gene, except `skip`. */
function genotypes(g: PreparedGene, a: PreparedAllele, b: PreparedAllele, opts: { phased?: boolean; skip?: Set<number> } = {}): Map<string, VcfGenotype> {
  const m = new Map<string, VcfGenotype>();
  g.keys.forEach((key, i) => {
    if (opts.skip?.has(i)) return;
    const [chromosome = '', pos = '0'] = key.split(':');
    m.set(key, { chromosome, position: Number(pos), ref: g.refs[i] ?? '', alts: [], alleles: [concrete(a.bases[i] ?? ''), concrete(b.bases[i] ?? '')], phased: opts.phased ?? false });
  });
  return m;
}

function names(g: PreparedGene, a: string, b: string, opts: { phased?: boolean; skip?: Set<number>; allMatches?: boolean } = {}): string[] {
  return matchGene(g, genotypes(g, allele(g, a), allele(g, b), opts), { allMatches: opts.allMatches ?? false }).diplotypes.map((d) => d.name);
}

/** Alleles whose expected bases are the same everywhere cannot be told apart; such ties are expected. */
function twins(g: PreparedGene, a: PreparedAllele): string[] {
  return g.alleles.filter((x) => x.bases.every((b, i) => concrete(b) === concrete(a.bases[i] ?? ''))).map((x) => x.name);
}

describe('matchGene over every defined allele', () => {
  for (const name of ['CYP2C19', 'CYP2B6', 'CYP2C9', 'SLCO1B1', 'TPMT', 'DPYD', 'NUDT15', 'CYP3A5', 'UGT1A1']) {
    it(`${name}: each allele homozygous and heterozygous with the reference is called`, () => {
      const g = gene(name);
      const ref = g.alleles.find((a) => a.reference);
      if (!ref) throw new Error('no reference allele');
      let checked = 0;
      for (const a of g.alleles) {
        const homo = names(g, a.name, a.name);
        const same = twins(g, a);
        expect(homo.length, `${a.name}/${a.name}: ${homo.join(', ')}`).toBe(same.length * (same.length + 1) / 2);
        expect(homo).toContain(`${a.name}/${a.name}`);
        const het = names(g, a.name, ref.name);
        expect(het.some((d) => d.split('/').sort().join('/') === [a.name, ref.name].sort().join('/')), `${a.name}/${ref.name}: ${het.join(', ')}`).toBe(true);
        expect(het.length).toBe(a === ref ? same.length * (same.length + 1) / 2 : same.length * twins(g, ref).length);
        checked++;
      }
      expect(checked).toBe(g.alleles.length);
    });
  }
});

describe('matchGene goldens', () => {
  it('CYP2C19 *2/*2, *1/*17 and the *38 reference', () => {
    const g = gene('CYP2C19');
    expect(names(g, '*2', '*2')).toEqual(['*2/*2']);
    expect(names(g, '*1', '*17')).toEqual(['*1/*17']);
    expect(names(g, '*38', '*38')).toEqual(['*38/*38']);
    expect(names(g, '*17', '*2')).toEqual(['*2/*17']);
  });

  it('CYP2B6 *6/*6 and *6/*18; unphased *1/*6 outranks *4/*9, phased data separates them', () => {
    const g = gene('CYP2B6');
    expect(names(g, '*6', '*6')).toEqual(['*6/*6']);
    expect(names(g, '*6', '*18')).toEqual(['*6/*18']);
    const all = names(g, '*1', '*6', { allMatches: true });
    expect(all[0]).toBe('*1/*6');
    expect(all).toContain('*4/*9');
    expect(names(g, '*4', '*9', { phased: true })).toEqual(['*4/*9']);
    expect(names(g, '*4', '*9')).toEqual(['*1/*6']);
  });

  it('reports missing positions, matches on the rest and drops alleles defined only there', () => {
    const g = gene('CYP2C19');
    const idx17 = g.keys.indexOf('chr10:94761900');
    const call = matchGene(g, genotypes(g, allele(g, '*38'), allele(g, '*2'), { skip: new Set([idx17]) }), { allMatches: false });
    expect(call.missingPositions).toEqual(['chr10:94761900 (rs12248560)']);
    expect(call.warnings.map((w) => w.code)).toContain('MISSING_POSITIONS');
    expect(call.diplotypes.map((d) => d.name)).toEqual(['*2/*38']);
    expect(call.diplotypes[0]?.score).toBe(4 + 34);
  });

  it('applies PharmCAT exemptions: NAT2 unphased priorities, G6PD/RYR1 ignored positions and alleles', () => {
    const nat2 = gene('NAT2');
    expect(names(nat2, '*4', '*5', { allMatches: false })).toEqual(['*4/*5']);
    const call = matchGene(nat2, genotypes(nat2, allele(nat2, '*1'), allele(nat2, '*16')), { allMatches: false });
    expect(call.diplotypes.map((d) => d.name)).toEqual(['*4/*5']);
    expect(call.warnings.map((w) => w.code)).toContain('UNPHASED_PRIORITY');
    expect(names(nat2, '*1', '*16', { phased: true })).toEqual(['*1/*16']);
    expect(names(nat2, '*4', '*5', { allMatches: true })).toEqual(['*4/*5', '*1/*16']);
    const g6pd = gene('G6PD');
    expect(g6pd.alleles.map((a) => a.name)).not.toContain('Mediterranean Haplotype');
    expect(g6pd.keys).not.toContain('chrX:154532439');
    expect(gene('RYR1').keys).not.toContain('chr19:38580126');
  });

  it('does not call NAT2 without its required positions; flags a VCF REF that differs from the definition', () => {
    const nat2 = gene('NAT2');
    const req = nat2.keys.indexOf('chr8:18400194');
    const call = matchGene(nat2, genotypes(nat2, allele(nat2, '*1'), allele(nat2, '*1'), { skip: new Set([req]) }), { allMatches: false });
    expect(call.diplotypes).toEqual([]);
    expect(call.warnings.map((w) => w.code)).toContain('REQUIRED_POSITION_MISSING');
    const other = nat2.keys.findIndex((_, i) => !nat2.required.has(i));
    expect(matchGene(nat2, genotypes(nat2, allele(nat2, '*1'), allele(nat2, '*1'), { skip: new Set([other]) }), { allMatches: false }).diplotypes.map((d) => d.name)).toEqual(['*1/*1']);
    const g = gene('TPMT');
    const gts = genotypes(g, allele(g, '*1'), allele(g, '*1'));
    const first = gts.get(g.keys[0] ?? '');
    if (first) first.ref = 'N';
    const flagged = matchGene(g, gts, { allMatches: false });
    expect(flagged.warnings.map((w) => w.code)).toContain('REF_MISMATCH');
    expect(flagged.diplotypes.map((d) => d.name)).toEqual(['*1/*1']);
  });

  it('takes gVCF reference-block positions as the definition REF', () => {
    const g = gene('CYP2C19');
    const gts = genotypes(g, allele(g, '*2'), allele(g, '*38'));
    for (const [key, gt] of gts) if (gt.alleles?.[0] === gt.alleles?.[1]) gts.set(key, { ...gt, ref: '', alleles: null, blockReference: true });
    const call = matchGene(g, gts, { allMatches: false });
    expect(call.diplotypes.map((d) => d.name)).toEqual(['*2/*38']);
    expect(call.missingPositions).toEqual([]);
  });

  it('DPYD (lowest-function gene): three heterozygous variants fit no pair, the alleles found are reported', () => {
    const g = gene('DPYD');
    const ref = allele(g, 'Reference');
    const picks = g.alleles.filter((a) => !a.reference && a.defines.filter(Boolean).length === 1).slice(0, 3);
    const gts = genotypes(g, ref, ref);
    for (const a of picks) {
      const i = a.defines.indexOf(true);
      const gt = gts.get(g.keys[i] ?? '');
      if (gt) gt.alleles = [ref.bases[i] ?? '', a.bases[i] ?? ''];
    }
    const call = matchGene(g, gts, { allMatches: false });
    expect(call.diplotypes).toEqual([]);
    expect([...(call.haplotypes ?? [])].sort()).toEqual(picks.map((a) => a.name).sort());
    expect(call.warnings.map((w) => w.code)).toContain('LOWEST_FUNCTION');
    const two = matchGene(g, genotypes(g, allele(g, picks[0]?.name ?? ''), allele(g, picks[1]?.name ?? '')), { allMatches: false });
    expect(two.diplotypes).toHaveLength(1);
    expect(two.haplotypes).toHaveLength(2);
    expect(matchGene(gene('TPMT'), new Map(), { allMatches: false }).haplotypes).toBeUndefined();
  });

  it('returns no diplotype when nothing was genotyped, and NO_MATCH for an impossible genotype', () => {
    const g = gene('TPMT');
    const none = matchGene(g, new Map(), { allMatches: false });
    expect(none.diplotypes).toEqual([]);
    expect(none.missingPositions).toHaveLength(g.keys.length);
    const ref = allele(g, '*1');
    // Homozygous for *2's base (rs1800462 G) and *3B's (rs1800460 T): no single allele carries both.
    const gts = genotypes(g, ref, ref);
    for (const [key, base] of [['chr6:18143724', 'G'], ['chr6:18138997', 'T']] as const) {
      const gt = gts.get(key);
      if (gt) gt.alleles = [base, base];
    }
    const impossible = matchGene(g, gts, { allMatches: false });
    expect(impossible.diplotypes).toEqual([]);
    expect(impossible.warnings.map((w) => w.code)).toContain('NO_MATCH');
  });

  it('an allele no definition has (N/N) is read as reference for TPMT (toxicity gene, data flag), not a NO_MATCH', () => {
    const g = gene('TPMT');
    const ref = allele(g, '*1');
    const gts = genotypes(g, ref, ref);
    const first = gts.get(g.keys[0] ?? '');
    if (first) first.alleles = ['N', 'N'];
    const call = matchGene(g, gts, { allMatches: false });
    expect(call.diplotypes.map((d) => d.name)).toEqual(['*1/*1']);
    expect(call.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['UNDOCUMENTED_VARIATION_AS_REFERENCE']));
    expect(call.warnings.map((w) => w.code)).not.toContain('NO_MATCH');
  });
});
