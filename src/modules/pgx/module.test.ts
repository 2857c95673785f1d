// The pgx routes ask the access policy (when the build has one) before touching the store.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { FlauraError } from '../../errors.ts';
import { sendError } from '../../fhir/http/plugin.ts';
import type { FhirStore } from '../../fhir/store/types.ts';
import type { AccessRequest, Principal } from '../../security/principal.ts';
import type { ModuleContext } from '../types.ts';
import { createPgxModule } from './module.ts';

const principal: Principal = { subject: 'user:nurse-1', role: 'nurse', scopes: [], scope: '', purposeOfUse: 'TREAT', fhirUser: 'Practitioner/n1' };

async function appWith(allowed: boolean) {
  const asked: AccessRequest[] = [];
  const untouchable = new Proxy({}, { get: () => () => Promise.reject(new Error('the store must not be used when access is denied')) }) as FhirStore;
  const store = allowed ? ({ read: () => Promise.reject(new FlauraError('NOT_FOUND', 404, 'Patient/p2 is not known')) } as unknown as FhirStore) : untouchable;
  const ctx = { store, access: { decide: async (p: Principal, r: AccessRequest) => (asked.push(r), { allowed, reason: allowed ? 'ok' : `${p.role} may not ${r.action} ${r.resourceType}` }) } } as unknown as ModuleContext;
  const app = Fastify();
  app.setErrorHandler((err, request, reply) => sendError(request, reply, err));
  app.addHook('onRequest', async (request) => {
    request.principal = principal;
  });
  await app.register(async (scope) => createPgxModule().routes!(scope, ctx), { prefix: '/pgx' });
  return { app, asked };
}

describe('pgx routes and the access policy', () => {
  it('a denied upload is a 403 OperationOutcome with the reason, and the store is never touched', async () => {
    const { app, asked } = await appWith(false);
    const res = await app.inject({ method: 'POST', url: '/pgx/patients/p1/results', headers: { 'content-type': 'text/plain' }, payload: 'gene\tdiplotype\nCYP2C19\t*1/*1\n' });
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ resourceType: 'OperationOutcome' });
    expect(res.body).toContain('nurse may not create DiagnosticReport');
    expect(asked).toEqual([{ action: 'create', resourceType: 'DiagnosticReport', patientId: 'p1' }]);
  });

  it('a denied summary read is a 403 too', async () => {
    const { app, asked } = await appWith(false);
    const res = await app.inject({ method: 'GET', url: '/pgx/patients/p2/summary' });
    expect(res.statusCode).toBe(403);
    expect(asked).toEqual([{ action: 'read', resourceType: 'Observation', patientId: 'p2' }]);
  });

  it('an allowed read goes on to the store (here: the patient is unknown, 404)', async () => {
    const { app } = await appWith(true);
    const res = await app.inject({ method: 'GET', url: '/pgx/patients/p2/summary' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Patient/p2 is not known');
  });
});
