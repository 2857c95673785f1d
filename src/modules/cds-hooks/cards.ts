// The card shapes this module sends (CDS Hooks 2.0 §Card Attributes) and what is shared between the rule families.
import type { Coding, MedicationRequest, Resource } from '@medplum/fhirtypes';
import type { CdsCard } from '../types.ts';

export interface CdsAction {
  type: 'create' | 'update' | 'delete';
  description: string;
  resource?: Resource;
  resourceId?: string[];
}

export interface CdsSuggestion {
  label: string;
  uuid: string;
  isRecommended?: boolean;
  actions: CdsAction[];
}

export interface HookCard extends CdsCard {
  uuid: string;
  suggestions?: CdsSuggestion[];
  overrideReasons?: Coding[];
}

/** A card before it is sent: with what the module needs to recognise it again (feedback, suppression). */
export interface CardCandidate {
  kind: 'gene-drug' | 'drug-drug-gene' | 'drug-drug' | 'pgx-test' | 'pgx-withheld' | 'phenoconversion-advisory';
  /** The ordered drug the card is about (ingredient name). */
  drug: string;
  /** Identity of the issue: the same key for the same patient and drug means the same advice (override memory). */
  issueKey: string;
  card: HookCard;
  /** pgx-test cards: the genes suggested for testing. */
  genes?: string[];
}

/** Override reasons offered on every interruptive card; coded so a DetectedIssue can carry them. */
export const OVERRIDE_REASON_SYSTEM = 'https://flaura.dev/fhir/CodeSystem/cds-override-reason';
export const OVERRIDE_REASONS: readonly Coding[] = [
  { system: OVERRIDE_REASON_SYSTEM, code: 'benefit-outweighs-risk', display: 'Benefit outweighs the risk for this patient' },
  { system: OVERRIDE_REASON_SYSTEM, code: 'tolerated-before', display: 'Patient has tolerated this medication before' },
  { system: OVERRIDE_REASON_SYSTEM, code: 'alternative-not-suitable', display: 'Alternatives are contraindicated or not suitable' },
  { system: OVERRIDE_REASON_SYSTEM, code: 'will-monitor', display: 'Will monitor the patient (levels, response, adverse effects)' },
  { system: OVERRIDE_REASON_SYSTEM, code: 'information-outdated', display: 'The result or medication list shown is out of date' },
];

/** Summary is at most 140 characters (CDS Hooks 2.0). */
export function summary(text: string): string {
  return text.length <= 140 ? text : `${text.slice(0, 139)}…`;
}

/** The draft order with another medication or dosage, keeping its id so `update` replaces it in the client's basket. */
export function updatedDraft(draft: MedicationRequest, change: Partial<MedicationRequest>): MedicationRequest {
  return { ...draft, ...change, resourceType: 'MedicationRequest', id: draft.id };
}

export function deleteDraft(draft: MedicationRequest, description: string): CdsAction {
  return { type: 'delete', description, resourceId: [`MedicationRequest/${draft.id ?? ''}`] };
}
