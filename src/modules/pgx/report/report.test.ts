// Renderings: JSON report shape, FHIR bundle (every reference resolves), HTML escaping, patient readability.
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { loadPhenotypeKnowledge } from '../phenotype/knowledge.ts';
import { call } from '../test-support/calls.ts';
import { fleschKincaidGrade } from '../test-support/flesch-kincaid.ts';
import { resultFor } from '../test-support/results.ts';
import { toFhirBundle } from './fhir.ts';
import { toHtmlReport } from './html.ts';
import { toJsonReport } from './json.ts';
import { loadPatientTemplates } from './load-templates.ts';
import { patientExplanation, patientExplanationText, patientProse } from './patient.ts';
import { toTextReport } from './text.ts';

const NOW = '2026-11-25T06:00:00Z';
const result = resultFor([
  call('CYP2C19', '*2/*2'),
  call('CYP2D6', '*1/*1x2'),
  call('CYP2C9', '*1/*3', '*1/*2'),
  call('DPYD', 'Reference/c.1905+1G>A (*2A)'),
  { ...call('HLA-B', '*57:01/*44:02'), source: 'outside-call' },
  call('SLCO1B1', '*5/*5'),
  call('TPMT'),
]);

function referencesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => referencesIn(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else referencesIn(v, out);
    }
  }
  return out;
}

