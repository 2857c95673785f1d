// A Synthea-shaped patient history as one transaction Bundle: urn:uuid fullUrls, conditional create of the shared
// Organization and Practitioner, conditional references to them, years of encounters with vitals, labs, conditions,
// prescriptions, procedures, reports and claims. Deterministic for a seed; all people invented, codes real.
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { prng } from './prng.ts';

function uuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[Math.floor(random() * 4)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const VITALS = [
  ['8867-4', 'Heart rate', '/min', 55, 100],
  ['9279-1', 'Respiratory rate', '/min', 12, 20],
  ['8310-5', 'Body temperature', 'Cel', 36.1, 37.6],
  ['29463-7', 'Body weight', 'kg', 60, 95],
  ['8302-2', 'Body height', 'cm', 160, 190],
  ['39156-5', 'Body mass index (BMI) [Ratio]', 'kg/m2', 19, 32],
  ['2708-6', 'Oxygen saturation in Arterial blood', '%', 94, 100],
] as const;
const LABS = [
  ['2339-0', 'Glucose [Mass/volume] in Blood', 'mg/dL', 70, 160],
  ['4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', '%', 4.8, 8.5],
  ['2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma', 'mg/dL', 140, 260],
  ['2571-8', 'Triglyceride [Mass/volume] in Serum or Plasma', 'mg/dL', 60, 250],
  ['18262-6', 'Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay', 'mg/dL', 60, 190],
] as const;
const CONDITIONS = [
  ['44054006', 'Diabetes mellitus type 2'],
  ['38341003', 'Hypertensive disorder, systemic arterial'],
  ['55822004', 'Hyperlipidemia'],
  ['195662009', 'Acute viral pharyngitis'],
  ['10509002', 'Acute bronchitis'],
] as const;
const MEDICATIONS = [
  ['860975', '24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet'],
  ['314076', 'lisinopril 10 MG Oral Tablet'],
  ['312961', 'simvastatin 20 MG Oral Tablet'],
  ['309362', 'clopidogrel 75 MG Oral Tablet'],
  ['313782', 'acetaminophen 325 MG Oral Tablet'],
] as const;
const PROCEDURES = [
  ['430193006', 'Medication reconciliation (procedure)'],
  ['710824005', 'Assessment of health and social care needs (procedure)'],
  ['171207006', 'Depression screening (procedure)'],
] as const;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A small XHTML table of the resource's top-level values, as generated narratives look. */
function narrative(resource: Resource): string {
  const rows = Object.entries(resource)
    .filter(([k]) => k !== 'resourceType' && k !== 'text')
    .map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(JSON.stringify(v).slice(0, 240))}</td></tr>`)
    .join('');
  return `<div xmlns="http://www.w3.org/1999/xhtml"><p><b>Generated Narrative: ${resource.resourceType}</b></p><table>${rows}</table></div>`;
}

export interface SyntheticOptions {
  seed: number;
  years: number;
  encountersPerYear: number;
  /** ISO date the history ends. */
  until: string;
}

/** One patient's history; `years: 8, encountersPerYear: 12` gives a bundle of over 2 MB. */
export function syntheticPatientBundle(options: SyntheticOptions): Bundle {
  const random = prng(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const between = (lo: number, hi: number) => Math.round((lo + random() * (hi - lo)) * 10) / 10;
  const entries: BundleEntry[] = [];
  const add = (resource: Resource, conditional?: string): string => {
    const fullUrl = `urn:uuid:${uuid(random)}`;
    // Like Synthea, every resource carries a generated narrative.
    (resource as Resource & { text?: unknown }).text = { status: 'generated', div: narrative(resource) };
    entries.push({ fullUrl, resource, request: { method: 'POST', url: resource.resourceType, ...(conditional ? { ifNoneExist: conditional } : {}) } });
    return fullUrl;
  };
  const pracNpi = `98${String(options.seed).padStart(8, '0')}`;
  add({ resourceType: 'Organization', identifier: [{ system: 'https://github.com/synthetichealth/synthea', value: `org-${options.seed}` }], active: true, type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov', display: 'Healthcare Provider' }] }], name: `Parirenyatwa Outpatient ${options.seed}`, address: [{ line: ['Mazowe Street'], city: 'Harare', country: 'ZW' }] }, `identifier=https://github.com/synthetichealth/synthea|org-${options.seed}`);
  add({ resourceType: 'Practitioner', identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: pracNpi }], active: true, name: [{ family: 'Mutasa', given: ['Rudo'], prefix: ['Dr.'] }], gender: 'female' }, `identifier=http://hl7.org/fhir/sid/us-npi|${pracNpi}`);
  const orgRef = { reference: `Organization?identifier=https://github.com/synthetichealth/synthea|org-${options.seed}`, display: `Parirenyatwa Outpatient ${options.seed}` };
  const pracRef = { reference: `Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|${pracNpi}`, display: 'Dr. Rudo Mutasa' };
  const patient = add({
    resourceType: 'Patient',
    identifier: [
      { system: 'https://github.com/synthetichealth/synthea', value: `synthetic-${options.seed}` },
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', display: 'Medical Record Number' }] }, system: 'http://hospital.smarthealthit.org', value: `MRN-${options.seed}` },
    ],
    name: [{ use: 'official', family: 'Dube', given: ['Nyasha', 'Tafadzwa'], prefix: ['Ms.'] }],
    telecom: [{ system: 'phone', value: '555-201-7788', use: 'home' }],
    gender: 'female',
    birthDate: '1961-04-17',
    address: [{ line: ['14 Samora Machel Ave'], city: 'Harare', country: 'ZW' }],
    maritalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', code: 'M', display: 'Married' }] },
    communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'en-US', display: 'English (United States)' }] } }],
    managingOrganization: orgRef,
  });
  const subject = { reference: patient };
  const end = Date.parse(options.until);
  const total = options.years * options.encountersPerYear;
  for (let e = 0; e < total; e++) {
    const start = new Date(end - (total - e) * (365 / options.encountersPerYear) * 86_400_000);
    const stop = new Date(start.getTime() + 30 * 60_000);
    const when = start.toISOString();
    const encounter = add({
      resourceType: 'Encounter',
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      type: [{ coding: [{ system: 'http://snomed.info/sct', code: '185349003', display: 'Encounter for check up (procedure)' }], text: 'Encounter for check up (procedure)' }],
      subject,
      participant: [{ individual: pracRef }],
      period: { start: when, end: stop.toISOString() },
      serviceProvider: orgRef,
    });
    const results: { reference: string }[] = [];
    for (const [code, display, unit, lo, hi] of VITALS) {
      results.push({ reference: add({ resourceType: 'Observation', status: 'final', category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'vital-signs' }] }], code: { coding: [{ system: 'http://loinc.org', code, display }], text: display }, subject, encounter: { reference: encounter }, effectiveDateTime: when, issued: when, valueQuantity: { value: between(lo, hi), unit, system: 'http://unitsofmeasure.org', code: unit } }) });
    }
    add({ resourceType: 'Observation', status: 'final', category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }], code: { coding: [{ system: 'http://loinc.org', code: '85354-9', display: 'Blood pressure panel with all children optional' }] }, subject, encounter: { reference: encounter }, effectiveDateTime: when, component: [{ code: { coding: [{ system: 'http://loinc.org', code: '8480-6', display: 'Systolic blood pressure' }] }, valueQuantity: { value: between(105, 150), unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } }, { code: { coding: [{ system: 'http://loinc.org', code: '8462-4', display: 'Diastolic blood pressure' }] }, valueQuantity: { value: between(65, 95), unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } }] });
    const labs = LABS.map(([code, display, unit, lo, hi]) => ({ reference: add({ resourceType: 'Observation', status: 'final', category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }], code: { coding: [{ system: 'http://loinc.org', code, display }], text: display }, subject, encounter: { reference: encounter }, effectiveDateTime: when, valueQuantity: { value: between(lo, hi), unit, system: 'http://unitsofmeasure.org', code: unit } }) }));
    add({ resourceType: 'DiagnosticReport', status: 'final', category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB' }] }], code: { coding: [{ system: 'http://loinc.org', code: '57698-3', display: 'Lipid panel with direct LDL - Serum or Plasma' }] }, subject, encounter: { reference: encounter }, effectiveDateTime: when, issued: when, result: labs });
    if (e % 6 === 0) {
      const [code, display] = pick(CONDITIONS);
      add({ resourceType: 'Condition', clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] }, verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] }, category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis' }] }], code: { coding: [{ system: 'http://snomed.info/sct', code, display }], text: display }, subject, encounter: { reference: encounter }, onsetDateTime: when, recordedDate: when });
    }
    const [rx, rxDisplay] = pick(MEDICATIONS);
    const med = add({ resourceType: 'MedicationRequest', status: e < total - 4 ? 'stopped' : 'active', intent: 'order', medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: rx, display: rxDisplay }], text: rxDisplay }, subject, encounter: { reference: encounter }, authoredOn: when, requester: pracRef, dosageInstruction: [{ sequence: 1, text: 'Take one tablet by mouth daily', timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } }, asNeededBoolean: false }] });
    const [pc, pDisplay] = pick(PROCEDURES);
    add({ resourceType: 'Procedure', status: 'completed', code: { coding: [{ system: 'http://snomed.info/sct', code: pc, display: pDisplay }], text: pDisplay }, subject, encounter: { reference: encounter }, performedPeriod: { start: when, end: stop.toISOString() } });
    add({
      resourceType: 'Claim',
      status: 'active',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
      use: 'claim',
      patient: subject,
      billablePeriod: { start: when, end: stop.toISOString() },
      created: stop.toISOString(),
      provider: orgRef,
      priority: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }] },
      prescription: { reference: med },
      insurance: [{ sequence: 1, focal: true, coverage: { display: 'Cimas Medical Aid' } }],
      item: [
        { sequence: 1, productOrService: { coding: [{ system: 'http://snomed.info/sct', code: '185349003', display: 'Encounter for check up (procedure)' }] }, encounter: [{ reference: encounter }], net: { value: 136.8, currency: 'USD' } },
        { sequence: 2, productOrService: { coding: [{ system: 'http://snomed.info/sct', code: pc, display: pDisplay }] }, net: { value: 453.11, currency: 'USD' } },
      ],
      total: { value: 589.91, currency: 'USD' },
    });
  }
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}
