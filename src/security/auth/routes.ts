// The authorization server over HTTP: /auth/authorize (sign-in page), /auth/token, /auth/revoke, /auth/introspect,
// /auth/launch, /auth/jwks and the SMART discovery documents. OAuth endpoints answer OAuth JSON errors (RFC 6749 §5.2)
// so that stock clients understand them; everything else answers OperationOutcomes.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/index.ts';
import { FlauraError } from '../../errors.ts';
import { sendError } from '../../fhir/http/plugin.ts';
import type { ClientStore, OAuthClient } from './clients.ts';
import { renderErrorPage, renderLoginPage } from './login-page.ts';
import { OAuthError, parseScopesOrThrow, type ClientCredentials, type OAuthServer } from './oauth.ts';
import { grantedScope } from './scope-grant.ts';
import type { ParsedScopes } from './scopes.ts';
import type { AuthService } from './service.ts';
import type { UserStore } from './users.ts';
import type { AuditRecorder } from '../audit/trail.ts';

export const LAUNCH_TTL_MS = 5 * 60_000;
const CSRF_COOKIE = 'flaura_login_csrf';
const STAFF_LAUNCH_ROLES = new Set(['admin', 'clinician', 'nurse', 'pharmacist', 'lab', 'research']);

export interface AuthRoutesOptions {
  db: Db;
  auth: AuthService;
  oauth: OAuthServer;
  users: UserStore;
  clients: ClientStore;
  /** Server root URL (issuer); the FHIR base is `<root>/fhir`. */
  rootUrl(): string;
  patientExists(id: string): Promise<boolean>;
  now(): Date;
  /** Sign-in attempts (failed and successful) go to the audit trail. */
  audit?: AuditRecorder;
}

/** The SMART configuration (SMART App Launch 2.x §Conformance, `.well-known/smart-configuration`). */
export function smartConfiguration(root: string): Record<string, unknown> {
  return {
    issuer: root,
    jwks_uri: `${root}/auth/jwks`,
    authorization_endpoint: `${root}/auth/authorize`,
    token_endpoint: `${root}/auth/token`,
    revocation_endpoint: `${root}/auth/revoke`,
    introspection_endpoint: `${root}/auth/introspect`,
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384', 'RS256', 'ES256'],
    id_token_signing_alg_values_supported: ['ES256'],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: ['openid', 'fhirUser', 'launch', 'launch/patient', 'offline_access', 'online_access', 'patient/*.cruds', 'user/*.cruds', 'system/*.cruds', 'patient/*.rs', 'user/*.rs', 'system/*.rs'],
    capabilities: [
      'launch-ehr',
      'launch-standalone',
      'authorize-post',
      'client-public',
      'client-confidential-symmetric',
      'client-confidential-asymmetric',
      'context-ehr-patient',
      'context-standalone-patient',
      'context-banner',
      'permission-offline',
      'permission-online',
      'permission-patient',
      'permission-user',
      'permission-v1',
      'permission-v2',
      'sso-openid-connect',
    ],
  };
}

/** CapabilityStatement `rest.security` for SMART (the oauth-uris extension and the SMART-on-FHIR service code). */
export function capabilitySecurity(root: string) {
  return {
    cors: true,
    service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }], text: 'OAuth2 using SMART-on-FHIR profile' }],
    extension: [
      {
        url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
        extension: [
          { url: 'authorize', valueUri: `${root}/auth/authorize` },
          { url: 'token', valueUri: `${root}/auth/token` },
          { url: 'revoke', valueUri: `${root}/auth/revoke` },
          { url: 'introspect', valueUri: `${root}/auth/introspect` },
        ],
      },
    ],
    description: 'SMART App Launch 2.x: authorization code with PKCE (S256), refresh tokens, SMART Backend Services; bearer access tokens (JWT, ES256).',
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function cookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === name) return rest.join('=');
  }
  return undefined;
}

function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function isLoopback(host: string): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(host);
}

/** SMART `aud` must name this FHIR server; loopback aliases (localhost vs 127.0.0.1) count as the same in the demo. */
function audMatches(aud: string, fhirBase: string): boolean {
  if (aud.replace(/\/$/, '') === fhirBase) return true;
  try {
    const a = new URL(aud);
    const b = new URL(fhirBase);
    return isLoopback(a.hostname) && isLoopback(b.hostname) && a.port === b.port && a.protocol === b.protocol && a.pathname.replace(/\/$/, '') === b.pathname;
  } catch {
    return false;
  }
}

