// Renders an alert as a FHIR R4 Flag plus a Communication to the care team (pure).
import type { CareTeam, Communication, Flag, Organization, Practitioner, PractitionerRole, Reference } from '@medplum/fhirtypes';
import type { Alert } from './evaluate.ts';

/** Code system of Flaura's alert rules (codes = rule ids of data/wearables/alert-rules.json). */
export const ALERT_RULE_SYSTEM = 'https://flaura.dev/fhir/CodeSystem/wearable-alert-rule';
/** Identifier system carrying the alert's dedup key, so re-rendering updates rather than duplicates. */
export const ALERT_IDENTIFIER_SYSTEM = 'https://flaura.dev/fhir/sid/wearable-alert';

export interface RenderAlertInput {
  alert: Alert;
  /** Care-team recipients of the Communication (Practitioner, CareTeam, Organization references). */
  recipients: Reference<Practitioner | PractitionerRole | CareTeam | Organization>[];
  /** Metric display names and units, for the message text. */
  unitOf: (metric: string) => string;
  now: Date;
}

const fmt = (v: number): string => String(Math.round(v * 10) / 10);

/** Plain-text evidence: which days, values, and the person's baseline. */
export function describeAlert(alert: Alert, unit: string): string {
  const days = alert.evidence.map((e) => {
    const base = e.baseline ? ` (baseline median ${fmt(e.baseline.median)}, MAD ${fmt(e.baseline.mad)}, ${e.baseline.n} days ${e.baseline.from}…${e.baseline.to})` : e.reference !== undefined ? ` (lowest of preceding days ${fmt(e.reference)})` : '';
    return `${e.date}: ${fmt(e.value)} ${unit}${base}`;
  });
  const state = alert.status === 'resolved' ? ` Resolved on ${alert.resolvedOn}.` : '';
  return `${alert.title} since ${alert.onset}. ${days.join('; ')}.${state} Rule ${alert.ruleId}: ${alert.rule.sources.map((s) => s.citation).join(' ')}`;
}

/**
 * A Flag (active while the alert is, inactive once resolved; period = onset … resolution) and a Communication
 * to the care team about it, referencing the Flag by its fullUrl-style placeholder `Flag?identifier=…`
 * (resolved to a real id when stored through a transaction). Pure.
 */
export function renderAlert(input: RenderAlertInput): { flag: Flag; communication: Communication } {
  const { alert } = input;
  const identifier = { system: ALERT_IDENTIFIER_SYSTEM, value: alert.dedupKey };
  const text = describeAlert(alert, input.unitOf(alert.metric));
  const flag: Flag = {
    resourceType: 'Flag',
    identifier: [identifier],
    status: alert.status === 'active' ? 'active' : 'inactive',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/flag-category', code: 'clinical', display: 'Clinical' }] }],
    code: { coding: [{ system: ALERT_RULE_SYSTEM, code: alert.ruleId, display: alert.title }], text },
    subject: { reference: `Patient/${alert.patientId}` },
    period: { start: alert.onset, ...(alert.resolvedOn ? { end: alert.resolvedOn } : {}) },
  };
  const communication: Communication = {
    resourceType: 'Communication',
    identifier: [identifier],
    status: 'completed',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/communication-category', code: 'alert', display: 'Alert' }] }],
    priority: alert.severity === 'warning' ? 'urgent' : 'routine',
    subject: { reference: `Patient/${alert.patientId}` },
    about: [{ reference: `Flag?identifier=${encodeURIComponent(`${identifier.system}|${identifier.value}`)}`, display: alert.title }],
    recipient: input.recipients,
    sent: input.now.toISOString(),
    payload: [{ contentString: text }],
  };
  return { flag, communication };
}
