// Test helpers: patients with PGx results stored by the real engine (outside-call TSV → pipeline → report/fhir.ts →
// transaction, through POST /pgx/patients/{id}/results) and CDS Hooks requests as EHRs send them.
import { randomUUID } from 'node:crypto';
import type { MedicationRequest } from '@medplum/fhirtypes';
import type { TestServer } from '../../../test/test-server.ts';
import { RXNORM } from './medications.ts';

export async function createPatient(s: TestServer, id: string): Promise<void> {
  const res = await s.fhir('PUT', `Patient/${id}`, { resourceType: 'Patient', id, name: [{ family: id }] });
  if (res.status >= 300) throw new Error(`patient ${id}: ${res.status} ${res.text}`);
}

/** Stores a lab's calls (`gene → diplotype`) for the patient through the PGx module's import route. */
export async function storeCalls(s: TestServer, patientId: string, calls: Record<string, string>): Promise<void> {
  const tsv = ['gene\tdiplotype\tphenotype\tactivity score', ...Object.entries(calls).map(([g, d]) => `${g}\t${d}`)].join('\n') + '\n';
  const res = await s.request('POST', `/pgx/patients/${patientId}/results?filename=calls.tsv`, tsv, { 'content-type': 'text/tab-separated-values' });
  if (res.status !== 201) throw new Error(`PGx import for ${patientId}: ${res.status} ${res.text}`);
}

/** Creates an active MedicationRequest; returns it as stored. */
export async function activeMedication(s: TestServer, patientId: string, rxcui: string, display: string): Promise<MedicationRequest> {
  const res = await s.fhir('POST', 'MedicationRequest', {
    resourceType: 'MedicationRequest',
    status: 'active',
    intent: 'order',
    subject: { reference: `Patient/${patientId}` },
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: rxcui, display }], text: display },
    authoredOn: '2026-10-01',
  });
  if (res.status !== 201) throw new Error(`MedicationRequest: ${res.status} ${res.text}`);
  return res.body as unknown as MedicationRequest;
}

export interface DraftOptions {
  id?: string;
  dose?: { value: number; unit: string; code?: string };
  route?: string;
}

/** A draft MedicationRequest as an EHR's order entry holds it (RxNorm clinical drug code and display). */
export function draftOrder(patientId: string, rxcui: string, display: string, options: DraftOptions = {}): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id: options.id ?? randomUUID(),
    status: 'draft',
    intent: 'order',
    subject: { reference: `Patient/${patientId}` },
    requester: { reference: 'Practitioner/dr-lee' },
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: rxcui, display }], text: display },
    dosageInstruction: [
      {
        text: options.dose ? `${options.dose.value} ${options.dose.unit} once daily` : 'as directed',
        timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
        ...(options.route ? { route: { text: options.route } } : {}),
        ...(options.dose ? { doseAndRate: [{ doseQuantity: { value: options.dose.value, unit: options.dose.unit, system: 'http://unitsofmeasure.org', code: options.dose.code ?? options.dose.unit } }] } : {}),
      },
    ],
  };
}

export function hookRequest(hook: 'order-sign' | 'order-select' | 'patient-view', patientId: string, drafts: MedicationRequest[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    hook,
    hookInstance: randomUUID(),
    fhirServer: 'http://flaura.test/fhir',
    context: {
      userId: 'Practitioner/dr-lee',
      patientId,
      ...(hook === 'patient-view' ? {} : { draftOrders: { resourceType: 'Bundle', type: 'collection', entry: drafts.map((resource) => ({ resource })) } }),
      ...(hook === 'order-select' ? { selections: drafts.map((d) => `MedicationRequest/${d.id ?? ''}`) } : {}),
    },
    ...extra,
  };
}
