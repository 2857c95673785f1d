// Phenoconversion per CPIC 2021 (CYP2D6) and advisory notes per CPIC 2023 (CYP2C19, CYP2B6).
import { describe, expect, it } from 'vitest';
import type { GenePhenotype } from '../model.ts';
import { applyPhenoconversion, findModulators, modulators } from './index.ts';

// CPIC CYP2D6 activity-score bins (2019 consensus), written here from the guideline for the test only.
const bins = (_gene: string, score: string) => {
  const s = Number(score);
  if (s === 0) return 'Poor Metabolizer';
  if (s < 1.25) return 'Intermediate Metabolizer';
  if (s <= 2.25) return 'Normal Metabolizer';
  return 'Ultrarapid Metabolizer';
};
const normal: GenePhenotype = { gene: 'CYP2D6', diplotype: '*1/*2', phenotype: 'Normal Metabolizer', activityScore: '2.0', lookupKey: '2.0' };

describe('CYP2D6 phenoconversion', () => {
  it('a strong inhibitor (fluoxetine) turns a normal metabolizer into a poor metabolizer, naming the drug', () => {
    const { effective, notes } = applyPhenoconversion([normal], [{ name: 'fluoxetine 20 MG Oral Capsule', rxnorm: '310385' }], bins);
    expect(effective[0]).toMatchObject({ phenotype: 'Poor Metabolizer', activityScore: '0.0', lookupKey: '0.0' });
    expect(notes).toEqual([expect.objectContaining({ drug: 'fluoxetine', strength: 'strong', genotypeActivityScore: '2.0', effectiveActivityScore: '0.0', advisoryOnly: false })]);
  });

  it('a moderate inhibitor (duloxetine) halves the score: 2.0 -> 1.0, intermediate', () => {
    const { effective } = applyPhenoconversion([normal], [{ name: 'DULoxetine 30 MG Delayed Release Oral Capsule' }], bins);
    expect(effective[0]).toMatchObject({ activityScore: '1.0', phenotype: 'Intermediate Metabolizer' });
  });

  it('rounds a halved score down to the 0.25 steps of the CPIC table (1.25 -> 0.5)', () => {
    const { effective } = applyPhenoconversion([{ ...normal, activityScore: '1.25', lookupKey: '1.25' }], [{ name: 'mirabegron 25 MG' }], bins);
    expect(effective[0]?.activityScore).toBe('0.5');
  });

  it('the strongest inhibitor decides when there are several', () => {
    const { effective, notes } = applyPhenoconversion([normal], [{ name: 'duloxetine 60 MG' }, { name: 'paroxetine 20 MG Oral Tablet' }], bins);
    expect(effective[0]?.activityScore).toBe('0.0');
    expect(notes.map((n) => n.drug).sort()).toEqual(['duloxetine', 'paroxetine']);
  });

  it('weak inhibitors and unrelated drugs change nothing', () => {
    const { effective, notes } = applyPhenoconversion([normal], [{ name: 'celecoxib 200 MG' }, { name: 'metformin 500 MG' }], bins);
    expect(effective[0]).toEqual(normal);
    expect(notes).toEqual([]);
  });

  it('does not match a drug name inside another word', () => {
    expect(findModulators('CYP2D6', [{ name: 'norfluoxetine' }])).toEqual([]);
  });
});

describe('advisory enzymes', () => {
  it('a strong CYP2C19 inhibitor with clopidogrel gives an advisory note without changing the phenotype', () => {
    const cyp2c19: GenePhenotype = { gene: 'CYP2C19', diplotype: '*1/*1', phenotype: 'Normal Metabolizer', lookupKey: 'Normal Metabolizer' };
    const { effective, notes } = applyPhenoconversion([cyp2c19], [{ name: 'fluvoxamine 100 MG Oral Tablet' }], bins);
    expect(effective[0]).toEqual(cyp2c19);
    expect(notes[0]).toMatchObject({ gene: 'CYP2C19', drug: 'fluvoxamine', strength: 'strong', advisoryOnly: true });
  });
});

describe('the modulator table', () => {
  it('holds every CYP2D6 strong inhibitor CPIC names for opioids (fluoxetine, paroxetine, bupropion, quinidine, terbinafine)', () => {
    const strong = modulators.filter((m) => m.enzyme === 'CYP2D6' && m.strength === 'strong' && m.effect === 'inhibitor').map((m) => m.drug);
    expect(strong).toEqual(expect.arrayContaining(['fluoxetine', 'paroxetine', 'bupropion', 'quinidine', 'terbinafine']));
  });
});
