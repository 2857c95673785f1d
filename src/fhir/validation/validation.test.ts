// Validation against the official R4 JSON Schema plus the checks a schema cannot express (real dates, references).
import { describe, expect, it } from 'vitest';
import { assertValidResource, validateResource } from './index.ts';
import { getFhirDefinitions } from '../definitions/index.ts';
import { FlauraError } from '../../errors.ts';

const vitals = {
  resourceType: 'Observation',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '85354-9', display: 'Blood pressure panel' }] },
  subject: { reference: 'Patient/example' },
  effectiveDateTime: '2024-05-01T08:30:00+02:00',
  component: [
    { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 128, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
    { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 82, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
  ],
};
const expressions = (input: unknown) => validateResource(input).map((i) => i.expression);

describe('R4 validation', () => {
  it('accepts realistic resources of several types', () => {
    expect(validateResource(vitals)).toEqual([]);
    expect(validateResource({ resourceType: 'Patient', name: [{ family: 'Moyo', given: ['Tendai'] }], gender: 'male', birthDate: '1979-06-02', _birthDate: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1979-06-02T04:10:00+02:00' }] }, telecom: [{ system: 'phone', value: '+263 4 123456', use: 'mobile' }] })).toEqual([]);
    expect(validateResource({ resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/1' }, medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '309362' }] }, dosageInstruction: [{ text: '75 mg once daily', timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } } }] })).toEqual([]);
  });

  it('rejects an unknown element, naming it', () => {
    expect(expressions({ ...vitals, colour: 'red' })).toContain('Observation.colour');
  });

  it('rejects a required-binding code (Patient.gender "nope")', () => {
    const issues = validateResource({ resourceType: 'Patient', gender: 'nope' });
    expect(issues).toEqual([expect.objectContaining({ type: 'code-invalid', expression: 'Patient.gender' })]);
  });

  it('rejects a missing required element and a wrong JSON type', () => {
    const { status: _status, ...noStatus } = vitals;
    expect(expressions(noStatus)).toContain('Observation.status');
    expect(expressions({ ...vitals, component: [{ ...vitals.component[0], valueQuantity: { value: 'high' } }] })).toContain('Observation.component[0].valueQuantity.value');
  });

  it('rejects a non-object where a complex element belongs (null, a number, a string), and survives a non-array entry list', () => {
    expect(expressions({ ...vitals, subject: null }).join(' ')).toContain('subject');
    expect(expressions({ ...vitals, code: { coding: [0] } }).join(' ')).toContain('coding');
    expect(expressions({ ...vitals, code: 'heart rate' }).join(' ')).toContain('code');
    expect(validateResource({ resourceType: 'Bundle', type: 'transaction', entry: 0 }).length).toBeGreaterThan(0);
  });

  it('rejects an array where the element repeats at most once, and a malformed id', () => {
    expect(expressions({ resourceType: 'Patient', gender: ['male'] })).toContain('Patient.gender');
    expect(expressions({ resourceType: 'Patient', id: 'has spaces' })).toContain('Patient.id');
  });

  it('rejects an impossible calendar date and a malformed dateTime', () => {
    expect(expressions({ resourceType: 'Patient', birthDate: '2023-02-30' })).toContain('Patient.birthDate');
    expect(expressions({ ...vitals, effectiveDateTime: '01/05/2024' })).toContain('Observation.effectiveDateTime');
  });

  it('rejects malformed references and references to unknown types', () => {
    expect(expressions({ ...vitals, subject: { reference: 'not a reference' } })).toContain('Observation.subject.reference');
    expect(expressions({ ...vitals, subject: { reference: 'Spaceship/1' } })).toContain('Observation.subject.reference');
    expect(validateResource({ ...vitals, subject: { reference: 'urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0' } })).toEqual([]);
  });

  it('validates nested resources by their own type (Bundle entries, contained)', () => {
    const bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Patient', gender: 'nope' }, request: { method: 'POST', url: 'Patient' } }] };
    expect(expressions(bundle)).toContain('Bundle.entry[0].resource.gender');
    expect(expressions({ ...vitals, contained: [{ resourceType: 'Practitioner', id: 'p1', bogus: true }] })).toContain('Observation.contained[0].bogus');
  });

  it('rejects a non-object and an unknown resourceType; assertValidResource throws a 400 listing the issues', () => {
    expect(validateResource([])).toHaveLength(1);
    expect(validateResource({ resourceType: 'Spaceship' })[0]?.diagnostics).toMatch(/Spaceship/);
    const err = (() => {
      try {
        assertValidResource({ resourceType: 'Patient', gender: 'nope', birthDate: '2023-02-30' });
      } catch (e) {
        return e;
      }
    })() as FlauraError;
    expect(err).toBeInstanceOf(FlauraError);
    expect(err.status).toBe(400);
    expect(err.issues).toHaveLength(2);
  });

  it('has a validator for every R4 resource type', () => {
    const types = getFhirDefinitions().resourceTypes;
    expect(types.length).toBeGreaterThanOrEqual(145);
    for (const type of types) expect(() => validateResource({ resourceType: type })).not.toThrow();
  });
});
