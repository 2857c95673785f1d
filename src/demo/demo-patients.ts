// The demo cast: a few synthetic patients with stable ids, written as one idempotent transaction (PUT by id).
// All names and addresses are invented; codes are real (LOINC, SNOMED CT, RxNorm).
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';

interface DemoPatient {
  id: string;
  family: string;
  given: string;
  gender: 'male' | 'female';
  birthDate: string;
  city: string;
  country: string;
  /** One line on why this patient is in the demo. */
  story: string;
  medications: { rxnorm: string; display: string }[];
  conditions: { snomed: string; display: string }[];
}

export const demoCast: readonly DemoPatient[] = [
  { id: 'demo-tendai', family: 'Moyo', given: 'Tendai', gender: 'male', birthDate: '1979-06-02', city: 'Harare', country: 'ZW', story: 'HIV on efavirenz-based therapy in a Harare clinic (CYP2B6)', medications: [{ rxnorm: '1721603', display: 'efavirenz 600 MG / lamivudine 300 MG / tenofovir disoproxil fumarate 300 MG Oral Tablet' }], conditions: [{ snomed: '86406008', display: 'Human immunodeficiency virus infection' }] },
  { id: 'demo-maria', family: 'Santos', given: 'Maria', gender: 'female', birthDate: '1958-11-20', city: 'Porto', country: 'PT', story: 'after a coronary stent, about to start clopidogrel (CYP2C19)', medications: [{ rxnorm: '314076', display: 'lisinopril 10 MG Oral Tablet' }], conditions: [{ snomed: '53741008', display: 'Coronary arteriosclerosis' }] },
  { id: 'demo-grace', family: 'Chikwanha', given: 'Grace', gender: 'female', birthDate: '1986-03-14', city: 'Bulawayo', country: 'ZW', story: 'depression on fluoxetine, needs pain relief after surgery (CYP2D6 phenoconversion)', medications: [{ rxnorm: '310385', display: 'fluoxetine 20 MG Oral Capsule' }], conditions: [{ snomed: '35489007', display: 'Depressive disorder' }] },
  { id: 'demo-james', family: 'Okafor', given: 'James', gender: 'male', birthDate: '1965-08-01', city: 'Lagos', country: 'NG', story: 'raised cholesterol, candidate for simvastatin (SLCO1B1)', medications: [{ rxnorm: '861007', display: 'metformin hydrochloride 500 MG Oral Tablet' }], conditions: [{ snomed: '55822004', display: 'Hyperlipidemia' }, { snomed: '44054006', display: 'Diabetes mellitus type 2' }] },
];

const vitals = [
  ['8867-4', 'Heart rate', '/min', 72],
  ['8480-6', 'Systolic blood pressure', 'mm[Hg]', 128],
  ['29463-7', 'Body weight', 'kg', 74],
] as const;

function put(resource: Resource & { id: string }): BundleEntry {
  return { fullUrl: `${resource.resourceType}/${resource.id}`, resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } };
}

/** One transaction Bundle with the whole cast; re-running it updates in place instead of duplicating. */
export function demoBundle(now: Date): Bundle {
  const entries: BundleEntry[] = [];
  for (const p of demoCast) {
    const subject = { reference: `Patient/${p.id}`, display: `${p.given} ${p.family}` };
    entries.push(put({ resourceType: 'Patient', id: p.id, identifier: [{ system: 'urn:flaura:demo', value: p.id }], name: [{ use: 'official', family: p.family, given: [p.given] }], gender: p.gender, birthDate: p.birthDate, address: [{ city: p.city, country: p.country }], text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${p.given} ${p.family}: ${p.story}</div>` } }));
    p.conditions.forEach((c, i) => entries.push(put({ resourceType: 'Condition', id: `${p.id}-cond-${i}`, subject, clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] }, code: { coding: [{ system: 'http://snomed.info/sct', code: c.snomed, display: c.display }], text: c.display } })));
    p.medications.forEach((m, i) => entries.push(put({ resourceType: 'MedicationRequest', id: `${p.id}-med-${i}`, status: 'active', intent: 'order', subject, authoredOn: now.toISOString().slice(0, 10), medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: m.rxnorm, display: m.display }], text: m.display } })));
    vitals.forEach(([code, display, unit, value], i) => entries.push(put({ resourceType: 'Observation', id: `${p.id}-vital-${i}`, status: 'final', category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }], code: { coding: [{ system: 'http://loinc.org', code, display }], text: display }, subject, effectiveDateTime: now.toISOString(), valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit } })));
  }
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}
