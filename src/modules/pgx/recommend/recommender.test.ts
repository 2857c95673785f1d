// Recommender: every row of every guideline is found by its own lookup keys; golden cases from the CPIC guidelines.
import { describe, expect, it } from 'vitest';
import type { GenePhenotype } from '../model.ts';
import { loadPhenotypeKnowledge } from '../phenotype/knowledge.ts';
import { phenotypeCalls } from '../phenotype/phenotyper.ts';
import type { GeneResult } from '../phenotype/types.ts';
import { call } from '../test-support/calls.ts';
import { loadGuidanceKnowledge } from './knowledge.ts';
import { adviceKey, recommendDrug } from './recommender.ts';

const guidance = loadGuidanceKnowledge();
const phen = loadPhenotypeKnowledge();

/** A GeneResult carrying exactly the given lookup key (as a lab would report it). */
function keyed(gene: string, lookupKey: string): GeneResult {
  const diplotype = lookupKey.startsWith('diplotype:') ? lookupKey.slice('diplotype:'.length) : undefined;
  const p: GenePhenotype = { gene, phenotype: lookupKey, lookupKey: diplotype ? 'x' : lookupKey, ...(diplotype ? { diplotype } : {}) };
  return { gene, call: call(gene), phenotypes: [p], warnings: [] };
}

function fromCalls(...calls: Array<[string, string]>): GeneResult[] {
  return phenotypeCalls(calls.map(([g, d]) => call(g, d)), phen);
}

describe('recommendDrug: every row is found by its own keys', () => {
  const files = [...new Set([...guidance.byDrug.values()].flat())];
  it('covers the whole data set', () => {
    expect(files.reduce((n, f) => n + f.recommendations.length, 0)).toBe(guidance.cpic.recommendationCount + (guidance.dpwg?.recommendationCount ?? 0));
  });
  for (const file of files) {
    it(`${file.source} ${file.name}`, () => {
      for (const row of file.recommendations) {
        // 'any' rows need some called result of the gene; 'No Result'/'n/a' rows need the gene absent.
        const genes = Object.entries(row.lookupKey).filter(([, k]) => k !== 'No Result' && k !== 'n/a').map(([g, k]) => keyed(g, k === 'any' ? 'Called' : k));
        for (const drug of row.drugs) {
          const result = recommendDrug(drug, genes, guidance);
          // the row itself, or an identical piece of advice that CPIC lists under `No Result` and `n/a` alike
          const found = result.recommendations.filter((m) => m.guidelineId === file.id).map((m) => (m.recommendation.id === row.id ? row.id : adviceKey(m.recommendation)));
          expect(found.includes(row.id) || found.includes(adviceKey(row)), `${drug} ${JSON.stringify(row.lookupKey)}`).toBe(true);
          // …and only rows whose keys all agree with this patient's
          for (const m of result.recommendations) {
            for (const [g, k] of Object.entries(m.lookupKey)) {
              if (k === 'any' || k === 'No Result' || k === 'n/a') continue;
              const p = genes.find((x) => x.gene === g)?.phenotypes[0];
              expect(p?.lookupKey === k || `diplotype:${p?.diplotype}` === k, `${drug} ${g}=${k}`).toBe(true);
            }
          }
        }
      }
    });
  }
});

