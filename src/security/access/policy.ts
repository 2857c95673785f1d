// The one access decision, pure: scopes ∩ role permissions ∩ patient compartment ∩ consent, with break-the-glass
// lifting consent denials (never role or scope limits). Everything it needs is passed in; loading consents and
// break-glass grants is the caller's job (see access-control.ts), so this runs per resource without I/O.
import type { Resource } from '@medplum/fhirtypes';
import roleData from '../../../data/security/role-permissions.json' with { type: 'json' };
import type { AccessDecision, AccessRequest, Principal, Role, ScopeGrant } from '../principal.ts';
import { evaluateConsent, type ConsentRule } from '../consent/rules.ts';
import { compartmentPatients, isCompartmentType } from './compartment.ts';
import { extractParamEntries } from '../../fhir/search/extract.ts';
import { getSearchParameters } from '../../fhir/search/registry.ts';

export type Permission = 'c' | 'r' | 'u' | 'd' | 's';

interface RoleEntry { permissions: Record<string, string>; compartment?: boolean; breakGlass?: boolean; purposeOfUse?: string }
const roles = roleData.roles as Record<string, RoleEntry>;
const sharedTypes = new Set(roleData.sharedTypes.types);

/** The SMART permission an action needs. */
export function permissionFor(action: AccessRequest['action']): Permission {
  switch (action) {
    case 'create': return 'c';
    case 'update': return 'u';
    case 'delete': return 'd';
    case 'search': return 's';
    default: return 'r'; // read, history (of a resource), operation
  }
}

/** Permissions the role has on a resource type (data/security/role-permissions.json). */
export function rolePermissions(role: Role, resourceType: string): string {
  const entry = roles[role];
  if (!entry) return '';
  return entry.permissions[resourceType] ?? entry.permissions['*'] ?? '';
}

export function roleMayBreakGlass(role: Role): boolean {
  return roles[role]?.breakGlass === true;
}

/** The purpose of use an access carries: ETREAT under break-the-glass, the role's fixed purpose (research), or the token's. */
export function effectivePurpose(principal: Principal, breakGlass: boolean): string {
  if (breakGlass) return 'ETREAT';
  return roles[principal.role]?.purposeOfUse ?? principal.purposeOfUse;
}

/** True when a restriction (`category=system|code`) holds for the resource; only token restrictions are understood. */
function restrictionHolds(resource: Resource, [param, value]: readonly [string, string]): boolean {
  const def = getSearchParameters(resource.resourceType).get(param);
  if (!def || def.type !== 'token' || def.storage !== 'index') return false; // not understood: the grant does not apply
  const bar = value.indexOf('|');
  const system = bar >= 0 ? value.slice(0, bar) : undefined;
  const code = bar >= 0 ? value.slice(bar + 1) : value;
  return value.split(',').length > 1
    ? value.split(',').some((v) => restrictionHolds(resource, [param, v]))
    : extractParamEntries(resource, def).token.some(({ e }) => e.code === code && (system === undefined || (e.system ?? '') === system));
}

/** Grants of the principal that allow `permission` on `resourceType`. */
export function matchingGrants(scopes: readonly ScopeGrant[], resourceType: string, permission: Permission): ScopeGrant[] {
  return scopes.filter((g) => (g.resourceType === '*' || g.resourceType === resourceType) && g.permissions.has(permission));
}

/** What the decision needs besides the principal and the request. */
export interface PolicyContext {
  /** Consent rules of the patient(s) the resource belongs to, by patient id. */
  consents: ReadonlyMap<string, readonly ConsentRule[]>;
  /** Patient ids with an active break-the-glass grant of this principal. */
  breakGlass: ReadonlySet<string>;
  now: Date;
}

export interface PolicyDecision extends AccessDecision {
  /** Purpose of use of this access (ETREAT when break-the-glass lifted a consent denial). */
  purposeOfUse: string;
  /** Patients the resource (or request) concerns, for the audit trail. */
  patients: string[];
}

const deny = (decidedBy: string, reason: string, purposeOfUse: string, patients: string[]): PolicyDecision => ({ allowed: false, decidedBy, reason, purposeOfUse, patients });

