// Phenotyper rules: activity scores, CYP2D6 copy number, DPYD lowest pair, G6PD by sex, HLA, MT-RNR1, ambiguity, no call.
import { describe, expect, it } from 'vitest';
import { call } from '../test-support/calls.ts';
import { loadPhenotypeKnowledge } from './knowledge.ts';
import { phenotypeGene } from './phenotyper.ts';
import { normaliseCyp2d6Allele } from './rules/cyp2d6-copy-number.ts';

const k = loadPhenotypeKnowledge();
const one = (gene: string, d: string, sex?: 'male' | 'female') => phenotypeGene(call(gene, d), k, sex ? { sex } : {});

describe('phenotypeGene', () => {
  it('CYP2C19 *2/*2 is a Poor Metabolizer keyed by phenotype', () => {
    expect(one('CYP2C19', '*2/*2').phenotypes).toEqual([{ gene: 'CYP2C19', diplotype: '*2/*2', phenotype: 'Poor Metabolizer', lookupKey: 'Poor Metabolizer' }]);
  });

  it('CYP2D6 activity score sums allele values and bins them (CPIC 2019+)', () => {
    expect(one('CYP2D6', '*1/*4').phenotypes[0]).toMatchObject({ phenotype: 'Intermediate Metabolizer', activityScore: '1.0', lookupKey: '1.0' });
    expect(one('CYP2D6', '*1/*10').phenotypes[0]).toMatchObject({ phenotype: 'Normal Metabolizer', activityScore: '1.25' });
    expect(one('CYP2D6', '*4/*4').phenotypes[0]).toMatchObject({ phenotype: 'Poor Metabolizer', activityScore: '0.0' });
  });

  it('CYP2D6 duplications: x2 doubles, x3 and more are open-ended ≥ scores', () => {
    expect(one('CYP2D6', '*1/*1x2').phenotypes[0]).toMatchObject({ phenotype: 'Ultrarapid Metabolizer', activityScore: '3.0' });
    expect(one('CYP2D6', '*1/*2x3').phenotypes[0]).toMatchObject({ phenotype: 'Ultrarapid Metabolizer', activityScore: '≥4.0', lookupKey: '≥4.0' });
    expect(one('CYP2D6', '*4/*1x≥3').phenotypes[0]).toMatchObject({ phenotype: 'Ultrarapid Metabolizer', activityScore: '≥3.0' });
  });

  it('CYP2D6 tandem notation is normalised to the table form; the 2024-08-27 table has no tandem alleles', () => {
    expect(normaliseCyp2d6Allele('*13+*1').allele).toBe('*13 + *1');
    expect(normaliseCyp2d6Allele(' *2x4 ').allele).toBe('*2x≥3');
    expect(one('CYP2D6', '*13+*1/*4').warnings.map((w) => w.code)).toEqual(['UNKNOWN_ALLELE']);
  });

  it('CYP2D6 xN without a copy number is indeterminate with a warning', () => {
    const r = one('CYP2D6', '*1/*2xN');
    expect(r.phenotypes[0]?.phenotype).toBe('Indeterminate');
    expect(r.warnings.map((w) => w.code)).toContain('CN_UNSPECIFIED');
  });

  it('an allele of unknown function gives the table\'s Indeterminate / n/a', () => {
    expect(one('CYP2C9', '*1/*7').phenotypes[0]).toMatchObject({ phenotype: 'Indeterminate', lookupKey: 'n/a' });
  });

  it('DPYD scores from the two lowest-function variants when unphased', () => {
    const c = { ...call('DPYD'), haplotypes: ['c.1905+1G>A (*2A)', 'c.2846A>T', 'c.85T>C (*9A)'] };
    const r = phenotypeGene(c, k);
    expect(r.phenotypes[0]).toMatchObject({ activityScore: '0.5', phenotype: 'Poor Metabolizer' });
    expect(r.warnings.map((w) => w.code)).toContain('DPYD_LOWEST_FUNCTION');
    const single = phenotypeGene({ ...call('DPYD'), haplotypes: ['c.2846A>T'] }, k);
    expect(single.phenotypes[0]).toMatchObject({ activityScore: '1.5', phenotype: 'Intermediate Metabolizer', lookupKey: '1.5' });
  });

  it('DPYD diplotype from the matcher: c.1905+1G>A heterozygote is AS 1.0, intermediate', () => {
    expect(one('DPYD', 'Reference/c.1905+1G>A (*2A)').phenotypes[0]).toMatchObject({ activityScore: '1.0', phenotype: 'Intermediate Metabolizer' });
  });

  it('G6PD: males are hemizygous, females diploid', () => {
    expect(one('G6PD', 'A- 202A_376G/A- 202A_376G', 'male').phenotypes[0]?.phenotype).toBe('Deficient');
    expect(one('G6PD', 'B (reference)/A- 202A_376G', 'female').phenotypes[0]?.phenotype).toBe('Variable');
    const het = one('G6PD', 'B (reference)/A- 202A_376G', 'male');
    expect(het.phenotypes[0]?.phenotype).toBe('Indeterminate');
    expect(het.warnings[0]?.code).toBe('G6PD_MALE_HETEROZYGOUS');
  });

  it('G6PD: a single allele for a female, two different variants in MT-RNR1, genes without a table', () => {
    const female = one('G6PD', 'A- 202A_376G', 'female');
    expect([female.phenotypes[0]?.phenotype, female.warnings[0]?.code]).toEqual(['Indeterminate', 'G6PD_FEMALE_HEMIZYGOUS']);
    const hetero = one('MT-RNR1', 'Reference/m.1555A>G');
    expect([hetero.phenotypes[0]?.phenotype, hetero.warnings[0]?.code]).toEqual(['increased risk of aminoglycoside-induced hearing loss', 'MT_HETEROPLASMY']);
    const two = one('MT-RNR1', 'm.1555A>G/m.1494C>T');
    expect([two.phenotypes[0]?.phenotype, two.warnings[0]?.code]).toEqual(['Indeterminate', 'MT_MULTIPLE_VARIANTS']);
    const none = one('CYP1A2', '*1/*1F');
    expect([none.phenotypes[0]?.phenotype, none.warnings[0]?.code]).toEqual(['Indeterminate', 'GENE_NOT_PHENOTYPED']);
  });

  it('a phenotype reported without score for an activity-score gene stands for every score the table bins into it', () => {
    const reported = (gene: string, phenotype: string) => phenotypeGene({ ...call(gene), source: 'outside-call', reportedPhenotype: phenotype }, k);
    const pm = reported('CYP2D6', 'Poor Metabolizer');
    expect([pm.phenotypes, pm.warnings]).toEqual([[{ gene: 'CYP2D6', phenotype: 'Poor Metabolizer', lookupKey: '0.0', activityScore: '0.0' }], []]);
    const im = reported('CYP2D6', 'Intermediate Metabolizer');
    expect(im.phenotypes.map((p) => p.lookupKey)).toEqual(['0.25', '0.5', '0.75', '1.0']);
    expect(im.warnings.map((w) => w.code)).toEqual(['PHENOTYPE_SEVERAL_SCORES']);
    expect(reported('DPYD', 'Intermediate Metabolizer').phenotypes.map((p) => p.lookupKey)).toEqual(['1.0', '1.5']);
    const unknown = reported('CYP2D6', 'Likely Poor Metabolizer');
    expect([unknown.phenotypes[0]?.lookupKey, unknown.warnings[0]?.code]).toEqual(['Likely Poor Metabolizer', 'PHENOTYPE_WITHOUT_SCORE']);
  });

  it('HLA-B: one status per allele of interest', () => {
    const r = one('HLA-B', '*57:01/*44:02');
    expect(r.phenotypes.map((p) => p.lookupKey)).toEqual(['*15:02 negative', '*15:11 negative', '*57:01 positive', '*58:01 negative']);
    expect(r.phenotypes[2]?.phenotype).toBe('HLA-B*57:01 positive');
    expect(one('HLA-A', '*31:01:02/*02:01').phenotypes[0]?.lookupKey).toBe('*31:01 positive');
  });

  it('MT-RNR1: haploid; m.1555A>G is increased risk', () => {
    expect(one('MT-RNR1', 'm.1555A>G').phenotypes[0]?.phenotype).toBe('increased risk of aminoglycoside-induced hearing loss');
    expect(one('MT-RNR1', 'Reference/Reference').phenotypes[0]?.phenotype).toBe('normal risk of aminoglycoside-induced hearing loss');
    expect(one('MT-RNR1', 'm.663A>G').phenotypes[0]?.phenotype).toBe('uncertain risk of aminoglycoside-induced hearing loss');
  });

  it('CYP4F2 is typed by *3 carriage; VKORC1 and CYP2C9 from their tables', () => {
    expect(one('CYP4F2', '*1/*3').phenotypes[0]?.lookupKey).toBe('*3 carrier');
    expect(one('CYP4F2', '*1/*1').phenotypes[0]?.lookupKey).toBe('*3 non-carrier');
    expect(one('VKORC1', 'rs9923231 reference (C)/rs9923231 variant (T)').phenotypes[0]?.lookupKey).toBe('-1639 AG');
    expect(one('CYP2C9', '*1/*3').phenotypes[0]).toMatchObject({ activityScore: '1.0', phenotype: 'Intermediate Metabolizer' });
  });

  it('SLCO1B1 function and TPMT/NUDT15 phenotypes come from their tables', () => {
    expect(one('SLCO1B1', '*5/*5').phenotypes[0]?.phenotype).toBe('Poor Function');
    expect(one('SLCO1B1', '*1/*15').phenotypes[0]?.phenotype).toBe('Decreased Function');
    expect(one('TPMT', '*1/*3A').phenotypes[0]?.phenotype).toBe('Intermediate Metabolizer');
    expect(one('NUDT15', '*3/*3').phenotypes[0]?.phenotype).toBe('Poor Metabolizer');
  });

  it('keeps every distinct phenotype of tied diplotypes and warns', () => {
    const r = phenotypeGene(call('CYP2C19', '*1/*2', '*2/*17', '*1/*1'), k);
    expect(r.phenotypes.map((p) => p.phenotype)).toEqual(['Intermediate Metabolizer', 'Normal Metabolizer']);
    expect(r.warnings.map((w) => w.code)).toEqual(['AMBIGUOUS_PHENOTYPE']);
  });

  it('no call → Indeterminate with the No Result key; unknown allele → warning', () => {
    expect(phenotypeGene(call('CYP2C19'), k).phenotypes).toEqual([{ gene: 'CYP2C19', phenotype: 'Indeterminate', lookupKey: 'No Result' }]);
    const r = one('CYP2C19', '*1/*999');
    expect(r.phenotypes[0]?.phenotype).toBe('Indeterminate');
    expect(r.warnings[0]?.code).toBe('UNKNOWN_ALLELE');
  });

  it('a reported HLA allele status is used as the lookup key', () => {
    const r = phenotypeGene({ ...call('HLA-B'), source: 'outside-call', reportedPhenotype: '*57:01 positive' }, k);
    expect(r.phenotypes).toEqual([{ gene: 'HLA-B', phenotype: '*57:01 positive', lookupKey: '*57:01 positive' }]);
  });

  it('a reported activity score is binned; a reported phenotype kept', () => {
    const cyp2d6 = phenotypeGene({ ...call('CYP2D6'), source: 'outside-call', reportedPhenotype: '0.5' }, k);
    expect(cyp2d6.phenotypes[0]).toMatchObject({ phenotype: 'Intermediate Metabolizer', lookupKey: '0.5' });
    const c19 = phenotypeGene({ ...call('CYP2C19'), source: 'outside-call', reportedPhenotype: 'Rapid Metabolizer' }, k);
    expect(c19.phenotypes[0]).toMatchObject({ phenotype: 'Rapid Metabolizer', lookupKey: 'Rapid Metabolizer' });
  });
});
