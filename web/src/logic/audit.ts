// Reading AuditEvents for the patient's access log: who, what, and whether it was emergency access.
import type { AuditEvent } from '@medplum/fhirtypes';

/** Break-the-glass: purpose of use ETREAT (HL7 v3 ActReason) or a subtype/type that names it. */
export function isBreakGlass(e: AuditEvent): boolean {
  const codes = [...(e.purposeOfEvent ?? []).flatMap((p) => p.coding ?? []), ...(e.subtype ?? []), e.type].map((c) => c?.code?.toLowerCase() ?? '');
  return codes.some((c) => c === 'etreat' || c === 'btg' || c.includes('break-glass') || c.includes('break-the-glass'));
}

export function auditWho(e: AuditEvent): string {
  const agent = e.agent?.find((a) => a.requestor) ?? e.agent?.[0];
  return agent?.who?.display ?? agent?.name ?? agent?.who?.reference ?? agent?.who?.identifier?.value ?? 'Unknown';
}

export function auditWhat(e: AuditEvent): string {
  const action = { C: 'created', R: 'viewed', U: 'changed', D: 'deleted', E: 'used' }[e.action ?? 'R'] ?? 'accessed';
  const types = [...new Set((e.entity ?? []).map((x) => x.what?.reference?.split('/')[0] ?? x.type?.display ?? x.type?.code).filter(Boolean))];
  return `${action} ${types.length ? types.join(', ') : 'your record'}`;
}
