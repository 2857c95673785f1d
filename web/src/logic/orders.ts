// Pure rules of the prescribing screen: card ranking, the draft order, and applying a CDS suggestion to it.
import type { MedicationRequest } from '@medplum/fhirtypes';
import { formulary, RXNORM } from '../data/formulary.ts';

export type Indicator = 'info' | 'warning' | 'critical';
const rank: Record<Indicator, number> = { critical: 0, warning: 1, info: 2 };

/** Most severe first; ties keep the services' order. */
export function bySeverity<T extends { indicator: Indicator }>(cards: readonly T[]): T[] {
  return cards
    .map((c, i) => [c, i] as const)
    .sort((a, b) => rank[a[0].indicator] - rank[b[0].indicator] || a[1] - b[1])
    .map(([c]) => c);
}

/** A draft MedicationRequest for a formulary medicine (status draft: nothing is saved until signed). */
export function draftFor(patientId: string, rxnorm: string, dose: string, requester?: string): MedicationRequest {
  const drug = formulary.find((f) => f.rxnorm === rxnorm);
  if (!drug) throw new Error(`Unknown medicine ${rxnorm}`);
  return {
    resourceType: 'MedicationRequest',
    id: `draft-${crypto.randomUUID()}`,
    status: 'draft',
    intent: 'order',
    subject: { reference: `Patient/${patientId}` },
    ...(requester ? { requester: { reference: requester } } : {}),
    authoredOn: new Date().toISOString(),
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: drug.rxnorm, display: drug.name }], text: drug.name },
    dosageInstruction: [{ text: dose }],
  };
}

export interface SuggestionLike {
  actions?: { type: 'create' | 'update' | 'delete'; resource?: Partial<MedicationRequest> & { resourceType?: string } }[];
}

/**
 * The draft after accepting a suggestion: the first MedicationRequest the suggestion creates or updates replaces it,
 * keeping the draft's id, patient and prescriber (CDS Hooks 2.0: a suggestion's actions describe the new order).
 */
export function applySuggestion(draft: MedicationRequest, s: SuggestionLike): MedicationRequest | undefined {
  const action = s.actions?.find((a) => (a.type === 'create' || a.type === 'update') && a.resource?.resourceType === 'MedicationRequest');
  if (!action?.resource) return undefined;
  return {
    ...action.resource,
    resourceType: 'MedicationRequest',
    id: draft.id,
    status: 'draft',
    intent: action.resource.intent ?? 'order',
    subject: draft.subject,
    ...(draft.requester ? { requester: draft.requester } : {}),
  };
}
