// The authentication gate on a whole server: which routes need a token, the 401 shape, and the principal handed on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/test-server.ts';
import { testDbKind } from '../../../test/test-db.ts';
import type { Principal } from '../principal.ts';

describe(`authentication gate on ${testDbKind}`, () => {
  let s: TestServer;
  const seen: (Principal | undefined)[] = [];
  beforeAll(async () => {
    s = await startTestServer();
    // An operation that reports the principal the FHIR router received.
    s.flaura.router.registerOperation({
      name: 'whoami',
      scope: { system: true },
      methods: ['GET'],
      handler: async (req) => {
        seen.push(req.principal);
        return { status: 200, headers: {}, body: { resourceType: 'Parameters', parameter: [{ name: 'role', valueString: req.principal?.role ?? 'none' }] } };
      },
    });
    s.flaura.app.get('/security/custom-echo', { config: { auth: 'custom' } }, async (request) => ({ principal: request.principal ?? null }));
  });
  afterAll(async () => {
    await s.close();
  });
  const none = { authorization: '' };

  it('CORS preflights (OPTIONS) pass the gate: they carry no credentials', async () => {
    const res = await s.request('OPTIONS', '/fhir/Patient', undefined, none);
    expect(res.status).not.toBe(401);
  });

  it('no token on the FHIR API: 401 OperationOutcome with WWW-Authenticate: Bearer', async () => {
    for (const [method, path] of [['GET', 'Patient'], ['GET', 'Patient/x'], ['POST', ''], ['GET', 'Patient/x/_history'], ['GET', '$whoami']] as const) {
      const res = await s.fhir(method, path, method === 'POST' ? { resourceType: 'Bundle', type: 'batch', entry: [] } : undefined, none);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="flaura"');
      expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'login', details: { coding: [{ code: 'UNAUTHORIZED' }] } }] });
    }
  });

  it('no token on module routes: 401 too, before the module sees the request', async () => {
    for (const url of ['/wearables/chart?patient=p&metric=heart-rate&from=2024-01-01&to=2024-01-02', '/pgx/patients/demo-maria/summary', '/audit/anything', '/security/anything']) {
      const res = await s.request('GET', url, undefined, none);
      expect(res.status, url).toBe(401);
      expect(res.body.resourceType).toBe('OperationOutcome');
    }
  });

  it('an invalid token gets error="invalid_token"', async () => {
    const res = await s.fhir('GET', 'Patient', undefined, { authorization: 'Bearer abc.def.ghi' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    expect(res.body).toMatchObject({ issue: [{ details: { coding: [{ code: 'TOKEN_INVALID' }] } }] });
  });

  it('encoded or doubled slashes do not slip past the prefix check', async () => {
    for (const url of ['/%66hir/Patient', '//fhir/Patient', '/fhir//Patient', '/fhir/%2E%2E/fhir/Patient']) {
      const res = await s.request('GET', url, undefined, none);
      expect(res.status, url).not.toBe(200);
    }
  });

  it('public: health, CapabilityStatement, discovery, web app files', async () => {
    expect((await s.request('GET', '/healthz', undefined, none)).status).toBe(200);
    const meta = await s.fhir('GET', 'metadata', undefined, none);
    expect(meta.status).toBe(200);
    expect(meta.body.resourceType).toBe('CapabilityStatement');
    expect((await s.request('GET', '/', undefined, none)).status).not.toBe(401);
  });

  it('a valid token reaches the FHIR router as FhirRequest.principal, from the token claims', async () => {
    const token = await s.token({ role: 'patient', patientId: 'demo-grace', fhirUser: 'Patient/demo-grace', scope: 'patient/*.rs' });
    const res = await s.fhir('GET', '$whoami', undefined, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({ role: 'patient', patientId: 'demo-grace', fhirUser: 'Patient/demo-grace', scope: 'patient/*.rs' });
  });

  it("a route with config.auth = 'custom' is not gated (it authenticates on its own)", async () => {
    const res = await s.request('GET', '/security/custom-echo', undefined, none);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ principal: null });
  });
});
