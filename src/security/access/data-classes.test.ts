// Data-class labels from real resource shapes: one case per rule family, and resources that must stay unlabelled.
import { describe, expect, it } from 'vitest';
import type { Resource } from '@medplum/fhirtypes';
import { classifyResource, withDataClassLabels } from './data-classes.ts';

const cat = (system: string, code: string) => [{ coding: [{ system, code }] }];
const OBS_CAT = 'http://terminology.hl7.org/CodeSystem/observation-category';
const obs = (extra: Record<string, unknown>): Resource => ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/1' }, ...extra }) as Resource;

const cases: [string, Resource, string[]][] = [
  ['PGx phenotype (LOINC 53040-2)', obs({ code: { coding: [{ system: 'http://loinc.org', code: '53040-2' }] } }), ['genomic']],
  ['Genomics Reporting profile', obs({ meta: { profile: ['http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genotype'] } }), ['genomic']],
  ['genetics category (v2-0074 GE) on a report', { resourceType: 'DiagnosticReport', status: 'final', code: { text: 'panel' }, category: cat('http://terminology.hl7.org/CodeSystem/v2-0074', 'GE') } as Resource, ['genomic']],
  ['MolecularSequence', { resourceType: 'MolecularSequence', coordinateSystem: 0 } as Resource, ['genomic']],
  ['VCF upload', { resourceType: 'Binary', contentType: 'text/vcf' } as Resource, ['genomic']],
  ['PRAPARE panel', obs({ code: { coding: [{ system: 'http://loinc.org', code: '93025-5' }] } }), ['sdoh']],
  ['social-history category', obs({ category: cat(OBS_CAT, 'social-history') }), ['sdoh']],
  ['US Core sdoh Condition', { resourceType: 'Condition', subject: { reference: 'Patient/1' }, category: cat('http://hl7.org/fhir/us/core/CodeSystem/us-core-category', 'sdoh') } as Resource, ['sdoh']],
  ['PHQ-9 total', obs({ code: { coding: [{ system: 'http://loinc.org', code: '44261-6' }] } }), ['behavioral-health']],
  ['ICD-10-CM F32.1 depression', { resourceType: 'Condition', subject: { reference: 'Patient/1' }, code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'F32.1' }] } } as Resource, ['behavioral-health']],
  ['wearable daily metric', obs({ code: { coding: [{ system: 'https://flaura.dev/fhir/CodeSystem/wearable-metric', code: 'steps' }] } }), ['wearable']],
  ['device-measured heart rate', obs({ category: cat(OBS_CAT, 'vital-signs'), device: { display: 'Apple Watch' } }), ['wearable']],
  ['lab glucose', obs({ category: cat(OBS_CAT, 'laboratory'), code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }] } }), []],
  ['lab result from an analyser device', obs({ category: cat(OBS_CAT, 'laboratory'), device: { display: 'Cobas' } }), []],
  ['ICD-10-CM J45 asthma', { resourceType: 'Condition', subject: { reference: 'Patient/1' }, code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'J45.909' }] } } as Resource, []],
  ['a PDF Binary', { resourceType: 'Binary', contentType: 'application/pdf' } as Resource, []],
];

describe('data classes', () => {
  it.each(cases)('%s → %j', (_name, resource, expected) => {
    expect(classifyResource(resource)).toEqual(expected);
  });

  it('adds the class label once, keeping labels a writer set', () => {
    const writer = { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' };
    const once = withDataClassLabels(obs({ meta: { security: [writer] }, code: { coding: [{ system: 'http://loinc.org', code: '53040-2' }] } }));
    const twice = withDataClassLabels(once);
    // The class label, plus its HL7 sensitivity code (GDIS), which makes the resource encrypted at rest.
    expect(twice.meta?.security?.map((s) => s.code)).toEqual(['R', 'genomic', 'GDIS']);
    const plain = obs({});
    expect(withDataClassLabels(plain)).toBe(plain);
  });
});
