// The authorization server end to end over HTTP (inject): sign-in page, authorization code + PKCE, launch context,
// refresh rotation and reuse detection, backend services, introspection, revocation, discovery.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import type { InjectOptions } from 'fastify';
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../../../test/test-server.ts';
import { testDbKind } from '../../../test/test-db.ts';

const REDIRECT = 'https://app.example/callback';
const PASSWORD = 'a long enough password';
const ROOT = 'http://flaura.test';

describe(`SMART authorization server on ${testDbKind}`, () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
    const { users, clients } = s.flaura.accounts;
    for (const id of ['p-maria', 'p-other']) expect((await s.fhir('PUT', `Patient/${id}`, { resourceType: 'Patient', id, name: [{ family: id }] })).status).toBe(201);
    await users.create({ username: 'maria', password: PASSWORD, role: 'patient', patientId: 'p-maria' });
    await users.create({ username: 'doc', password: PASSWORD, role: 'clinician', fhirUser: 'Practitioner/doc-1' });
    await users.create({ username: 'locky', password: PASSWORD, role: 'nurse' });
    await clients.register({ clientId: 'app', name: 'Test App', type: 'public', redirectUris: [REDIRECT], scope: 'openid fhirUser launch launch/patient offline_access patient/*.cruds user/*.rs' });
    await clients.register({ clientId: 'conf', name: 'Confidential App', type: 'confidential', secret: 's3cret-s3cret-s3cret', redirectUris: [REDIRECT], scope: 'launch/patient offline_access patient/*.rs user/*.rs' });
  });
  afterAll(async () => {
    await s.close();
  });

  const pkce = () => {
    const verifier = randomBytes(32).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
  };
  const authorizeQuery = (over: Record<string, string | undefined> = {}) => {
    const q = new URLSearchParams();
    const params: Record<string, string | undefined> = { response_type: 'code', client_id: 'app', redirect_uri: REDIRECT, scope: 'openid fhirUser launch/patient offline_access patient/*.rs user/*.rs', state: 'st-1', aud: `${ROOT}/fhir`, code_challenge_method: 'S256', ...over };
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
    return q;
  };
  const inject = (opts: InjectOptions) => s.flaura.app.inject(opts);

  /** GET the sign-in page, then POST the form as a browser would (cookie + hidden fields). */
  async function signIn(username: string, password: string, over: Record<string, string | undefined> = {}, extra: Record<string, string> = {}) {
    const q = authorizeQuery(over);
    const page = await inject({ method: 'GET', url: `/auth/authorize?${q}` });
    if (page.statusCode !== 200) return { page, location: page.headers.location as string | undefined };
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    const form = new URLSearchParams(q);
    form.set('csrf', csrf);
    form.set('username', username);
    form.set('password', password);
    for (const [k, v] of Object.entries(extra)) form.set(k, v);
    const res = await inject({ method: 'POST', url: '/auth/authorize', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, payload: form.toString() });
    return { page: res, location: res.headers.location as string | undefined };
  }

  async function codeFor(username: string, over: Record<string, string | undefined> = {}, extra: Record<string, string> = {}) {
    const { verifier, challenge } = pkce();
    const { page, location } = await signIn(username, PASSWORD, { code_challenge: challenge, ...over }, extra);
    expect(page.statusCode, page.body).toBe(303);
    const url = new URL(location!);
    expect(url.searchParams.get('state')).toBe('st-1');
    expect(url.searchParams.get('iss')).toBe(ROOT);
    return { code: url.searchParams.get('code')!, verifier };
  }

  const token = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    inject({ method: 'POST', url: '/auth/token', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: new URLSearchParams(form).toString() });
  const exchange = (code: string, verifier: string, client = 'app') => token({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: client });
  const readWith = (accessToken: string, path = 'Patient/p-maria') => s.fhir('GET', path, undefined, { authorization: `Bearer ${accessToken}` });

  describe('authorization code with PKCE', () => {
    it('a patient signs in (standalone launch): patient context, fhirUser, patient/ scopes only, id_token, refresh token', async () => {
      const { code, verifier } = await codeFor('maria', { nonce: 'n-1' });
      const res = await exchange(code, verifier);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const body = res.json();
      expect(body).toMatchObject({ token_type: 'Bearer', patient: 'p-maria', fhirUser: 'Patient/p-maria', scope: 'openid fhirUser launch/patient offline_access patient/*.rs' });
      expect(body.refresh_token).toEqual(expect.any(String));
      const jwks = createLocalJWKSet((await inject({ method: 'GET', url: '/auth/jwks' })).json());
      const { payload } = await jwtVerify(body.id_token, jwks, { issuer: ROOT, audience: 'app' });
      expect(payload).toMatchObject({ fhirUser: 'Patient/p-maria', nonce: 'n-1', sub: expect.stringMatching(/^user:/) });
      const read = await readWith(body.access_token);
      expect(read.status).toBe(200);
    });

    it('staff: user/ scopes; the patient picked on the sign-in page becomes the context', async () => {
      const { code, verifier } = await codeFor('doc', {}, { patient: 'p-other' });
      const body = (await exchange(code, verifier)).json();
      expect(body).toMatchObject({ patient: 'p-other', fhirUser: 'Practitioner/doc-1', need_patient_banner: true });
      expect(body.scope.split(' ')).toEqual(expect.arrayContaining(['user/*.rs', 'patient/*.rs', 'launch/patient']));
      const none = await codeFor('doc');
      const noPatient = (await exchange(none.code, none.verifier)).json();
      expect(noPatient.patient).toBeUndefined();
      expect(noPatient.scope).not.toMatch(/patient\/\*/);
      const unknown = await signIn('doc', PASSWORD, { code_challenge: pkce().challenge }, { patient: 'nobody' });
      expect(unknown.page.statusCode).toBe(400);
      expect(unknown.page.body).toMatch(/No patient with id/);
    });

    it('PKCE: a wrong verifier fails, and the code cannot be retried', async () => {
      const { code, verifier } = await codeFor('maria');
      const wrong = await exchange(code, pkce().verifier);
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/PKCE/) });
      expect((await exchange(code, verifier)).json().error).toBe('invalid_grant');
      const missing = await token({ grant_type: 'authorization_code', code: (await codeFor('maria')).code, redirect_uri: REDIRECT, client_id: 'app' });
      expect(missing.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/code_verifier/) });
    });

    it('PKCE is required at the authorization endpoint: none, or plain, is sent back as invalid_request', async () => {
      for (const over of [{ code_challenge: undefined }, { code_challenge: 'abc', code_challenge_method: 'plain' }]) {
        const res = await inject({ method: 'GET', url: `/auth/authorize?${authorizeQuery(over)}` });
        expect(res.statusCode).toBe(303);
        const url = new URL(res.headers.location as string);
        expect(url.origin + url.pathname).toBe(REDIRECT);
        expect(url.searchParams.get('error')).toBe('invalid_request');
        expect(url.searchParams.get('state')).toBe('st-1');
      }
    });

    it('a reused code fails and revokes the tokens issued for it', async () => {
      const { code, verifier } = await codeFor('maria');
      const first = (await exchange(code, verifier)).json();
      expect((await readWith(first.access_token)).status).toBe(200);
      const second = await exchange(code, verifier);
      expect(second.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/already used/) });
      expect((await readWith(first.access_token)).status).toBe(401);
      const refresh = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: 'app' });
      expect(refresh.json().error).toBe('invalid_grant');
    });

    it('the redirect_uri and client must match the code', async () => {
      const { code, verifier } = await codeFor('maria');
      const res = await token({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: 'https://app.example/other', client_id: 'app' });
      expect(res.json().error).toBe('invalid_grant');
      const other = await codeFor('maria');
      expect((await exchange(other.code, other.verifier, 'conf')).json().error).toBe('invalid_client'); // conf needs its secret
    });

    it('unknown client or unregistered redirect URI: an error page, never a redirect', async () => {
      for (const over of [{ client_id: 'nope' }, { redirect_uri: 'https://evil.example/cb' }, { redirect_uri: `${REDIRECT}/x` }]) {
        const res = await inject({ method: 'GET', url: `/auth/authorize?${authorizeQuery({ code_challenge: pkce().challenge, ...over })}` });
        expect(res.statusCode).toBe(400);
        expect(res.headers.location).toBeUndefined();
        expect(res.headers['content-type']).toMatch(/text\/html/);
      }
    });

    it('an aud other than this FHIR server is refused; an unknown scope is invalid_scope', async () => {
      const res = await inject({ method: 'GET', url: `/auth/authorize?${authorizeQuery({ code_challenge: pkce().challenge, aud: 'https://other.example/fhir' })}` });
      expect(new URL(res.headers.location as string).searchParams.get('error')).toBe('invalid_request');
      const bad = await inject({ method: 'GET', url: `/auth/authorize?${authorizeQuery({ code_challenge: pkce().challenge, scope: 'patient/*.rs email' })}` });
      expect(new URL(bad.headers.location as string).searchParams.get('error')).toBe('invalid_scope');
    });

    it('the sign-in form needs the CSRF cookie that came with it', async () => {
      const q = authorizeQuery({ code_challenge: pkce().challenge });
      const form = new URLSearchParams(q);
      form.set('csrf', 'forged');
      form.set('username', 'maria');
      form.set('password', PASSWORD);
      const res = await inject({ method: 'POST', url: '/auth/authorize', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'flaura_login_csrf=other' }, payload: form.toString() });
      expect(res.statusCode).toBe(400);
      expect(res.headers.location).toBeUndefined();
    });

    it('the sign-in page is a labelled, script-free form', async () => {
      const res = await inject({ method: 'GET', url: `/auth/authorize?${authorizeQuery({ code_challenge: pkce().challenge })}` });
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatch(/<html lang="en">/);
      expect(res.body).toMatch(/<label for="username">/);
      expect(res.body).toMatch(/autocomplete="current-password"/);
      expect(res.body).not.toMatch(/<script/);
      expect(res.headers['set-cookie']).toMatch(/HttpOnly; SameSite=Lax/);
    });
  });

  describe('accounts', () => {
    it('locks after 5 failures for 15 minutes, without saying whether the user exists', async () => {
      for (let i = 0; i < 5; i++) {
        const r = await signIn('locky', 'wrong password!!', { code_challenge: pkce().challenge });
        expect(r.page.statusCode).toBe(401);
      }
      const locked = await signIn('locky', PASSWORD, { code_challenge: pkce().challenge });
      expect(locked.page.statusCode).toBe(401);
      const unknownUser = await signIn('ghost', PASSWORD, { code_challenge: pkce().challenge });
      expect(unknownUser.page.body.match(/role="alert"[^<]*/)![0]).toBe(locked.page.body.match(/role="alert"[^<]*/)![0]);
      // 15 minutes later (moved in the database: the server clock is real).
      await s.testDb.db.query("UPDATE auth_user SET locked_until = now() - interval '1 second' WHERE username = 'locky'");
      const later = await signIn('locky', PASSWORD, { code_challenge: pkce().challenge });
      expect(later.page.statusCode).toBe(303);
      // Every attempt is in the audit trail: six refused (five wrong passwords, one while locked), one let in.
      await s.flaura.security.audit.flush();
      await s.flaura.events.waitForIdle(20_000);
      const logins = (await s.fhir('GET', 'AuditEvent?subtype=login&_count=100')).body as Bundle;
      const mine = (logins.entry ?? []).map((e) => e.resource as AuditEvent).filter((a) => a.agent[0]!.who?.identifier?.value === 'locky');
      expect(mine.filter((a) => a.outcome === '4').map((a) => a.outcomeDesc)).toEqual(expect.arrayContaining(['sign-in failed: bad-password', 'sign-in failed: locked']));
      expect(mine.filter((a) => a.outcome === '4')).toHaveLength(6);
      expect(mine.filter((a) => a.outcome === '0')).toHaveLength(1);
    });
  });

  describe('refresh tokens', () => {
    it('rotate on every use; reusing an old one revokes the whole family', async () => {
      const { code, verifier } = await codeFor('maria');
      const first = (await exchange(code, verifier)).json();
      const second = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: 'app' });
      expect(second.statusCode, second.body).toBe(200);
      const rotated = second.json();
      expect(rotated.refresh_token).not.toBe(first.refresh_token);
      expect(rotated.patient).toBe('p-maria');
      expect((await readWith(rotated.access_token)).status).toBe(200);
      // The old refresh token shows up again: stolen. Everything of this grant stops working.
      const replay = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: 'app' });
      expect(replay.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/revoked/) });
      expect((await token({ grant_type: 'refresh_token', refresh_token: rotated.refresh_token, client_id: 'app' })).json().error).toBe('invalid_grant');
      expect((await readWith(rotated.access_token)).status).toBe(401);
      expect((await readWith(first.access_token)).status).toBe(401);
    });

    it('may narrow but not widen the scope; a confidential client authenticates with Basic', async () => {
      const { code, verifier } = await codeFor('maria', { client_id: 'conf', scope: 'launch/patient offline_access patient/*.rs' });
      const basic = `Basic ${Buffer.from('conf:s3cret-s3cret-s3cret').toString('base64')}`;
      const first = await token({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT }, { authorization: basic });
      expect(first.statusCode, first.body).toBe(200);
      const wider = await token({ grant_type: 'refresh_token', refresh_token: first.json().refresh_token, scope: 'patient/*.cruds' }, { authorization: basic });
      expect(wider.json().error).toBe('invalid_scope');
      const wrongSecret = await token({ grant_type: 'refresh_token', refresh_token: first.json().refresh_token }, { authorization: `Basic ${Buffer.from('conf:nope').toString('base64')}` });
      expect(wrongSecret.statusCode).toBe(401);
      expect(wrongSecret.json().error).toBe('invalid_client');
    });
  });

  describe('EHR launch', () => {
    it('staff create a launch context; the app gets its patient', async () => {
      const staff = await s.token({ role: 'clinician' });
      const created = await s.request('POST', '/auth/launch', { patient: 'p-other' }, { authorization: `Bearer ${staff}` });
      expect(created.status).toBe(201);
      const launch = (created.body as unknown as { launch: string }).launch;
      const { code, verifier } = await codeFor('doc', { launch, scope: 'launch user/*.rs patient/*.rs' });
      expect((await exchange(code, verifier)).json()).toMatchObject({ patient: 'p-other' });
      // A patient cannot create launches; nobody can without a token; unknown launch ids are refused.
      expect((await s.request('POST', '/auth/launch', { patient: 'p-maria' }, { authorization: `Bearer ${await s.token({ role: 'patient', patientId: 'p-maria' })}` })).status).toBe(403);
      expect((await s.request('POST', '/auth/launch', { patient: 'p-maria' }, { authorization: '' })).status).toBe(401);
      const unknown = await inject({ method: 'GET', url: `/auth/authorize?${authorizeQuery({ code_challenge: pkce().challenge, launch: randomUUID() })}` });
      expect(new URL(unknown.headers.location as string).searchParams.get('error')).toBe('invalid_request');
    });
  });

  describe('SMART Backend Services (client_credentials + private_key_jwt)', () => {
    let privateKey: CryptoKey;
    let otherKey: CryptoKey;
    const tokenUrl = `${ROOT}/auth/token`;
    beforeAll(async () => {
      const pair = await generateKeyPair('RS384');
      privateKey = pair.privateKey;
      otherKey = (await generateKeyPair('RS384')).privateKey;
      const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'bk-1', alg: 'RS384' };
      await s.flaura.accounts.clients.register({ clientId: 'lab-system', name: 'Lab interface', type: 'backend', jwks: { keys: [jwk] }, scope: 'system/Observation.cruds system/Patient.rs' });
    });
    const assertion = (over: { aud?: string; exp?: number; jti?: string; key?: CryptoKey; iss?: string } = {}) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'RS384', kid: 'bk-1', typ: 'JWT' })
        .setIssuer(over.iss ?? 'lab-system')
        .setSubject(over.iss ?? 'lab-system')
        .setAudience(over.aud ?? tokenUrl)
        .setExpirationTime(over.exp ?? Math.floor(Date.now() / 1000) + 240)
        .setJti(over.jti ?? randomUUID())
        .sign(over.key ?? privateKey);
    const backendToken = async (jwt: string, scope = 'system/Observation.rs system/Patient.rs') =>
      token({ grant_type: 'client_credentials', scope, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: jwt });

    it('a signed assertion gets a short-lived system token limited to the registered scopes', async () => {
      const res = await backendToken(await assertion(), 'system/Observation.rs system/Patient.cruds system/Condition.rs');
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.expires_in).toBeLessThanOrEqual(300);
      expect(body.scope).toBe('system/Observation.rs system/Patient.rs');
      expect(body.refresh_token).toBeUndefined();
      const read = await readWith(body.access_token);
      expect(read.status).toBe(200);
    });

    it('bad assertions are invalid_client: wrong audience, expired, too long-lived, reused jti, unknown key or client', async () => {
      const jti = randomUUID();
      expect((await backendToken(await assertion({ jti }))).statusCode).toBe(200);
      const cases: [string, string][] = [
        ['reused jti', await assertion({ jti })],
        ['wrong aud', await assertion({ aud: 'https://other.example/token' })],
        ['expired', await assertion({ exp: Math.floor(Date.now() / 1000) - 60 })],
        ['too long-lived', await assertion({ exp: Math.floor(Date.now() / 1000) + 3600 })],
        ['other key', await assertion({ key: otherKey })],
        ['unknown client', await assertion({ iss: 'nobody' })],
      ];
      for (const [what, jwt] of cases) {
        const res = await backendToken(jwt);
        expect(res.statusCode, what).toBe(401);
        expect(res.json().error, what).toBe('invalid_client');
      }
      const wrongType = await token({ grant_type: 'client_credentials', scope: 'system/Patient.rs', client_assertion_type: 'password', client_assertion: await assertion() });
      expect(wrongType.json().error).toBe('invalid_client');
      expect((await backendToken(await assertion(), 'user/*.rs')).json().error).toBe('invalid_scope');
    });
  });

  describe('introspection and revocation', () => {
    it('introspects active, revoked and refresh tokens for an admin; refuses anonymous and patient callers', async () => {
      const admin = await s.token({ role: 'admin' });
      const { code, verifier } = await codeFor('maria');
      const t = (await exchange(code, verifier)).json();
      const introspect = (tok: string, auth = `Bearer ${admin}`) =>
        inject({ method: 'POST', url: '/auth/introspect', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth ? { authorization: auth } : {}) }, payload: new URLSearchParams({ token: tok }).toString() });
      const active = (await introspect(t.access_token)).json();
      expect(active).toMatchObject({ active: true, client_id: 'app', patient: 'p-maria', role: 'patient', scope: t.scope, iss: ROOT, aud: `${ROOT}/fhir` });
      expect((await introspect(t.refresh_token)).json()).toMatchObject({ active: true, token_type: 'refresh_token', client_id: 'app' });
      expect((await introspect('garbage')).json()).toEqual({ active: false });
      expect((await introspect(t.access_token, '')).statusCode).toBe(401);
      expect((await introspect(t.access_token, `Bearer ${await s.token({ role: 'patient', patientId: 'p-maria' })}`)).statusCode).toBe(403);

      const revoke = await inject({ method: 'POST', url: '/auth/revoke', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ token: t.access_token, client_id: 'app' }).toString() });
      expect(revoke.statusCode).toBe(200);
      expect((await introspect(t.access_token)).json()).toEqual({ active: false });
      expect((await readWith(t.access_token)).status).toBe(401);
      // Revoking the refresh token ends the grant.
      await inject({ method: 'POST', url: '/auth/revoke', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ token: t.refresh_token, client_id: 'app' }).toString() });
      expect((await introspect(t.refresh_token)).json()).toEqual({ active: false });
    });
  });

  describe('housekeeping', () => {
    it('purges expired codes, refresh tokens, revocations and assertion ids, and nothing still valid', async () => {
      const { code, verifier } = await codeFor('maria');
      const live = (await exchange(code, verifier)).json();
      const db = s.testDb.db;
      const past = new Date(Date.now() - 60_000);
      await db.query("INSERT INTO auth_code (code_hash, client_id, user_id, redirect_uri, scope, code_challenge, expires_at, family_id) VALUES ('old', 'app', 'u', 'r', 's', 'c', $1, 'f-old')", [past]);
      await db.query("INSERT INTO auth_refresh_token (token_hash, family_id, client_id, user_id, scope, expires_at) VALUES ('old', 'f-old', 'app', 'u', 's', $1)", [past]);
      await db.query("INSERT INTO auth_revoked_token (jti, expires_at) VALUES ('old', $1)", [past]);
      await db.query("INSERT INTO auth_assertion_jti (client_id, jti, expires_at) VALUES ('lab-system', 'old', $1)", [past]);
      const count = async (table: string, key: string) => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${key} = 'old'`)).rows[0]!.n);
      const tables: [string, string][] = [['auth_code', 'code_hash'], ['auth_refresh_token', 'token_hash'], ['auth_revoked_token', 'jti'], ['auth_assertion_jti', 'jti']];
      for (const [table, key] of tables) expect(await count(table, key), table).toBe(1);
      expect(await s.flaura.accounts.oauth.purgeExpired()).toBeGreaterThanOrEqual(4);
      for (const [table, key] of tables) expect(await count(table, key), table).toBe(0);
      expect((await readWith(live.access_token)).status).toBe(200);
      expect((await token({ grant_type: 'refresh_token', refresh_token: live.refresh_token, client_id: 'app' })).statusCode).toBe(200);
    });
  });

  describe('discovery', () => {
    it('publishes the SMART configuration at the root and below the FHIR base, and in the CapabilityStatement', async () => {
      for (const url of ['/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration']) {
        const res = await s.request('GET', url, undefined, { authorization: '' });
        expect(res.status, url).toBe(200);
        expect(res.body).toMatchObject({ issuer: ROOT, token_endpoint: `${ROOT}/auth/token`, authorization_endpoint: `${ROOT}/auth/authorize`, code_challenge_methods_supported: ['S256'], jwks_uri: `${ROOT}/auth/jwks` });
        expect((res.body as unknown as { capabilities: string[] }).capabilities).toEqual(expect.arrayContaining(['launch-standalone', 'launch-ehr', 'client-confidential-asymmetric', 'permission-v2']));
      }
      const meta = await s.fhir('GET', 'metadata', undefined, { authorization: '' });
      const security = (meta.body as unknown as { rest: { security: { service: { coding: { code: string }[] }[]; extension: { url: string; extension: { url: string; valueUri: string }[] }[] } }[] }).rest[0]!.security;
      expect(security.service[0]!.coding[0]!.code).toBe('SMART-on-FHIR');
      expect(security.extension[0]!.extension).toEqual(expect.arrayContaining([{ url: 'token', valueUri: `${ROOT}/auth/token` }]));
      const jwks = (await s.request('GET', '/auth/jwks', undefined, { authorization: '' })).body as unknown as { keys: { kty: string; alg: string; d?: string }[] };
      expect(jwks.keys[0]).toMatchObject({ kty: 'EC', alg: 'ES256' });
      expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
    });
  });
});
