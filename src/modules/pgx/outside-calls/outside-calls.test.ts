// Outside calls: TSV (good and bad lines) and Genomics Reporting IG Observations.
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { FlauraError } from '../../../errors.ts';
import { loadPhenotypeKnowledge } from '../phenotype/knowledge.ts';
import { parseOutsideCallsFhir } from './fhir.ts';
import { parseOutsideCallsTsv } from './tsv.ts';
import { buildVocabulary } from './vocabulary.ts';

const k = loadPhenotypeKnowledge();
const vocab = buildVocabulary(k);

function errorOf(fn: () => unknown): FlauraError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FlauraError) return e;
    throw e;
  }
  throw new Error('expected a FlauraError');
}

describe('parseOutsideCallsTsv', () => {
  it('reads diplotypes, phenotypes, activity scores, a header and comments', () => {
    const text = [
      '# lab: Example Genomics, report 2026-11-01',
      'gene\tdiplotype\tphenotype\tactivity score',
      'CYP2D6\t*1/*2x3',
      'HLA-B\t*57:01/*08:01',
      'MT-RNR1\tm.1555A>G',
      'CYP2C19\t\tPoor Metabolizer',
      'DPYD\t\t\t1.0',
      '',
    ].join('\n');
    const calls = parseOutsideCallsTsv(text, vocab);
    expect(calls.map((c) => [c.gene, c.diplotypes[0]?.name, c.reportedPhenotype, c.source])).toEqual([
      ['CYP2D6', '*1/*2x3', undefined, 'outside-call'],
      ['HLA-B', '*57:01/*08:01', undefined, 'outside-call'],
      ['MT-RNR1', 'm.1555A>G', undefined, 'outside-call'],
      ['CYP2C19', undefined, 'Poor Metabolizer', 'outside-call'],
      ['DPYD', undefined, '1.0', 'outside-call'],
    ]);
    expect(calls[0]?.diplotypes[0]).toMatchObject({ allele1: '*1', allele2: '*2x3' });
  });

  it('reports every bad line with its number', () => {
    const text = 'CYP2D6\t*1/*999\nFOO1\t*1/*1\nCYP2C19\t\tSlow Metabolizer\nHLA-B\t57:01\nCYP2C9 *1/*2\nCYP2C9\t*1/*2\nCYP2C9\t*1/*3';
    const e = errorOf(() => parseOutsideCallsTsv(text, vocab, 'calls.tsv'));
    expect(e.status).toBe(400);
    expect(e.code).toBe('PGX_OUTSIDE_CALL_INVALID');
    expect(e.issues.map((i) => i.diagnostics)).toEqual([
      'calls.tsv line 1: unknown CYP2D6 allele "*999"',
      'calls.tsv line 2: unknown gene "FOO1"',
      'calls.tsv line 3: unknown CYP2C19 phenotype "Slow Metabolizer"',
      'calls.tsv line 4: "57:01" is not an HLA allele name (expected e.g. *57:01)',
      'calls.tsv line 5: expected gene<TAB>diplotype or gene<TAB><TAB>phenotype (tab-separated)',
      'calls.tsv line 7: CYP2C9 is given more than once',
    ]);
  });
});

const geneStudied = (gene: string, hgnc?: string) => ({
  code: { coding: [{ system: 'http://loinc.org', code: '48018-6', display: 'Gene studied [ID]' }] },
  valueCodeableConcept: { coding: [{ system: 'http://www.genenames.org/geneId', ...(hgnc ? { code: hgnc } : {}), display: gene }] },
});

describe('parseOutsideCallsFhir', () => {
  const genotype = (gene: string, value: string, hgnc?: string): Observation => ({
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '84413-4', display: 'Genotype display name' }] },
    valueCodeableConcept: { text: value },
    component: [geneStudied(gene, hgnc)],
  });
  const phenotype = (gene: string, value: string, code = '53040-2'): Observation => ({
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code }] },
    valueCodeableConcept: { text: value },
    component: [geneStudied(gene)],
  });

  it('reads genotype and phenotype Observations from a Bundle, HLA via the gene-studied component', () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { resource: genotype('HLA-B', 'HLA-B*57:01:01/HLA-B*44:02', 'HGNC:4932') },
        { resource: genotype('CYP2D6', '*1/*1x2', 'HGNC:2625') },
        { resource: phenotype('CYP2C19', 'Rapid Metabolizer') },
        { resource: phenotype('MT-RNR1', 'increased risk of aminoglycoside-induced hearing loss', '79716-7') },
        { resource: { resourceType: 'Patient' } },
      ],
    };
    const calls = parseOutsideCallsFhir(bundle, vocab, k.hgnc);
    expect(calls.map((c) => [c.gene, c.diplotypes[0]?.name, c.reportedPhenotype])).toEqual([
      ['HLA-B', '*57:01:01/*44:02', undefined],
      ['CYP2D6', '*1/*1x2', undefined],
      ['CYP2C19', undefined, 'Rapid Metabolizer'],
      ['MT-RNR1', undefined, 'increased risk of aminoglycoside-induced hearing loss'],
    ]);
  });

  it('maps an HGNC code without display back to the gene', () => {
    const obs = genotype('x', '*1/*17');
    obs.component = [{ code: geneStudied('CYP2C19').code, valueCodeableConcept: { coding: [{ system: 'http://www.genenames.org/geneId', code: 'HGNC:2621' }] } }];
    expect(parseOutsideCallsFhir(obs, vocab, k.hgnc)[0]?.gene).toBe('CYP2C19');
  });

  it('rejects unknown genes, alleles, missing values with the element path', () => {
    const noGene: Observation = { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '84413-4' }] }, valueCodeableConcept: { text: '*1/*2' } };
    const e = errorOf(() => parseOutsideCallsFhir([genotype('CYP2C19', '*1/*99'), noGene, phenotype('TPMT', '')], vocab, k.hgnc));
    expect(e.issues.map((i) => [i.expression?.[0], i.diagnostics])).toEqual([
      ['Observation[0].valueCodeableConcept', 'unknown CYP2C19 allele "*99"'],
      ['Observation[1].component', 'no gene-studied component (LOINC 48018-6)'],
      ['Observation[2].value', 'TPMT: the Observation has no value'],
    ]);
  });
});
