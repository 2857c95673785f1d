// Break-the-glass: a clinician states a reason and, for a limited time, consent denials for one patient are lifted
// for them (role and scope limits stay). Grants are rows in security_break_glass; every grant is audited.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/index.ts';
import { FlauraError } from '../../errors.ts';
import type { Principal } from '../principal.ts';
import { roleMayBreakGlass } from './policy.ts';

export interface BreakGlassGrant { id: string; patientId: string; reason: string; createdAt: string; expiresAt: string }

const PATIENT_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** Checks a break-the-glass request; returns the patient id and trimmed reason. */
export function validateBreakGlass(principal: Principal, body: unknown): { patientId: string; reason: string } {
  if (!roleMayBreakGlass(principal.role)) throw new FlauraError('BREAK_GLASS_NOT_ALLOWED', 403, `role '${principal.role}' may not break the glass`, { type: 'forbidden' });
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const raw = typeof b.patient === 'string' ? b.patient.replace(/^Patient\//, '') : '';
  if (!PATIENT_ID.test(raw)) throw new FlauraError('BREAK_GLASS_PATIENT_REQUIRED', 400, 'give the patient as "patient": "<id>" or "Patient/<id>"', { expression: ['patient'] });
  const reason = typeof b.reason === 'string' ? b.reason.trim() : '';
  if (reason.length < 5) throw new FlauraError('BREAK_GLASS_REASON_REQUIRED', 400, 'state the reason for breaking the glass (at least 5 characters)', { expression: ['reason'] });
  if (reason.length > 1000) throw new FlauraError('BREAK_GLASS_REASON_TOO_LONG', 400, 'the reason is limited to 1000 characters', { expression: ['reason'] });
  return { patientId: raw, reason };
}

export async function insertGrant(db: Queryable, principal: Principal, patientId: string, reason: string, now: Date, minutes: number): Promise<BreakGlassGrant> {
  const grant: BreakGlassGrant = { id: randomUUID(), patientId, reason, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + minutes * 60_000).toISOString() };
  await db.query(
    'INSERT INTO security_break_glass (id, subject, fhir_user, role, patient_id, reason, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
    [grant.id, principal.subject, principal.fhirUser ?? null, principal.role, patientId, reason, grant.createdAt, grant.expiresAt],
  );
  return grant;
}

/** The subject's grants that are active at `now`. */
export async function activeGrants(db: Queryable, subject: string, now: Date): Promise<BreakGlassGrant[]> {
  const { rows } = await db.query<{ id: string; patient_id: string; reason: string; created_at: Date | string; expires_at: Date | string }>(
    'SELECT id, patient_id, reason, created_at, expires_at FROM security_break_glass WHERE subject = $1 AND expires_at > $2 AND created_at <= $2 ORDER BY created_at',
    [subject, now.toISOString()],
  );
  const iso = (v: Date | string) => new Date(v).toISOString();
  return rows.map((r) => ({ id: r.id, patientId: r.patient_id, reason: r.reason, createdAt: iso(r.created_at), expiresAt: iso(r.expires_at) }));
}