/** Client credentials from HTTP Basic (RFC 6749 §2.3.1, form-encoded parts) or the body. */
function clientCredentials(request: FastifyRequest, body: Record<string, unknown>): ClientCredentials {
  const header = request.headers.authorization;
  if (header?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      try {
        return { clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')), clientSecret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')) };
      } catch {
        throw new OAuthError('invalid_client', 'Malformed Basic credentials');
      }
    }
    throw new OAuthError('invalid_client', 'Malformed Basic credentials');
  }
  return { ...(str(body.client_id) ? { clientId: str(body.client_id) } : {}), ...(str(body.client_secret) ? { clientSecret: str(body.client_secret) } : {}) };
}

function sendOAuthError(reply: FastifyReply, err: OAuthError): FastifyReply {
  reply.code(err.status).header('cache-control', 'no-store').header('pragma', 'no-cache');
  if (err.status === 401) reply.header('www-authenticate', 'Basic realm="flaura"');
  return reply.type('application/json').send({ error: err.error, error_description: err.message });
}

interface ValidRequest {
  client: OAuthClient;
  params: Record<string, string>;
  scopes: ParsedScopes;
  launch?: { patientId?: string; encounterId?: string };
}

const OAUTH_PARAMS = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'aud', 'launch', 'nonce'] as const;

