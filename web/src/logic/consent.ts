// The FHIR Consent a sharing choice becomes, and how to find the choice again in stored Consents.
import type { Consent } from '@medplum/fhirtypes';
import { ACT_REASON, type dataClasses, type purposes } from '../data/sharing.ts';

export type DataClass = (typeof dataClasses)[number];
export type Purpose = (typeof purposes)[number];

/** True when the Consent is about this data class (security label) and this purpose of use. */
export function consentMatches(c: Consent, dc: DataClass, p: Purpose): boolean {
  const prov = c.provision;
  return !!prov?.securityLabel?.some((l) => l.system === dc.system && l.code === dc.code) && !!prov.purpose?.some((x) => x.system === ACT_REASON && x.code === p.code);
}

/** A patient-privacy Consent: permit or deny this data class for this purpose (FHIR R4 Consent, LOINC 59284-0). */
export function consentFor(patientId: string, dc: DataClass, p: Purpose, share: boolean, now = new Date()): Consent {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient: { reference: `Patient/${patientId}` },
    dateTime: now.toISOString(),
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: share ? 'OPTIN' : 'OPTOUT' }] },
    provision: {
      type: share ? 'permit' : 'deny',
      purpose: [{ system: ACT_REASON, code: p.code }],
      securityLabel: [{ system: dc.system, code: dc.code }],
    },
  };
}

/** Whether the data class is shared for the purpose: the newest active matching Consent decides, else the default. */
export function isShared(active: readonly Consent[], dc: DataClass, p: Purpose): { shared: boolean; since?: string } {
  const current = active
    .filter((c) => c.status === 'active' && consentMatches(c, dc, p))
    .sort((a, b) => (b.dateTime ?? '').localeCompare(a.dateTime ?? ''))[0];
  if (!current) return { shared: p.defaultShared };
  return { shared: current.provision?.type === 'permit', ...(current.dateTime ? { since: current.dateTime } : {}) };
}
