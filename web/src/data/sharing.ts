// What a patient can share or withhold: Flaura's data classes as security labels (data/security/data-classes.json, the
// labels the server puts on resources and its access policy matches Consent provisions against) and purposes of use
// (HL7 v3 ActReason). Defaults state what happens when the patient has said nothing.
export const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
export const FLAURA_LABELS = 'https://flaura.dev/fhir/CodeSystem/data-class';

export const dataClasses = [
  { id: 'genomic', label: 'Genetic results', help: 'Pharmacogenomic tests and other genetic data.', system: FLAURA_LABELS, code: 'genomic' },
  { id: 'social', label: 'Social circumstances', help: 'Housing, food, transport and other social needs (SDOH).', system: FLAURA_LABELS, code: 'sdoh' },
  { id: 'wearable', label: 'Wearable data', help: 'Heart rate, sleep, steps and other data from your devices.', system: FLAURA_LABELS, code: 'wearable' },
] as const;

export const purposes = [
  { id: 'treatment', label: 'My care team, for my treatment', code: 'TREAT', defaultShared: true },
  { id: 'research', label: 'Approved research', code: 'HRESCH', defaultShared: false },
] as const;
