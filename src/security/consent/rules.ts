// FHIR R4 Consent (scope patient-privacy) as access rules, and their evaluation. Precedence (docs/methods/consent.md):
// the most specific matching provision wins; between equally specific ones, deny beats permit; no matching
// provision leaves the decision to roles and scopes (Flaura's default is permit-by-role).
import type { Consent, ConsentProvision } from '@medplum/fhirtypes';

export const CONSENT_SCOPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentscope';
/** Role codes a Consent actor may name (`Consent.provision.actor.role` with this system, or any system with a Flaura role code). */
export const ROLE_SYSTEM = 'https://flaura.dev/fhir/CodeSystem/role';

/** One provision, flattened: the criteria it names and the effect it has when they all hold. */
export interface ConsentRule {
  consentId: string;
  effect: 'permit' | 'deny';
  /** Flaura role codes or references (`Practitioner/1`); empty = any actor. */
  actorRoles: string[];
  actorRefs: string[];
  /** HL7 v3 PurposeOfUse codes; empty = any purpose. */
  purposes: string[];
  /** `system|code` security labels; empty = any data. */
  labels: string[];
  /** Resource types (`provision.class` with the resource-types system); empty = any. */
  classes: string[];
  /** Specific resources (`provision.data.reference`); empty = any. */
  data: string[];
  /** When the provision (and its consent) applies; open ends allowed. */
  start?: string;
  end?: string;
  /** Number of criteria kinds named, then nesting depth: the rule's specificity. */
  specificity: number;
  depth: number;
}

/** The access a rule is checked against. */
export interface ConsentQuestion {
  role: string;
  fhirUser?: string;
  purpose: string;
  resourceType: string;
  /** `Type/id` of the resource. */
  reference?: string;
  /** `system|code` of the resource's meta.security. */
  labels: readonly string[];
  now: Date;
}

export interface ConsentVerdict {
  effect: 'permit' | 'deny' | 'none';
  rule?: ConsentRule;
}

/** True when a Consent governs data access (scope patient-privacy) and is active. */
export function isPrivacyConsent(consent: Consent): boolean {
  return consent.status === 'active' && (consent.scope?.coding ?? []).some((c) => c.system === CONSENT_SCOPE_SYSTEM && c.code === 'patient-privacy');
}

/** Flattens an active patient-privacy Consent into rules; other consents give none. Pure. */
export function consentRules(consent: Consent): ConsentRule[] {
  if (!isPrivacyConsent(consent) || !consent.provision) return [];
  const out: ConsentRule[] = [];
  const walk = (p: ConsentProvision, depth: number, inherited: 'permit' | 'deny') => {
    const effect = p.type ?? inherited;
    // R4 requires role (a participation type) and reference on every actor; a Flaura role is named by a role coding
    // or a reference identifier in ROLE_SYSTEM (the reference then carries only a display, e.g. "All nurses").
    const actorRoles = (p.actor ?? []).flatMap((a) => [
      ...(a.role?.coding ?? []).filter((c) => c.system === ROLE_SYSTEM).map((c) => c.code ?? ''),
      ...(a.reference?.identifier?.system === ROLE_SYSTEM ? [a.reference.identifier.value ?? ''] : []),
    ]).filter(Boolean);
    const actorRefs = (p.actor ?? []).map((a) => a.reference?.reference ?? '').filter(Boolean);
    const purposes = (p.purpose ?? []).map((c) => c.code ?? '').filter(Boolean);
    const labels = (p.securityLabel ?? []).map((c) => `${c.system ?? ''}|${c.code ?? ''}`);
    const classes = (p.class ?? []).map((c) => c.code ?? '').filter(Boolean);
    const data = (p.data ?? []).map((d) => d.reference?.reference ?? '').filter(Boolean);
    const named = [actorRoles.length + actorRefs.length, purposes.length, labels.length, classes.length, data.length].filter((n) => n > 0).length;
    // A named reference is more specific than a role: count it twice.
    const specificity = named + (actorRefs.length > 0 ? 1 : 0) + (data.length > 0 ? 1 : 0);
    out.push({
      consentId: consent.id ?? '',
      effect,
      actorRoles,
      actorRefs,
      purposes,
      labels,
      classes,
      data,
      ...(p.period?.start ?? consent.dateTime ? { start: p.period?.start ?? consent.dateTime } : {}),
      ...(p.period?.end ? { end: p.period.end } : {}),
      specificity,
      depth,
    });
    // Nested provisions are exceptions: the opposite effect unless they say otherwise.
    for (const child of p.provision ?? []) walk(child, depth + 1, effect === 'permit' ? 'deny' : 'permit');
  };
  walk(consent.provision, 0, 'permit');
  return out;
}

function applies(rule: ConsentRule, q: ConsentQuestion): boolean {
  const t = q.now.getTime();
  if (rule.start && Date.parse(rule.start) > t) return false;
  if (rule.end && Date.parse(rule.end) < t) return false;
  if (rule.actorRoles.length + rule.actorRefs.length > 0) {
    const byRole = rule.actorRoles.includes(q.role);
    const byRef = q.fhirUser !== undefined && rule.actorRefs.includes(q.fhirUser);
    if (!byRole && !byRef) return false;
  }
  if (rule.purposes.length > 0 && !rule.purposes.includes(q.purpose)) return false;
  if (rule.labels.length > 0 && !rule.labels.some((l) => q.labels.includes(l))) return false;
  if (rule.classes.length > 0 && !rule.classes.includes(q.resourceType)) return false;
  if (rule.data.length > 0 && (q.reference === undefined || !rule.data.includes(q.reference))) return false;
  return true;
}

/** The verdict of a patient's consent rules for one access. Pure. */
export function evaluateConsent(rules: readonly ConsentRule[], q: ConsentQuestion): ConsentVerdict {
  let best: ConsentRule | undefined;
  for (const rule of rules) {
    if (!applies(rule, q)) continue;
    if (!best) { best = rule; continue; }
    const more = rule.specificity - best.specificity || rule.depth - best.depth;
    if (more > 0 || (more === 0 && rule.effect === 'deny' && best.effect === 'permit')) best = rule;
  }
  return best ? { effect: best.effect, rule: best } : { effect: 'none' };
}
