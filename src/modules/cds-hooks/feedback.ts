// CDS Hooks 2.0 §Feedback: each accepted or overridden card becomes a DetectedIssue (with the decision as its
// mitigation, the reason and the clinician) in the FHIR store, queryable per patient and per drug (code = RxNorm).
import type { Coding, DetectedIssue } from '@medplum/fhirtypes';
import type { Queryable } from '../../db/index.ts';
import { FlauraError } from '../../errors.ts';
import type { FhirStore, RequestActor } from '../../fhir/store/types.ts';
import type { CdsCaller } from './auth.ts';
import { RXNORM, rxcuiOf } from './medications.ts';
import { findCard, recordDecision } from './memory.ts';

export const CDS_ISSUE_SYSTEM = 'https://flaura.dev/fhir/CodeSystem/cds-issue';
export const CDS_DECISION_SYSTEM = 'https://flaura.dev/fhir/CodeSystem/cds-decision';
export const CDS_CARD_IDENTIFIER_SYSTEM = 'https://flaura.dev/fhir/sid/cds-card';

interface FeedbackItem {
  card: string;
  outcome: 'accepted' | 'overridden';
  acceptedSuggestions?: { id: string }[];
  overrideReason?: { reason?: Coding; userComment?: string };
  outcomeTimestamp: string;
}

function bad(message: string, expression: string): never {
  throw new FlauraError('CDS_FEEDBACK_INVALID', 400, message, { type: 'invalid', expression: [expression] });
}

function parse(body: unknown): FeedbackItem[] {
  const list = (body as { feedback?: unknown } | null)?.feedback;
  if (!Array.isArray(list) || list.length === 0) bad('`feedback` must be a non-empty array (CDS Hooks 2.0 §Feedback)', 'feedback');
  return list.map((f: unknown, i) => {
    const x = f as Record<string, unknown>;
    if (typeof x !== 'object' || x === null) bad(`feedback[${i}] must be an object`, `feedback[${i}]`);
    if (typeof x.card !== 'string') bad(`feedback[${i}].card (the card's uuid) is required`, `feedback[${i}].card`);
    if (x.outcome !== 'accepted' && x.outcome !== 'overridden') bad(`feedback[${i}].outcome must be 'accepted' or 'overridden'`, `feedback[${i}].outcome`);
    if (typeof x.outcomeTimestamp !== 'string' || Number.isNaN(Date.parse(x.outcomeTimestamp))) bad(`feedback[${i}].outcomeTimestamp (ISO 8601) is required`, `feedback[${i}].outcomeTimestamp`);
    if (x.outcome === 'accepted' && x.acceptedSuggestions !== undefined && (!Array.isArray(x.acceptedSuggestions) || x.acceptedSuggestions.some((s) => typeof (s as { id?: unknown })?.id !== 'string'))) {
      bad(`feedback[${i}].acceptedSuggestions must be [{ id }]`, `feedback[${i}].acceptedSuggestions`);
    }
    const reason = (x.overrideReason as { reason?: Coding } | undefined)?.reason;
    if (reason !== undefined && (typeof reason.code !== 'string' || typeof reason.system !== 'string')) bad(`feedback[${i}].overrideReason.reason must be a Coding with system and code`, `feedback[${i}].overrideReason.reason`);
    return x as unknown as FeedbackItem;
  });
}

const SEVERITY: Record<string, DetectedIssue['severity']> = { critical: 'high', warning: 'moderate', info: 'low' };

function clinician(caller: CdsCaller, userId?: string): { reference?: string; display?: string } {
  if (caller.kind === 'flaura' && caller.principal.fhirUser && /^(Practitioner|PractitionerRole)\//.test(caller.principal.fhirUser)) return { reference: caller.principal.fhirUser };
  if (userId && /^(Practitioner|PractitionerRole)\//.test(userId)) return { display: `${userId} (${caller.kind === 'ehr' ? caller.name : 'Flaura'})` };
  return { display: caller.kind === 'ehr' ? `${caller.subject ?? 'user'} via ${caller.name}` : caller.principal.subject };
}

export interface FeedbackResult {
  card: string;
  outcome: string;
  detectedIssue: string;
}

/** Records every feedback item; the caller must be allowed to see each card's patient (`checkPatient`). */
export async function recordFeedback(db: Queryable, store: FhirStore, serviceId: string, body: unknown, caller: CdsCaller, checkPatient: (patientId: string) => void, actor?: RequestActor): Promise<FeedbackResult[]> {
  const items = parse(body);
  const out: FeedbackResult[] = [];
  for (const item of items) {
    const card = await findCard(db, serviceId, item.card);
    if (!card) throw new FlauraError('CDS_CARD_UNKNOWN', 404, `card ${item.card} was not issued by service ${serviceId}`, { type: 'not-found' });
    checkPatient(card.patientId);
    const accepted = (item.acceptedSuggestions ?? []).map((s) => card.suggestions.find((x) => x.uuid === s.id));
    if (accepted.some((s) => !s)) bad('an accepted suggestion id is not one of the card\'s suggestions', 'feedback.acceptedSuggestions');
    const who = clinician(caller);
    const rxcui = rxcuiOf(card.drug);
    const action: Coding[] = [
      { system: CDS_DECISION_SYSTEM, code: item.outcome, display: item.outcome === 'accepted' ? 'Card accepted' : 'Card overridden' },
      ...(item.overrideReason?.reason ? [item.overrideReason.reason] : []),
    ];
    const text = item.outcome === 'accepted' ? `Accepted: ${accepted.map((s) => s!.label).join('; ') || 'card acknowledged'}` : `Overridden${item.overrideReason?.userComment ? `: ${item.overrideReason.userComment}` : ''}`;
    const issue: DetectedIssue = {
      resourceType: 'DetectedIssue',
      identifier: [{ system: CDS_CARD_IDENTIFIER_SYSTEM, value: card.uuid }],
      status: 'final',
      code: { coding: [{ system: CDS_ISSUE_SYSTEM, code: card.kind }, { system: RXNORM, code: rxcui ?? card.drug, display: card.drug }], text: card.summary },
      severity: SEVERITY[card.indicator] ?? 'low',
      patient: { reference: `Patient/${card.patientId}` },
      identifiedDateTime: item.outcomeTimestamp,
      detail: `${card.summary} [issue ${card.issueKey}]`,
      mitigation: [{ action: { coding: action, text }, date: item.outcomeTimestamp, author: who }],
    };
    const stored = await store.create(issue, actor ? { actor } : undefined);
    await recordDecision(db, card, item.outcome, stored.resource.id ?? '', item.outcomeTimestamp);
    out.push({ card: card.uuid, outcome: item.outcome, detectedIssue: `DetectedIssue/${stored.resource.id ?? ''}` });
  }
  return out;
}
