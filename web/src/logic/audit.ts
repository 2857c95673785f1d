// Reading AuditEvents for the patient's access log in plain words: who, what, why, and whether it was emergency
// access; repeated identical entries (a screen loading several parts) are shown once with a count.
import type { AuditEvent } from '@medplum/fhirtypes';

/** Break-the-glass: purpose of use ETREAT (HL7 v3 ActReason) or a subtype/type that names it. */
export function isBreakGlass(e: AuditEvent): boolean {
  const codes = [...(e.purposeOfEvent ?? []).flatMap((p) => p.coding ?? []), ...(e.subtype ?? []), e.type].map((c) => c?.code?.toLowerCase() ?? '');
  return codes.some((c) => c === 'etreat' || c === 'btg' || c.includes('break-glass') || c.includes('break-the-glass'));
}

/** The agent who asked: `Practitioner/x`-style reference when there is one. */
export function auditWhoRef(e: AuditEvent): string | undefined {
  const agent = e.agent?.find((a) => a.requestor) ?? e.agent?.[0];
  return agent?.who?.reference;
}

/** Who, by name when known (`names`: reference → display name, e.g. from the Practitioners the log mentions). */
export function auditWho(e: AuditEvent, names: ReadonlyMap<string, string> = new Map()): string {
  const agent = e.agent?.find((a) => a.requestor) ?? e.agent?.[0];
  const ref = agent?.who?.reference;
  return (ref && names.get(ref)) ?? agent?.who?.display ?? agent?.name ?? ref ?? agent?.who?.identifier?.value ?? 'Unknown';
}

/** What kind of record a resource type is, in a patient's words. */
const plainType: Record<string, string> = {
  Patient: 'your record',
  Observation: 'results and measurements',
  DiagnosticReport: 'test reports',
  MedicationRequest: 'medicines',
  MedicationStatement: 'medicines',
  Condition: 'health problems',
  AllergyIntolerance: 'allergies',
  Encounter: 'visits',
  Procedure: 'procedures',
  Immunization: 'vaccinations',
  Consent: 'sharing choices',
  AuditEvent: 'access log',
  Flag: 'alerts',
  DetectedIssue: 'medicine safety checks',
  DocumentReference: 'documents',
  Binary: 'uploaded files',
  QuestionnaireResponse: 'questionnaires',
  Provenance: 'record history',
};

/** Resource types the event is about: entities with a reference, else the type a module action names. */
export function auditTypes(e: AuditEvent): string[] {
  const fromEntities = (e.entity ?? []).map((x) => x.what?.reference?.split('/')[0]).filter((t): t is string => !!t);
  const fromModule = (e.subtype ?? []).map((s) => /^module\.[a-z]+\.([A-Za-z]+)$/.exec(s.code ?? '')?.[1]).filter((t): t is string => !!t);
  const all = [...new Set([...fromEntities, ...fromModule])];
  // "your record" says nothing more once a specific kind of record is named.
  return all.length > 1 ? all.filter((t) => t !== 'Patient') : all;
}

export function auditWhat(e: AuditEvent): string {
  if ((e.subtype ?? []).some((s) => s.code === 'break-the-glass')) return 'asked for emergency access to your record';
  const action = { C: 'created', R: 'viewed', U: 'changed', D: 'deleted', E: 'used' }[e.action ?? 'R'] ?? 'accessed';
  const words = [...new Set(auditTypes(e).map((t) => plainType[t] ?? t))];
  return `${action} ${words.length ? words.join(', ') : 'your record'}`;
}

const plainPurpose: Record<string, string> = { TREAT: 'treatment', ETREAT: 'emergency treatment', HRESCH: 'research', HOPERAT: 'operations', HPAYMT: 'payment', PATRQT: 'your own request' };

export function auditPurpose(e: AuditEvent): string | undefined {
  const c = e.purposeOfEvent?.[0];
  const code = c?.coding?.[0]?.code;
  return (code && plainPurpose[code]) ?? c?.coding?.[0]?.display ?? c?.text ?? code;
}

/** Refused, and why, in words (a consent refusal is the patient's own sharing choice). */
export function auditRefusal(e: AuditEvent): string | undefined {
  if (!e.outcome || e.outcome === '0') return undefined;
  if (/Consent\//.test(e.outcomeDesc ?? '')) return 'refused: your sharing choices withhold this';
  return e.outcomeDesc ? `refused: ${e.outcomeDesc}` : 'refused';
}

/** The reason a clinician gave for emergency access. */
export function auditReason(e: AuditEvent): string | undefined {
  return e.entity?.find((x) => x.description)?.description;
}

export interface AuditRow {
  event: AuditEvent;
  /** How many consecutive identical entries this row stands for. */
  count: number;
}

/** Consecutive entries that read the same (who, what, purpose, outcome, reason, minute) become one row. */
export function groupAuditEvents(events: readonly AuditEvent[]): AuditRow[] {
  const key = (e: AuditEvent) => JSON.stringify([auditWhoRef(e) ?? auditWho(e), auditWhat(e), auditPurpose(e), auditRefusal(e), auditReason(e), isBreakGlass(e), (e.recorded ?? '').slice(0, 16)]);
  const rows: AuditRow[] = [];
  let last: string | undefined;
  for (const e of events) {
    const k = key(e);
    if (k === last) rows[rows.length - 1]!.count++;
    else rows.push({ event: e, count: 1 });
    last = k;
  }
  return rows;
}
