// The access policy at run time: loads what the pure decision needs (a patient's Consent rules, the caller's
// break-the-glass grants) once and caches it, gives the FHIR router a guard per request, implements
// AccessControl for modules, and records every decision in the audit trail.
import type { Consent, Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../../db/index.ts';
import { FlauraError } from '../../errors.ts';
import type { GuardAction, GuardFactory, RequestGuard } from '../../fhir/rest/guard.ts';
import type { FhirRequest } from '../../fhir/rest/types.ts';
import type { AccessControl, AccessDecision, AccessRequest, Principal } from '../principal.ts';
import { consentRules, type ConsentRule } from '../consent/rules.ts';
import type { AuditAction } from '../audit/audit-event.ts';
import type { AuditRecorder } from '../audit/trail.ts';
import { activeGrants, type BreakGlassGrant } from './break-glass.ts';
import { compartmentPatients, isCompartmentType } from './compartment.ts';
import { compartmentLimited, decideAccess, effectivePurpose, matchingGrants, permissionFor, rolePermissions, type PolicyContext } from './policy.ts';

/** How long cached consents and grants are trusted when another node may have changed them. */
const CACHE_MS = 5_000;
const MAX_AUDITED_RESOURCES = 100;

export interface AccessServiceOptions {
  db: Queryable;
  /** Opens stored content (sealed resources). */
  open: <T extends Resource>(stored: T) => T;
  audit: AuditRecorder;
  now?: () => Date;
  breakGlassMinutes: number;
}

const actionOf: Record<GuardAction, AuditAction> = { read: 'R', search: 'R', history: 'R', create: 'C', update: 'U', delete: 'D', operation: 'E' };

export class AccessService implements AccessControl, GuardFactory {
  private readonly consents = new Map<string, { at: number; rules: ConsentRule[] }>();
  private readonly grants = new Map<string, { at: number; grants: BreakGlassGrant[] }>();
  /** Off only in the benchmark's baseline (same server, policy and audit skipped). */
  enabled = true;

  constructor(readonly options: AccessServiceOptions) {}

  now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Consent rules of these patients (active patient-privacy Consents), one query for the ones not cached. */
  async consentRulesFor(patientIds: Iterable<string>, q: Queryable = this.options.db): Promise<Map<string, ConsentRule[]>> {
    const t = Date.now();
    const out = new Map<string, ConsentRule[]>();
    const missing: string[] = [];
    for (const id of new Set(patientIds)) {
      const hit = this.consents.get(id);
      if (hit && t - hit.at < CACHE_MS) out.set(id, hit.rules);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const { rows } = await q.query<{ content: Consent; target_id: string }>(
        `SELECT r.content, x.target_id FROM fhir_search_reference x JOIN fhir_resource r ON r.rid = x.rid
         WHERE x.param = 'Consent.patient' AND x.target_type = 'Patient' AND x.target_id = ANY($1::text[]) AND r.resource_type = 'Consent' AND NOT r.deleted`,
        [missing],
      );
      for (const id of missing) out.set(id, []);
      for (const row of rows) out.get(row.target_id)!.push(...consentRules(this.options.open(row.content)));
      for (const id of missing) this.consents.set(id, { at: t, rules: out.get(id)! });
    }
    return out;
  }

  /** The caller's active break-the-glass grants. */
  async grantsFor(subject: string, q: Queryable = this.options.db): Promise<BreakGlassGrant[]> {
    const t = Date.now();
    const hit = this.grants.get(subject);
    const now = this.now().toISOString();
    if (hit && t - hit.at < CACHE_MS) return hit.grants.filter((g) => g.expiresAt > now);
    const grants = await activeGrants(q, subject, this.now());
    this.grants.set(subject, { at: t, grants });
    return grants;
  }

  /** Forget cached consents of a patient (a Consent was written) or grants of a subject (a new grant). */
  invalidate(what: { patientId?: string; subject?: string }): void {
    if (what.patientId) this.consents.delete(what.patientId);
    if (what.subject) this.grants.delete(what.subject);
  }

  /** The policy context for these patients. */
  async context(principal: Principal, patientIds: Iterable<string>, q: Queryable = this.options.db): Promise<PolicyContext> {
    const ids = [...patientIds];
    // One after the other: a transaction's connection runs one statement at a time.
    const consents = principal.role === 'patient' || ids.length === 0 ? new Map<string, ConsentRule[]>() : await this.consentRulesFor(ids, q);
    const grants = ids.length === 0 ? [] : await this.grantsFor(principal.subject, q);
    return { consents, breakGlass: new Set(grants.map((g) => g.patientId)), now: this.now() };
  }

  /** AccessControl for modules: one decision, recorded in the audit trail. */
  async decide(principal: Principal, request: AccessRequest): Promise<AccessDecision> {
    if (!this.enabled) return { allowed: true, reason: 'policy disabled' };
    const patients = request.resource ? compartmentPatients(request.resource) : request.patientId ? [request.patientId] : [];
    const d = decideAccess(principal, request, await this.context(principal, patients));
    this.options.audit.record({
      principal,
      action: actionOf[request.action],
      subtype: `module.${request.action}.${request.resourceType}`,
      status: d.allowed ? 200 : 403,
      ...(d.allowed ? {} : { detail: d.reason }),
      purposeOfUse: d.purposeOfUse,
      patients: d.patients,
    });
    return d;
  }

  forRequest(req: FhirRequest, interaction: string, q?: Queryable): RequestGuard | undefined {
    if (!req.principal || !this.enabled) return undefined;
    return new Guard(this, req, req.principal, interaction, q ?? this.options.db);
  }
}

class Guard implements RequestGuard {
  private readonly patients = new Set<string>();
  private readonly resources: string[] = [];
  private purpose: string;
  private denied: string | undefined;

  constructor(private readonly service: AccessService, private readonly req: FhirRequest, private readonly principal: Principal, private readonly interaction: string, private readonly q: Queryable) {
    this.purpose = effectivePurpose(principal, false);
  }

  checkType(action: GuardAction, resourceType: string, patientId?: string): void {
    const d = decideAccess(this.principal, { action, resourceType, ...(patientId ? { patientId } : {}) }, { consents: new Map(), breakGlass: new Set(), now: this.service.now() });
    if (patientId) this.patients.add(patientId);
    if (!d.allowed) {
      this.denied = d.reason;
      throw new FlauraError('FORBIDDEN', 403, `Access denied: ${d.reason}`, { type: 'forbidden' });
    }
  }

  private note(resource: Resource, patients: readonly string[], purpose: string): void {
    for (const p of patients) this.patients.add(p);
    if (purpose === 'ETREAT') this.purpose = 'ETREAT';
    if (resource.id && this.resources.length < MAX_AUDITED_RESOURCES) this.resources.push(`${resource.resourceType}/${resource.id}`);
  }

  async allows(action: GuardAction, resource: Resource, q?: Queryable): Promise<boolean> {
    return (await this.filter(action, [resource], (r) => r, false, q))[0] !== undefined;
  }

  async filter<T>(action: GuardAction, items: readonly T[], resourceOf: (item: T) => Resource | undefined, keepBare = false, q: Queryable = this.q): Promise<T[]> {
    const patientsOf = items.map((item) => {
      const r = resourceOf(item);
      return r ? compartmentPatients(r) : [];
    });
    const ctx = await this.service.context(this.principal, patientsOf.flat(), q);
    const out: T[] = [];
    items.forEach((item, i) => {
      const resource = resourceOf(item);
      if (!resource) {
        if (keepBare) out.push(item);
        return;
      }
      const d = decideAccess(this.principal, { action, resourceType: resource.resourceType, resource: resource as unknown as AccessRequest['resource'] }, ctx, patientsOf[i]);
      if (d.allowed) {
        this.note(resource, patientsOf[i]!, d.purposeOfUse);
        out.push(item);
      } else {
        // Denied resources are not "accessed", but the attempt on a patient's record is theirs to see.
        for (const p of patientsOf[i]!) this.patients.add(p);
        this.denied ??= d.reason;
      }
    });
    return out;
  }

  searchCompartment(resourceType: string | undefined): string | undefined {
    if (!compartmentLimited(this.principal, resourceType ?? '*', 's')) return undefined;
    if (resourceType && !isCompartmentType(resourceType)) return undefined; // shared types (Medication, …)
    return this.principal.patientId ?? '\u0000none'; // no patient in context: match nothing
  }

  restrictionParams(resourceType: string | undefined): [string, string][] {
    if (!resourceType) return [];
    const grants = matchingGrants(this.principal.scopes, resourceType, 's');
    if (grants.length !== 1) return [];
    return grants[0]!.restrictions.map(([k, v]) => [k, v]);
  }

  async countsAreExact(resourceType: string | undefined, q: Queryable = this.q): Promise<boolean> {
    // Role, scope type and compartment limits are applied inside the query; consents and break-the-glass are not.
    if (!resourceType || !rolePermissions(this.principal.role, resourceType).includes('s')) return false;
    if (this.principal.role === 'patient') return true;
    const compartment = this.searchCompartment(resourceType);
    if (compartment) return (await this.service.consentRulesFor([compartment], q)).get(compartment)!.length === 0;
    const { rows } = await q.query("SELECT 1 FROM fhir_resource WHERE resource_type = 'Consent' AND NOT deleted LIMIT 1");
    return rows.length === 0;
  }

  written(resource: Resource): void {
    if (resource.resourceType === 'Consent') for (const p of compartmentPatients(resource)) this.service.invalidate({ patientId: p });
    this.note(resource, compartmentPatients(resource), this.purpose);
  }

  finish(status: number, detail?: string): void {
    const action = actionForInteraction(this.interaction, this.req.method);
    const query = this.req.query.length > 0 ? new URLSearchParams(this.req.query).toString() : undefined;
    this.service.options.audit.record({
      principal: this.principal,
      action,
      subtype: this.interaction,
      status,
      ...(detail ?? this.denied ? { detail: detail ?? this.denied } : {}),
      purposeOfUse: this.purpose,
      patients: [...this.patients],
      resources: this.resources,
      ...(query !== undefined || this.interaction.startsWith('search') ? { query: `${this.req.path}${query ? `?${query}` : ''}` } : {}),
      ...(this.req.headers['x-request-id'] ? { requestId: this.req.headers['x-request-id'] } : {}),
    });
  }
}

/** DICOM/FHIR audit action of an interaction. */
export function actionForInteraction(interaction: string, method: string): AuditAction {
  if (interaction === 'create') return 'C';
  if (interaction === 'update' || interaction === 'patch' || interaction.startsWith('conditional-update') || interaction === 'conditional-patch') return 'U';
  if (interaction === 'delete' || interaction === 'conditional-delete') return 'D';
  if (interaction === 'operation' || interaction === 'batch' || interaction === 'transaction') return method === 'GET' ? 'R' : 'E';
  return 'R';
}

export { permissionFor };
