// HTTP endpoints of the access policy: break-the-glass. Under /security, so the authentication hook has already
// set request.principal.
import type { FastifyInstance } from 'fastify';
import { FlauraError } from '../errors.ts';
import type { SqlFhirStore } from '../fhir/store/sql-store.ts';
import type { AccessService } from './access/access-control.ts';
import { activeGrants, insertGrant, validateBreakGlass } from './access/break-glass.ts';
import type { AuditRecorder } from './audit/trail.ts';
import { decideAccess } from './access/policy.ts';
import type { AccessRequest } from './principal.ts';

export interface SecurityRoutesOptions {
  access: AccessService;
  audit: AuditRecorder;
  store: SqlFhirStore;
  breakGlassMinutes: number;
}

export async function securityRoutes(app: FastifyInstance, options: SecurityRoutesOptions): Promise<void> {
  const { access, audit, store } = options;

  /** `POST /security/break-glass` `{ patient, reason }`: lifts consent denials for that patient for a limited time. */
  app.post('/security/break-glass', async (request, reply) => {
    const principal = request.principal;
    if (!principal) throw new FlauraError('UNAUTHORIZED', 401, 'an access token is required');
    let checked: { patientId: string; reason: string };
    try {
      checked = validateBreakGlass(principal, request.body);
      // The patient must exist and be within the caller's role and scopes (break-the-glass never widens those).
      const patient = await store.read('Patient', checked.patientId).catch(() => undefined);
      const visible = patient && decideAccess(principal, { action: 'read', resourceType: 'Patient', resource: patient.resource as unknown as AccessRequest['resource'] }, { consents: new Map(), breakGlass: new Set(), now: access.now() }).allowed;
      if (!visible) {
        throw new FlauraError('NOT_FOUND', 404, `Patient/${checked.patientId} is not known`);
      }
    } catch (err) {
      const status = err instanceof FlauraError ? err.status : 500;
      audit.record({ principal, action: 'E', subtype: 'break-the-glass', status, detail: err instanceof Error ? err.message : String(err), ...(request.id ? { requestId: request.id } : {}) });
      throw err;
    }
    const grant = await insertGrant(access.options.db, principal, checked.patientId, checked.reason, access.now(), options.breakGlassMinutes);
    access.invalidate({ subject: principal.subject });
    audit.record({ principal, action: 'E', subtype: 'break-the-glass', status: 201, purposeOfUse: 'ETREAT', patients: [checked.patientId], reason: checked.reason, requestId: request.id });
    return reply.code(201).send({ id: grant.id, patient: `Patient/${grant.patientId}`, reason: grant.reason, purposeOfUse: 'ETREAT', createdAt: grant.createdAt, expiresAt: grant.expiresAt });
  });

  /** `GET /security/break-glass`: the caller's active grants. */
  app.get('/security/break-glass', async (request) => {
    const principal = request.principal;
    if (!principal) throw new FlauraError('UNAUTHORIZED', 401, 'an access token is required');
    const grants = await activeGrants(access.options.db, principal.subject, access.now());
    return { grants: grants.map((g) => ({ id: g.id, patient: `Patient/${g.patientId}`, reason: g.reason, createdAt: g.createdAt, expiresAt: g.expiresAt })) };
  });
}
