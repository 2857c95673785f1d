// Authentication of CDS callers: outside EHRs with CDS Hooks' JWT scheme (real jose-signed ES384/RS384 tokens against a
// registered JWKS, inline or by URL) fetching through their own FHIR server with fhirAuthorization, and Flaura tokens.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Bundle } from '@medplum/fhirtypes';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKind } from '../../../test/test-db.ts';
import { startTestServer, type TestServer } from '../../../test/test-server.ts';
import type { HookCard } from './cards.ts';
import { createPatient, draftOrder, hookRequest, storeCalls } from './test-support.ts';

const SIGN = '/cds-services/flaura-pgx-order-sign';
const AUD = `http://flaura.test${SIGN}`;
const EHR = 'https://ehr.example.org';
const CLOPIDOGREL = ['309362', 'clopidogrel 75 MG Oral Tablet'] as const;

describe(`CDS client authentication on ${testDbKind}`, () => {
  let s: TestServer;
  let ecKey: CryptoKey;
  let rsaKey: CryptoKey;
  let fhir: Server;
  let fhirUrl = '';
  const fhirCalls: { url: string; auth: string | undefined }[] = [];
  let storedPhenotypes: Bundle;

  const jwt = async (o: { alg?: string; key?: CryptoKey; iss?: string; aud?: string; jti?: string; ttl?: number; kid?: string } = {}) =>
    new SignJWT({ tenant: 'main' })
      .setProtectedHeader({ alg: o.alg ?? 'ES384', typ: 'JWT', kid: o.kid ?? 'ec-1' })
      .setIssuer(o.iss ?? EHR)
      .setSubject('ehr-client-1')
      .setAudience(o.aud ?? AUD)
      .setIssuedAt()
      .setExpirationTime(`${o.ttl ?? 120}s`)
      .setJti(o.jti ?? randomUUID())
      .sign(o.key ?? ecKey);

  const call = async (token: string, body: unknown = hookRequest('order-sign', 'ehr-pm', [draftOrder('ehr-pm', ...CLOPIDOGREL)])) => s.request('POST', SIGN, body, { authorization: `Bearer ${token}` });

  beforeAll(async () => {
    s = await startTestServer();
    const ec = await generateKeyPair('ES384');
    const rsa = await generateKeyPair('RS384');
    ecKey = ec.privateKey;
    rsaKey = rsa.privateKey;
    const jwks = { keys: [{ ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES384', use: 'sig' }, { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS384', use: 'sig' }] as JWK[] };
    const reg = await s.request('POST', '/cds-services/clients', { iss: EHR, name: 'Example EHR', jwks, tenant: 'main' });
    expect(reg.status, reg.text).toBe(201);

    // The PGx result is stored by the real engine in Flaura; the outside EHR's FHIR server (below) serves it back.
    await createPatient(s, 'ehr-pm');
    await storeCalls(s, 'ehr-pm', { CYP2C19: '*2/*2' });
    storedPhenotypes = (await s.fhir('GET', 'Observation?patient=ehr-pm&code=http://loinc.org|53040-2&status=final')).body as unknown as Bundle;
    fhir = createServer((req, res) => {
      fhirCalls.push({ url: req.url ?? '', auth: req.headers.authorization });
      if (req.headers.authorization === 'Bearer ehr-broken-server') {
        // A server whose search answer holds an Observation with a wrong JSON type.
        res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(JSON.stringify({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, component: 0 } }] }));
        return;
      }
      if (req.headers.authorization !== 'Bearer ehr-access-token') {
        res.writeHead(401).end();
        return;
      }
      const bundle = req.url?.startsWith('/fhir/Observation') ? storedPhenotypes : { resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] };
      res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(bundle));
    });
    await new Promise<void>((resolve) => fhir.listen(0, '127.0.0.1', resolve));
    fhirUrl = `http://127.0.0.1:${(fhir.address() as AddressInfo).port}/fhir`;
  }, 300_000);
  afterAll(async () => {
    await new Promise((resolve) => fhir.close(resolve));
    await s.close();
  });

  const withFhir = (token = 'ehr-access-token') => ({
    ...hookRequest('order-sign', 'ehr-pm', [draftOrder('ehr-pm', ...CLOPIDOGREL)]),
    fhirServer: fhirUrl,
    fhirAuthorization: { access_token: token, token_type: 'Bearer', expires_in: 300, scope: 'patient/Observation.rs patient/MedicationRequest.rs', subject: 'flaura-cds' },
  });

  it('a registered EHR with an ES384 JWT gets cards; data the prefetch lacks is fetched from its FHIR server with its token', async () => {
    fhirCalls.length = 0;
    const res = await call(await jwt(), withFhir());
    expect(res.status, res.text).toBe(200);
    expect((res.body as unknown as { cards: HookCard[] }).cards.map((c) => c.summary)).toEqual(['Avoid clopidogrel: CYP2C19 Poor Metabolizer']);
    expect(fhirCalls.map((c) => c.url.split('?')[0]).sort()).toEqual(['/fhir/MedicationRequest', '/fhir/MedicationStatement', '/fhir/Observation']);
    expect(fhirCalls.every((c) => c.auth === 'Bearer ehr-access-token')).toBe(true);
    expect(fhirCalls.find((c) => c.url.startsWith('/fhir/Observation'))?.url).toContain('patient=ehr-pm');
  });

  it('RS384 is accepted too; with the full prefetch nothing is fetched', async () => {
    fhirCalls.length = 0;
    const empty = { resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] };
    const body = { ...withFhir(), prefetch: { pgxPhenotypes: storedPhenotypes, activeMedicationRequests: empty, activeMedicationStatements: empty } };
    const res = await call(await jwt({ alg: 'RS384', key: rsaKey, kid: 'rsa-1' }), body);
    expect(res.status, res.text).toBe(200);
    expect((res.body as unknown as { cards: HookCard[] }).cards).toHaveLength(1);
    expect(fhirCalls).toHaveLength(0);
  });

  it('the EHR\'s FHIR server refusing the token, or no way to fetch, is 412 (prefetch not satisfiable)', async () => {
    const refused = await call(await jwt(), withFhir('wrong-token'));
    expect(refused.status).toBe(412);
    expect(refused.text).toMatch(/answered 401/);
    const broken = await call(await jwt(), withFhir('ehr-broken-server'));
    expect(broken.status, broken.text).toBe(412);
    expect(broken.text).toMatch(/not a valid FHIR R4 Bundle: Bundle\.entry\[0\]\.resource\.component/);
    const noServer = await call(await jwt());
    expect(noServer.status).toBe(412);
    expect(noServer.text).toMatch(/no fhirServer with fhirAuthorization/);
  });

  it('a replayed jti is rejected', async () => {
    const token = await jwt();
    expect((await call(token, withFhir())).status).toBe(200);
    const again = await call(token, withFhir());
    expect(again.status).toBe(401);
    expect(again.text).toMatch(/already used/);
  });

  it('wrong audience, wrong algorithm, unknown issuer, long lifetime, wrong key and wrong tenant are rejected with 401', async () => {
    const other = await generateKeyPair('ES384');
    const hs = new TextEncoder().encode('a-shared-secret-that-is-long-enough-for-hs384!!');
    const cases: [string, string, RegExp][] = [
      ['wrong aud', await jwt({ aud: 'http://flaura.test/cds-services/flaura-pgx-order-select' }), /audience/],
      ['aud with trailing slash', await jwt({ aud: `${AUD}/` }), /audience/],
      ['ES256', await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setIssuer(EHR).setAudience(AUD).setIssuedAt().setExpirationTime('60s').setJti(randomUUID()).sign((await generateKeyPair('ES256')).privateKey), /ES384 or RS384/],
      ['HS384', await new SignJWT({}).setProtectedHeader({ alg: 'HS384' }).setIssuer(EHR).setAudience(AUD).setIssuedAt().setExpirationTime('60s').setJti(randomUUID()).sign(hs), /ES384 or RS384/],
      ['unknown iss', await jwt({ iss: 'https://unknown.example.org' }), /./],
      ['one-hour token', await jwt({ ttl: 3600 }), /longer than 300 s/],
      ['key not in the JWKS', await jwt({ key: other.privateKey }), /not accepted/],
      ['wrong tenant', await new SignJWT({ tenant: 'other' }).setProtectedHeader({ alg: 'ES384', kid: 'ec-1' }).setIssuer(EHR).setAudience(AUD).setIssuedAt().setExpirationTime('60s').setJti(randomUUID()).sign(ecKey), /tenant/],
      ['not a JWT', 'abc', /not a JWT/],
    ];
    for (const [name, token, reason] of cases) {
      const res = await call(token, withFhir());
      expect(res.status, name).toBe(401);
      expect(res.body.resourceType, name).toBe('OperationOutcome');
      expect(res.text, name).toMatch(reason);
    }
    expect((await s.request('POST', SIGN, withFhir(), { authorization: '' })).status).toBe(401);
  });

  it('a JWKS registered by URL is fetched and used', async () => {
    const key = await generateKeyPair('ES384');
    const jwks = { keys: [{ ...(await exportJWK(key.publicKey)), kid: 'url-1', alg: 'ES384' }] };
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
      expect((await s.request('POST', '/cds-services/clients', { iss: 'https://ehr2.example.org', name: 'EHR by URL', jwks_url: url })).status).toBe(201);
      const ok = await call(await jwt({ iss: 'https://ehr2.example.org', key: key.privateKey, kid: 'url-1' }), withFhir());
      expect(ok.status, ok.text).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('client registration needs an admin and a valid public JWKS', async () => {
    const clinician = await s.token({ role: 'clinician' });
    expect((await s.request('POST', '/cds-services/clients', { iss: 'https://x.example.org', name: 'x', jwks: { keys: [] } }, { authorization: `Bearer ${clinician}` })).status).toBe(403);
    expect((await s.request('POST', '/cds-services/clients', { iss: 'https://x.example.org', name: 'x', jwks: { keys: [] } })).status).toBe(400);
    const priv = await exportJWK((await generateKeyPair('ES384', { extractable: true })).privateKey);
    const leaked = await s.request('POST', '/cds-services/clients', { iss: 'https://x.example.org', name: 'x', jwks: { keys: [priv] } });
    expect(leaked.status).toBe(400);
    expect(leaked.text).toMatch(/private key/);
  });

  it('Flaura tokens: scopes must read observations and medications; a patient-context token sees its own patient only', async () => {
    const body = hookRequest('order-sign', 'ehr-pm', [draftOrder('ehr-pm', ...CLOPIDOGREL)]);
    const clinician = await s.token({ role: 'clinician', scope: 'user/Observation.rs user/MedicationRequest.rs' });
    expect((await s.request('POST', SIGN, body, { authorization: `Bearer ${clinician}` })).status).toBe(200);
    const narrow = await s.token({ role: 'clinician', scope: 'user/Patient.rs' });
    const denied = await s.request('POST', SIGN, body, { authorization: `Bearer ${narrow}` });
    expect(denied.status).toBe(403);
    expect(denied.text).toMatch(/Observation and MedicationRequest/);
    const patient = await s.token({ role: 'patient', patientId: 'someone-else', scope: 'patient/Observation.rs patient/MedicationRequest.rs' });
    expect((await s.request('POST', SIGN, body, { authorization: `Bearer ${patient}` })).status).toBe(403);
    const own = await s.token({ role: 'patient', patientId: 'ehr-pm', scope: 'patient/Observation.rs patient/MedicationRequest.rs' });
    expect((await s.request('POST', SIGN, body, { authorization: `Bearer ${own}` })).status).toBe(200);
  });
});
