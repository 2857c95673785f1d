// Who may do what with wearable data: one call per route. Ingest is the patient's own or a device's for that patient;
// reads and acknowledgements go to the access policy when the server has one (`ctx.access`), and until then to the
// role rules below.
import { FlauraError } from '../../../errors.ts';
import type { RequestActor } from '../../../fhir/store/types.ts';
import type { AccessControl, AccessRequest, Principal, Role } from '../../../security/principal.ts';

/** `ctx.access` arrives with the access-policy work (same seam the pgx module uses). */
export interface WearablesAccess {
  access?: AccessControl;
}

export type WearablesAction = 'ingest' | 'import' | 'read' | 'acknowledge' | 'configure';

const forbidden = (reason: string): FlauraError => new FlauraError('FORBIDDEN', 403, reason, { type: 'forbidden' });

const STAFF: ReadonlySet<Role> = new Set(['admin', 'clinician', 'nurse', 'pharmacist', 'lab']);
const ACKNOWLEDGERS: ReadonlySet<Role> = new Set(['admin', 'clinician', 'nurse']);
/** Alert thresholds and illness windows are a clinical decision: clinicians (and administrators) only. */
const CONFIGURERS: ReadonlySet<Role> = new Set(['admin', 'clinician']);

const POLICY_REQUEST: Record<WearablesAction, Omit<AccessRequest, 'patientId'>> = {
  ingest: { action: 'create', resourceType: 'Observation' },
  import: { action: 'create', resourceType: 'Observation' },
  read: { action: 'read', resourceType: 'Observation' },
  acknowledge: { action: 'update', resourceType: 'Flag' },
  configure: { action: 'update', resourceType: 'Flag' },
};

/**
 * Throws a 401/403 FlauraError unless `principal` may do `action` for `patientId`. Absent principal = trusted
 * in-process call (CLI, seeding). Ingest (live samples) needs the patient's own token or a `device` client bound to
 * that patient (issue 6), whatever the policy says; the policy may still refuse it. A file import may also come
 * from the care team (admin, clinician, nurse).
 */
export async function authorizeWearables(ctx: WearablesAccess, principal: Principal | undefined, action: WearablesAction, patientId: string | undefined): Promise<void> {
  if (!principal) return;
  if (action === 'ingest') {
    if (!(principal.role === 'patient' || principal.role === 'device')) throw forbidden(`Samples are accepted from the patient or a device client for the patient, not a ${principal.role}`);
    if (principal.patientId !== patientId) throw forbidden(`This ${principal.role} token is bound to ${principal.patientId ? `Patient/${principal.patientId}` : 'no patient'}, not Patient/${patientId}`);
  }
  if (action === 'configure' && !CONFIGURERS.has(principal.role)) throw forbidden(`Alert thresholds and illness windows are set by a clinician, not a ${principal.role}`);
  if (ctx.access) {
    const decision = await ctx.access.decide(principal, { ...POLICY_REQUEST[action], ...(patientId ? { patientId } : {}) });
    if (!decision.allowed) throw forbidden(decision.reason);
    return;
  }
  if (action === 'ingest') return;
  const importers: ReadonlySet<Role> = new Set(['admin', 'clinician', 'nurse']);
  if (action === 'import' && !(importers.has(principal.role) || principal.role === 'patient' || principal.role === 'device')) throw forbidden(`A ${principal.role} cannot import wearable data`);
  if (principal.role === 'patient' || principal.role === 'device') {
    if (action === 'acknowledge') throw forbidden('Alerts are acknowledged by the care team');
    if (!patientId || principal.patientId !== patientId) throw forbidden(`A ${principal.role} token reads only its own patient's data`);
    return;
  }
  if (action === 'acknowledge' && !ACKNOWLEDGERS.has(principal.role)) throw forbidden(`A ${principal.role} cannot acknowledge alerts`);
  if (!STAFF.has(principal.role)) throw forbidden(`A ${principal.role} cannot read wearable data`);
}

/** The actor recorded with FHIR writes made for a request (audit trail, events). */
export function actorOf(principal: Principal | undefined, request: { ip: string; id: string }): RequestActor | undefined {
  if (!principal) return undefined;
  return { ...(principal.fhirUser ? { reference: principal.fhirUser } : {}), ...(principal.clientId ? { clientId: principal.clientId } : {}), role: principal.role, purpose: principal.purposeOfUse, ip: request.ip, requestId: request.id };
}