export async function authRoutes(app: FastifyInstance, o: AuthRoutesOptions): Promise<void> {
  await app.register(formbody);
  app.setErrorHandler((err, request, reply) => (err instanceof OAuthError ? sendOAuthError(reply, err) : sendError(request, reply, err)));
  const fhirBase = () => `${o.rootUrl()}/fhir`;

  /** Checks an authorization request. Returns a page error (no redirect) or a redirect error, or the valid request. */
  async function checkRequest(input: Record<string, unknown>): Promise<ValidRequest | { page: string } | { redirect: string }> {
    const params: Record<string, string> = {};
    for (const k of OAUTH_PARAMS) {
      const v = str(input[k]);
      if (v !== undefined) params[k] = v;
    }
    const client = params.client_id ? await o.clients.get(params.client_id) : undefined;
    if (!client || client.type === 'backend') return { page: 'This application is not registered with Flaura (unknown client_id).' };
    // Exact match only (RFC 9700 §4.1.3): no prefix or wildcard matching.
    if (!params.redirect_uri || !client.redirectUris.includes(params.redirect_uri)) return { page: 'The redirect_uri is not one registered for this application.' };
    const back = (error: string, description: string) => {
      const url = new URL(params.redirect_uri!);
      url.searchParams.set('error', error);
      url.searchParams.set('error_description', description);
      if (params.state) url.searchParams.set('state', params.state);
      url.searchParams.set('iss', o.rootUrl());
      return { redirect: url.href };
    };
    if (params.response_type !== 'code') return back('unsupported_response_type', 'response_type must be code');
    if (!params.code_challenge || params.code_challenge_method !== 'S256') return back('invalid_request', 'PKCE is required: send code_challenge with code_challenge_method=S256');
    if (!/^[A-Za-z0-9_-]{43}$/.test(params.code_challenge)) return back('invalid_request', 'code_challenge must be a base64url SHA-256 (43 characters)');
    if (params.aud && !audMatches(params.aud, fhirBase())) return back('invalid_request', `aud must be this FHIR server (${fhirBase()})`);
    let scopes: ParsedScopes;
    try {
      scopes = parseScopesOrThrow(params.scope ?? '');
    } catch (err) {
      return back('invalid_scope', (err as Error).message);
    }
    let launch: ValidRequest['launch'];
    if (params.launch) {
      const row = (await o.db.query<{ patient_id: string | null; encounter_id: string | null; expires_at: Date | string }>('SELECT patient_id, encounter_id, expires_at FROM auth_launch WHERE id = $1', [params.launch])).rows[0];
      if (!row || new Date(row.expires_at) <= o.now()) return back('invalid_request', 'The launch parameter is unknown or has expired');
      launch = { ...(row.patient_id ? { patientId: row.patient_id } : {}), ...(row.encounter_id ? { encounterId: row.encounter_id } : {}) };
    }
    return { client, params, scopes, ...(launch ? { launch } : {}) };
  }

  function loginPage(reply: FastifyReply, request: FastifyRequest, valid: ValidRequest, extra: { error?: string; username?: string; patient?: string; status?: number } = {}) {
    const csrf = randomBytes(24).toString('base64url');
    const secure = request.protocol === 'https' ? '; Secure' : '';
    return reply
      .code(extra.status ?? 200)
      .header('set-cookie', `${CSRF_COOKIE}=${csrf}; Path=/auth; HttpOnly; SameSite=Lax; Max-Age=1800${secure}`)
      .header('cache-control', 'no-store')
      .header('x-frame-options', 'DENY')
      .type('text/html; charset=utf-8')
      .send(
        renderLoginPage({
          hidden: valid.params,
          clientName: valid.client.name,
          csrf,
          askPatient: valid.scopes.launchPatient && !valid.launch,
          ...(extra.error ? { error: extra.error } : {}),
          ...(extra.username ? { username: extra.username } : {}),
          ...(extra.patient ? { patient: extra.patient } : {}),
        }),
      );
  }

  function answer(reply: FastifyReply, checked: { page: string } | { redirect: string }) {
    if ('page' in checked) return reply.code(400).type('text/html; charset=utf-8').send(renderErrorPage('Cannot sign in', checked.page));
    return reply.redirect(checked.redirect, 303);
  }

  app.get('/auth/authorize', async (request, reply) => {
    const checked = await checkRequest(request.query as Record<string, unknown>);
    if (!('client' in checked)) return answer(reply, checked);
    return loginPage(reply, request, checked, { ...(str((request.query as Record<string, unknown>).patient) ? { patient: str((request.query as Record<string, unknown>).patient) } : {}) });
  });

  app.post('/auth/authorize', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const checked = await checkRequest(body);
    if (!('client' in checked)) return answer(reply, checked);
    const username = str(body.username)?.trim().toLowerCase();
    const pickedPatient = str(body.patient)?.trim();
    if (!sameSecret(cookie(request, CSRF_COOKIE), str(body.csrf))) {
      return loginPage(reply, request, checked, { error: 'Your sign-in form expired. Please try again.', status: 400, ...(username ? { username } : {}) });
    }
    const result = await o.users.login(username ?? '', str(body.password) ?? '');
    if ('failure' in result) {
      request.log.info({ username, failure: result.failure }, 'sign-in failed');
      o.audit?.record({ action: 'E', subtype: 'login', status: 401, detail: `sign-in failed: ${result.failure}`, ip: request.ip, ...(username ? { username: username } : {}), requestId: request.id });
      // One message for every failure: the page must not reveal which usernames exist.
      return loginPage(reply, request, checked, {
        error: 'Sign-in failed: wrong username or password, or the account is locked after repeated failures (try again in 15 minutes).',
        status: 401,
        ...(username ? { username } : {}),
      });
    }
    const user = result.user;
    o.audit?.record({ action: 'E', subtype: 'login', status: 200, username: user.username, ip: request.ip, requestId: request.id });
    let patientId: string | undefined;
    let encounterId: string | undefined;
    if (checked.launch) {
      patientId = checked.launch.patientId;
      encounterId = checked.launch.encounterId;
      if (user.role === 'patient' && patientId !== user.patientId) return answer(reply, redirectError(checked, 'access_denied', 'This launch is for another patient'));
    } else if (user.role === 'patient') {
      patientId = user.patientId;
    } else if (checked.scopes.launchPatient && pickedPatient) {
      if (!/^[A-Za-z0-9\-.]{1,64}$/.test(pickedPatient) || !(await o.patientExists(pickedPatient))) {
        return loginPage(reply, request, checked, { error: `No patient with id '${pickedPatient}'. Leave the field empty to continue without one.`, status: 400, username: user.username, patient: pickedPatient });
      }
      patientId = pickedPatient;
    }
    const scope = grantedScope(checked.scopes, checked.client, { role: user.role, hasPatient: patientId !== undefined });
    if (!/(^| )(patient|user)\//.test(scope)) return answer(reply, redirectError(checked, 'invalid_scope', 'None of the requested resource scopes can be granted to this user'));
    const code = await o.oauth.issueCode({
      client: checked.client,
      user,
      redirectUri: checked.params.redirect_uri!,
      scope,
      codeChallenge: checked.params.code_challenge!,
      ...(patientId ? { patientId } : {}),
      ...(encounterId ? { encounterId } : {}),
      ...(checked.params.nonce ? { nonce: checked.params.nonce } : {}),
    });
    const url = new URL(checked.params.redirect_uri!);
    url.searchParams.set('code', code);
    if (checked.params.state) url.searchParams.set('state', checked.params.state);
    url.searchParams.set('iss', o.rootUrl());
    return reply.header('set-cookie', `${CSRF_COOKIE}=; Path=/auth; HttpOnly; SameSite=Lax; Max-Age=0`).redirect(url.href, 303);
  });

  function redirectError(valid: ValidRequest, error: string, description: string): { redirect: string } {
    const url = new URL(valid.params.redirect_uri!);
    url.searchParams.set('error', error);
    url.searchParams.set('error_description', description);
    if (valid.params.state) url.searchParams.set('state', valid.params.state);
    url.searchParams.set('iss', o.rootUrl());
    return { redirect: url.href };
  }

  app.post('/auth/token', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const grantType = str(body.grant_type);
    let result;
    if (grantType === 'authorization_code') {
      result = await o.oauth.exchangeCode(clientCredentials(request, body), { code: str(body.code), redirectUri: str(body.redirect_uri), codeVerifier: str(body.code_verifier) });
    } else if (grantType === 'refresh_token') {
      result = await o.oauth.refresh(clientCredentials(request, body), { refreshToken: str(body.refresh_token), scope: str(body.scope) });
    } else if (grantType === 'client_credentials') {
      result = await o.oauth.clientCredentials({ clientAssertionType: str(body.client_assertion_type), clientAssertion: str(body.client_assertion), scope: str(body.scope) });
    } else {
      throw new OAuthError('unsupported_grant_type', 'grant_type must be authorization_code, refresh_token or client_credentials');
    }
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(result);
  });

  app.post('/auth/revoke', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    await o.oauth.revoke(clientCredentials(request, body), str(body.token));
    return reply.code(200).header('cache-control', 'no-store').send({});
  });

  // RFC 7662 §2.1: the caller must be authorized: an admin or backend-services (system) token, or a confidential client.
  app.post('/auth/introspect', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const header = request.headers.authorization;
    if (header?.toLowerCase().startsWith('bearer ')) {
      const caller = await o.auth.authenticate(header, request.ip);
      if (caller.role !== 'admin' && caller.role !== 'system') throw new FlauraError('FORBIDDEN', 403, 'Introspection needs an admin or backend-services token');
    } else {
      const creds = clientCredentials(request, body);
      if (!creds.clientSecret) throw new OAuthError('invalid_client', 'Introspection needs client authentication or a bearer token');
      await o.oauth.authenticateClient(creds, false);
    }
    return reply.header('cache-control', 'no-store').send(await o.oauth.introspect(str(body.token)));
  });

  // EHR launch: staff ask for a launch id that carries the patient (and encounter) into an app's authorization.
  app.post('/auth/launch', async (request, reply) => {
    const caller = await o.auth.authenticate(request.headers.authorization, request.ip);
    if (!STAFF_LAUNCH_ROLES.has(caller.role)) throw new FlauraError('FORBIDDEN', 403, 'Only staff can create an EHR launch context');
    const body = (request.body ?? {}) as Record<string, unknown>;
    const patient = str(body.patient);
    const encounter = str(body.encounter);
    if (!patient || !/^[A-Za-z0-9\-.]{1,64}$/.test(patient)) throw new FlauraError('LAUNCH_INVALID', 400, 'patient (a Patient id) is required');
    if (encounter && !/^[A-Za-z0-9\-.]{1,64}$/.test(encounter)) throw new FlauraError('LAUNCH_INVALID', 400, 'encounter must be an Encounter id');
    if (!(await o.patientExists(patient))) throw new FlauraError('LAUNCH_INVALID', 400, `No patient with id '${patient}'`);
    const id = randomUUID();
    await o.db.query('INSERT INTO auth_launch (id, patient_id, encounter_id, created_by, expires_at) VALUES ($1, $2, $3, $4, $5)', [id, patient, encounter ?? null, caller.subject, new Date(o.now().getTime() + LAUNCH_TTL_MS)]);
    await o.db.query('DELETE FROM auth_launch WHERE expires_at < $1', [o.now()]);
    return reply.code(201).send({ launch: id, iss: fhirBase(), expires_in: LAUNCH_TTL_MS / 1000 });
  });

  app.get('/auth/jwks', async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(await o.auth.keys.jwks()));

  const discovery = async (_request: FastifyRequest, reply: FastifyReply) => reply.header('cache-control', 'public, max-age=300').send(smartConfiguration(o.rootUrl()));
  app.get('/.well-known/smart-configuration', discovery);
  app.get('/fhir/.well-known/smart-configuration', discovery);
}