describe('JSON report', () => {
  it('has the documented shape and versions', () => {
    const r = toJsonReport(result, NOW);
    expect(r).toMatchObject({ format: 'flaura-pgx-report', formatVersion: '1.4', generatedAt: NOW, sample: 'NA12878' });
    expect(r.dataVersion.cpicRecommendations).toBe('2024-03-25-16-13');
    const cyp2c9 = r.genes.find((g) => g.gene === 'CYP2C9');
    expect(cyp2c9).toMatchObject({ diplotypes: ['*1/*3', '*1/*2'], phenotype: 'Intermediate Metabolizer', activityScore: '1.0 or 1.5', source: 'vcf' });
    expect(r.genes.find((g) => g.gene === 'TPMT')).toMatchObject({ diplotypes: [], phenotype: 'Indeterminate', activityScore: null });
    const clopidogrel = r.drugs.find((d) => d.drug === 'clopidogrel');
    expect(clopidogrel?.status).toBe('recommendation');
    expect(clopidogrel?.recommendations[0]).toMatchObject({ source: 'CPIC', lookupKey: { CYP2C19: 'Poor Metabolizer' } });
    expect(r.dataNotes).toContain('CPIC published metoprolol recommendations on 2024-07-08; they are not in this data (2024-03-25-16-13).');
    expect(r.dataNotes.some((n) => n.startsWith('CPIC updated the azathioprine recommendations on 2026-02-04'))).toBe(true);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});

describe('FHIR bundle', () => {
  const bundle: Bundle = toFhirBundle(result, NOW, loadPhenotypeKnowledge().hgnc);
  const urls = new Set((bundle.entry ?? []).map((e) => e.fullUrl));
  const observations = (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Observation => r?.resourceType === 'Observation');

  it('every reference resolves inside the bundle (except the patient)', () => {
    const refs = referencesIn(bundle).filter((r) => r !== 'Patient/example');
    expect(refs.length).toBeGreaterThan(20);
    for (const r of refs) expect(urls.has(r), r).toBe(true);
    expect(urls.size).toBe(bundle.entry?.length);
  });

  it('leads with a genomics-report DiagnosticReport listing every Observation', () => {
    const report = bundle.entry?.[0]?.resource;
    expect(report?.resourceType).toBe('DiagnosticReport');
    if (report?.resourceType !== 'DiagnosticReport') return;
    expect(report.meta?.profile).toEqual(['http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genomics-report']);
    expect(report.code.coding?.[0]?.code).toBe('81247-9');
    expect(report.result).toHaveLength(observations.length);
  });

  it('has genotype (84413-4 + HGNC gene studied), phenotype (53040-2) and therapeutic-implication Observations', () => {
    const genotype = observations.find((o) => o.code.coding?.[0]?.code === '84413-4' && o.valueCodeableConcept?.text === 'CYP2C19 *2/*2');
    expect(genotype?.component?.[0]?.valueCodeableConcept?.coding?.[0]).toEqual({ system: 'http://www.genenames.org/geneId', code: 'HGNC:2621', display: 'CYP2C19' });
    expect(genotype?.derivedFrom?.[0]?.reference).toBe(bundle.entry?.find((e) => e.resource?.resourceType === 'DocumentReference')?.fullUrl);
    const phenotype = observations.find((o) => o.code.coding?.[0]?.code === '53040-2' && o.valueCodeableConcept?.text === 'Poor Metabolizer');
    expect(phenotype?.derivedFrom?.[0]?.reference).toBe(urls.has(phenotype?.derivedFrom?.[0]?.reference) ? phenotype?.derivedFrom?.[0]?.reference : 'missing');
    const implication = observations.find((o) => o.code.coding?.some((c) => c.code === '51961-1') && o.component?.some((c) => c.code.coding?.[0]?.code === '51963-7' && c.valueCodeableConcept?.text === 'clopidogrel'));
    expect(implication?.meta?.profile?.[0]).toMatch(/therapeutic-implication$/);
    expect(implication?.note?.[0]?.text).toMatch(/Avoid clopidogrel if possible/);
    expect(implication?.derivedFrom?.map((r) => r.reference)).toContain(observations.includes(phenotype as Observation) ? (bundle.entry?.find((e) => e.resource === phenotype)?.fullUrl as string) : '');
  });

  it('credits the source of every implication (DPWG is CC BY-SA 4.0)', () => {
    const notes = observations.filter((o) => o.meta?.profile?.[0]?.endsWith('therapeutic-implication')).map((o) => o.note?.at(-1)?.text ?? '');
    expect(notes.some((n) => /DPWG annotation © ClinPGx\/PharmGKB, CC BY-SA 4\.0/.test(n))).toBe(true);
    expect(notes.every((n) => /^Source: Annotation of (CPIC|DPWG) Guideline/.test(n))).toBe(true);
  });

  it('links each genotype to the file its call came from', () => {
    const both = { ...result, inputs: [...result.inputs, { kind: 'outside-call' as const, name: 'hla.tsv', contentType: 'text/tab-separated-values' }] };
    const b = toFhirBundle(both, NOW, loadPhenotypeKnowledge().hgnc);
    const docUrl = (name: string) => b.entry?.find((e) => e.resource?.resourceType === 'DocumentReference' && e.resource.content[0]?.attachment.title === name)?.fullUrl;
    const genotypeOf = (text: string) => b.entry?.map((e) => e.resource).find((r): r is Observation => r?.resourceType === 'Observation' && r.valueCodeableConcept?.text === text);
    expect(genotypeOf('HLA-B *57:01/*44:02')?.derivedFrom).toEqual([{ reference: docUrl('hla.tsv') }]);
    expect(genotypeOf('CYP2C19 *2/*2')?.derivedFrom).toEqual([{ reference: docUrl('sample.vcf.gz') }]);
  });

  it('is deterministic for the same input', () => {
    expect(toFhirBundle(result, NOW, loadPhenotypeKnowledge().hgnc)).toEqual(bundle);
  });
});

describe('HTML report', () => {
  it('escapes input and data, and is self-contained', () => {
    const evil = { ...result, sample: '<script>alert(1)</script>', inputs: [{ kind: 'vcf' as const, name: 'a"><img src=x onerror=alert(1)>.vcf', contentType: 'text/x-vcf' }] };
    const html = toHtmlReport(evil, NOW);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(html).toContain('Avoid clopidogrel if possible');
    expect(html).toContain('CC BY-SA 4.0');
    expect(html).toMatch(/<tr><td>fluorouracil<\/td><td>DPYD<\/td><td>CPIC: Reduce dose \(50 %\)/);
    expect(html).toMatch(/<tr><td>codeine<\/td><td>CYP2D6<\/td><td>CPIC: Avoid \/ use an alternative/);
  });
});

describe('text report', () => {
  it('lists genes and actionable medicines', () => {
    const t = toTextReport(result, NOW);
    expect(t).toMatch(/CYP2D6\s+\*1\/\*1x2\s+Ultrarapid Metabolizer \(AS 3\.0\)/);
    expect(t).toMatch(/codeine \(CYP2D6\)\n\s+\[CPIC Strong, general\] Avoid codeine use/);
  });
});

describe('patient explanation', () => {
  const e = patientExplanation(result, loadPatientTemplates());

  it('explains each gene and each affected medicine', () => {
    expect(e.genes.map((g) => g.gene)).toEqual(['CYP2C19', 'CYP2D6', 'CYP2C9', 'DPYD', 'HLA-B', 'SLCO1B1', 'TPMT']);
    expect(e.genes.find((g) => g.gene === 'HLA-B')?.text).toMatch(/You carry the \*57:01 type/);
    // only medicines whose advice changes, keyed on this gene (allopurinol/carbamazepine stay usual for *58:01/*15:02 negative)
    expect(e.genes.find((g) => g.gene === 'HLA-B')?.medicines).toEqual(['abacavir', 'flucloxacillin']);
    expect(e.medicines.some((m) => m.drug === 'allopurinol')).toBe(false);
    expect(e.medicines.find((m) => m.drug === 'codeine')?.text).toBe('This medicine may not be a good choice for you. Your doctor may pick a different one.');
    expect(e.medicines.find((m) => m.drug === 'fluorouracil')?.text).toBe('You may need a lower dose than most people.');
    expect(e.tellOthers).toMatch(/Show it to every doctor/);
  });

  it('reads at or below US grade 8 (Flesch–Kincaid), per section and as a whole', () => {
    for (const g of e.genes) expect(fleschKincaidGrade(g.text), g.text).toBeLessThanOrEqual(8);
    for (const m of e.medicines) expect(fleschKincaidGrade(m.text), m.text).toBeLessThanOrEqual(8);
    expect(fleschKincaidGrade(e.tellOthers)).toBeLessThanOrEqual(8);
    expect(fleschKincaidGrade(patientProse(e))).toBeLessThanOrEqual(8);
    expect(patientExplanationText(e)).toContain('  - abacavir');
    expect(patientExplanationText(e)).toContain('Codeine: This medicine may not be a good choice for you.');
  });

  it('every template reads at or below grade 8', () => {
    const t = loadPatientTemplates();
    for (const s of [...Object.values(t.genes), ...t.phenotypes.map((p) => p.text), ...Object.values(t.drug), t.tellOthers]) {
      expect(fleschKincaidGrade(s.replace(/\{\w+\}/g, 'it')), s).toBeLessThanOrEqual(8);
    }
  });
});

describe('FHIR bundle against the R4 definitions', () => {
  it('every resource uses only defined elements with the right cardinality and required elements', async () => {
    const { fhirShapeProblems } = await import('../test-support/fhir-shape.ts');
    const bundle = toFhirBundle(result, NOW, loadPhenotypeKnowledge().hgnc);
    expect(fhirShapeProblems(bundle)).toEqual([]);
    // the checker itself catches mistakes
    expect(fhirShapeProblems({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueFoo: 1, component: {} })).toEqual([
      'Observation.valueFoo: type Foo not allowed',
      'Observation.component: expected an array',
    ]);
    expect(fhirShapeProblems({ resourceType: 'Observation', code: { coding: { code: 1 } } })).toEqual(['Observation.status: required', 'Observation.code.coding: expected an array']);
  });
});
