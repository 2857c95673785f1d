// Consent resources as the patient portal's sharing screen writes them, for tests.
import type { Consent } from '@medplum/fhirtypes';

/** The patient withdraws genomic data (the `genomic` data class) for treatment: what "stop sharing my genes" writes. */
export function withdrawGenomicForTreatment(patientId: string): Consent {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    patient: { reference: `Patient/${patientId}` },
    dateTime: new Date().toISOString(),
    provision: { type: 'deny', purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }], securityLabel: [{ system: 'https://flaura.dev/fhir/CodeSystem/data-class', code: 'genomic' }] },
  };
}