/** True when the principal only sees one patient's compartment for this type (patient role, or only patient/ grants). */
export function compartmentLimited(principal: Principal, resourceType: string, permission: Permission): boolean {
  if (roles[principal.role]?.compartment) return true;
  const grants = matchingGrants(principal.scopes, resourceType, permission);
  return grants.length > 0 && grants.every((g) => g.context === 'patient');
}

/**
 * Decides one access. Without `request.resource` (type-level checks before a search or a module call) only scope,
 * role and — with `request.patientId` — compartment are checked; results are then decided one by one.
 */
export function decideAccess(principal: Principal, request: AccessRequest, ctx: PolicyContext, knownPatients?: string[]): PolicyDecision {
  const permission = permissionFor(request.action);
  const type = request.resourceType;
  const resource = request.resource as Resource | undefined;
  const patients = knownPatients ?? (resource ? compartmentPatients(resource) : request.patientId ? [request.patientId] : []);
  const basePurpose = effectivePurpose(principal, false);

  // 1. Scopes: some grant names the type and the permission, and its restrictions hold for the resource.
  const grants = matchingGrants(principal.scopes, type, permission);
  if (grants.length === 0) return deny('scope', `the token's scopes do not allow '${permission}' on ${type}`, basePurpose, patients);
  const usable = resource ? grants.filter((g) => g.restrictions.every((r) => restrictionHolds(resource, r))) : grants;
  if (usable.length === 0) return deny('scope', `the token's scope restrictions exclude this ${type}`, basePurpose, patients);

  // 2. Role.
  if (!rolePermissions(principal.role, type).includes(permission)) return deny('role', `role '${principal.role}' may not '${permission}' ${type}`, basePurpose, patients);

  // 3. Patient compartment: patient users and patient/ scopes see their patient's compartment (and shared reference data).
  const limited = roles[principal.role]?.compartment === true || usable.every((g) => g.context === 'patient');
  if (limited) {
    const own = principal.patientId;
    if (!own) return deny('compartment', 'a patient-context access needs a patient in context', basePurpose, patients);
    if (resource) {
      const shared = !isCompartmentType(type) && sharedTypes.has(type) && permission !== 'c' && permission !== 'u' && permission !== 'd';
      if (!shared && !patients.includes(own)) return deny('compartment', `${type} is outside Patient/${own}'s compartment`, basePurpose, patients);
    } else if (request.patientId !== undefined && request.patientId !== own) {
      return deny('compartment', `Patient/${request.patientId} is not the patient in context`, basePurpose, patients);
    } else if (!isCompartmentType(type) && !sharedTypes.has(type)) {
      return deny('compartment', `${type} is not in the Patient compartment`, basePurpose, patients);
    }
  }

  // 4. Consent of each patient the resource belongs to (the patient reading their own record is not bound by it).
  if (resource && principal.role !== 'patient') {
    const labels = (resource.meta?.security ?? []).map((s) => `${s.system ?? ''}|${s.code ?? ''}`);
    let glass = false;
    for (const patientId of patients) {
      const rules = ctx.consents.get(patientId);
      if (!rules || rules.length === 0) continue;
      const verdict = evaluateConsent(rules, {
        role: principal.role,
        ...(principal.fhirUser ? { fhirUser: principal.fhirUser } : {}),
        purpose: basePurpose,
        resourceType: type,
        ...(resource.id ? { reference: `${type}/${resource.id}` } : {}),
        labels,
        now: ctx.now,
      });
      if (verdict.effect !== 'deny') continue;
      // 5. Break-the-glass lifts a consent denial for the patient it was granted for.
      if (ctx.breakGlass.has(patientId) && roleMayBreakGlass(principal.role)) { glass = true; continue; }
      return deny('consent', `Consent/${verdict.rule?.consentId ?? ''} of Patient/${patientId} denies this access`, basePurpose, patients);
    }
    if (glass) return { allowed: true, decidedBy: 'break-glass', reason: 'consent denial lifted by break-the-glass', purposeOfUse: 'ETREAT', patients };
  }
  const glassActive = patients.some((p) => ctx.breakGlass.has(p));
  return { allowed: true, decidedBy: 'policy', reason: 'allowed', purposeOfUse: glassActive ? 'ETREAT' : basePurpose, patients };
}