describe('golden cases (CPIC guideline text)', () => {
  const cpic = (drug: string, genes: GeneResult[]) => recommendDrug(drug, genes, guidance).recommendations.filter((m) => m.source === 'CPIC');

  it('clopidogrel, CYP2C19 *2/*2: poor metabolizer → alternative antiplatelet', () => {
    const r = recommendDrug('clopidogrel', fromCalls(['CYP2C19', '*2/*2']), guidance);
    expect(r.status).toBe('recommendation');
    const rows = r.recommendations.filter((m) => m.source === 'CPIC');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]?.recommendation.text).toMatch(/Avoid clopidogrel if possible\. Use prasugrel or ticagrelor/);
    expect(rows.every((m) => m.recommendation.alternateDrugAvailable)).toBe(true);
    expect(rows[0]?.recommendation.doseAdjustment?.kind).toBe('avoid');
    expect(rows.every((m) => m.lookupKey.CYP2C19 === 'Poor Metabolizer')).toBe(true);
  });

  it('codeine, CYP2D6 ultrarapid (*1/*1x2, AS 3.0): avoid codeine', () => {
    const rows = cpic('codeine', fromCalls(['CYP2D6', '*1/*1x2']));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.recommendation.text).toMatch(/Avoid codeine use because of potential for serious toxicity/);
    expect(rows[0]?.recommendation.classification).toBe('Strong');
    expect(rows[0]?.recommendation.doseAdjustment?.kind).toBe('avoid');
  });

  it('efavirenz, CYP2B6 *6/*6: poor metabolizer → 400 or 200 mg/day', () => {
    const rows = cpic('efavirenz', fromCalls(['CYP2B6', '*6/*6']));
    expect(rows[0]?.recommendation.text).toMatch(/decreased dose of 400 or 200 mg\/day/);
    expect(rows[0]?.recommendation.doseAdjustment?.kind).toBe('reduce');
  });

  it('fluorouracil, DPYD c.1905+1G>A heterozygote (AS 1.0): reduce starting dose by 50%', () => {
    const rows = cpic('fluorouracil', fromCalls(['DPYD', 'Reference/c.1905+1G>A (*2A)']));
    expect(rows[0]?.recommendation.text).toMatch(/Reduce starting dose by 50%/);
    expect(rows[0]?.recommendation.doseAdjustment).toMatchObject({ kind: 'reduce', percentOfStandard: 50 });
    expect(rows[0]?.lookupKey).toEqual({ DPYD: '1.0' });
  });

  it('abacavir, HLA-B*57:01 positive: not recommended', () => {
    const rows = cpic('abacavir', fromCalls(['HLA-B', '*57:01/*07:02']));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.recommendation.text).toMatch(/Abacavir is not recommended/);
    expect(rows[0]?.recommendation.doseAdjustment?.kind).toBe('avoid');
    const neg = cpic('abacavir', fromCalls(['HLA-B', '*07:02/*44:02']));
    expect(neg[0]?.lookupKey).toEqual({ 'HLA-B': '*57:01 negative' });
  });

  it('simvastatin, SLCO1B1 *5/*5 (poor function): prescribe an alternative statin', () => {
    const rows = cpic('simvastatin', fromCalls(['SLCO1B1', '*5/*5']));
    expect(rows[0]?.recommendation.text).toMatch(/Prescribe an alternative statin/);
    expect(rows[0]?.recommendation.doseAdjustment?.kind).toBe('avoid');
  });

  it('thiopurines: TPMT and NUDT15 must both match (multi-gene key)', () => {
    const rows = cpic('azathioprine', fromCalls(['TPMT', '*1/*3A'], ['NUDT15', '*1/*1']));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.lookupKey).toEqual({ NUDT15: 'Normal Metabolizer', TPMT: 'Intermediate Metabolizer' });
    expect(rows[0]?.recommendation.text).toMatch(/reduced starting doses \(30%-80% of normal dose\)/);
    expect(rows[0]?.recommendation.doseAdjustment).toMatchObject({ kind: 'reduce', percentOfStandard: 30, percentRange: [30, 80] });
    const r = recommendDrug('azathioprine', fromCalls(['TPMT', '*1/*3A'], ['NUDT15', '*1/*1']), guidance);
    expect(r.warnings.map((w) => w.code)).toContain('OUTDATED_GUIDANCE');
  });

  it('warfarin: CYP2C9 + VKORC1 + CYP4F2 (CPIC 2017 flowchart rows, plus DPWG)', () => {
    const genes = fromCalls(['CYP2C9', '*1/*3'], ['VKORC1', 'rs9923231 reference (C)/rs9923231 variant (T)'], ['CYP4F2', '*1/*3']);
    const r = recommendDrug('warfarin', genes, guidance);
    const c = r.recommendations.filter((m) => m.source === 'CPIC');
    expect(c.map((m) => m.recommendation.population)).toEqual(['adults of non-African ancestry', 'adults of African ancestry']);
    expect(c[0]?.recommendation.text).toMatch(/increase the calculated dose by 5-10%/);
    const d = r.recommendations.filter((m) => m.source === 'DPWG');
    expect(d.map((m) => Object.keys(m.lookupKey)[0]).sort()).toEqual(['CYP2C9', 'VKORC1']);
    expect(d.find((m) => m.lookupKey.CYP2C9)?.recommendation.text).toMatch(/65% of the standard initial dose/);
  });

  it('explicit no-recommendation and indeterminate results', () => {
    expect(recommendDrug('clopidogrel', fromCalls(['CYP2C19', '*1/*1']), guidance).status).toBe('recommendation');
    expect(recommendDrug('codeine', [], guidance).status).toBe('indeterminate');
    expect(recommendDrug('abacavir', [], guidance).status).toBe('indeterminate');
    const none = recommendDrug('ondansetron', fromCalls(['CYP2D6', '*1/*4']), guidance);
    expect(none.status).toBe('no-recommendation');
  });
});

describe('duplicate advice', () => {
  it('lists advice once when CPIC repeats it for No Result and n/a', () => {
    const r = recommendDrug('amitriptyline', fromCalls(['CYP2C19', '*2/*2']), guidance);
    const cpic = r.recommendations.filter((m) => m.source === 'CPIC');
    expect(new Set(cpic.map((m) => adviceKey(m.recommendation))).size).toBe(cpic.length);
    expect(cpic.length).toBeGreaterThan(0);
  });
});
