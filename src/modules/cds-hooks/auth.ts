// Who calls a CDS service: an outside EHR with CDS Hooks' own scheme (CDS Hooks 2.0 §Trusting CDS Clients: a JWT
// signed ES384/RS384 with a key of the client's JWKS, `iss` registered, `aud` = the service URL exactly, `jti` used
// once, short `exp`), or Flaura's own apps and scripts with a Flaura access token whose scopes allow reading the
// patient's observations and medications.
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { Queryable } from '../../db/index.ts';
import { FlauraError } from '../../errors.ts';
import type { Principal } from '../../security/principal.ts';
import type { CdsConfig } from './config.ts';

export type CdsCaller = { kind: 'ehr'; iss: string; name: string; subject?: string } | { kind: 'flaura'; principal: Principal };

export interface CdsClient {
  iss: string;
  name: string;
  jwks?: JSONWebKeySet;
  jwksUrl?: string;
  tenant?: string;
}

const ALGORITHMS = ['ES384', 'RS384'];

function unauthorized(message: string): never {
  throw new FlauraError('CDS_UNAUTHORIZED', 401, message, { type: 'login', headers: { 'www-authenticate': 'Bearer' } });
}

function forbidden(message: string): never {
  throw new FlauraError('CDS_FORBIDDEN', 403, message, { type: 'forbidden' });
}

export async function findClient(db: Queryable, iss: string): Promise<CdsClient | undefined> {
  const { rows } = await db.query<{ iss: string; name: string; jwks: JSONWebKeySet | string | null; jwks_url: string | null; tenant: string | null }>('SELECT iss, name, jwks, jwks_url, tenant FROM cds_client WHERE iss = $1', [iss]);
  const r = rows[0];
  if (!r) return undefined;
  const jwks = typeof r.jwks === 'string' ? (JSON.parse(r.jwks) as JSONWebKeySet) : r.jwks;
  return { iss: r.iss, name: r.name, ...(jwks ? { jwks } : {}), ...(r.jwks_url ? { jwksUrl: r.jwks_url } : {}), ...(r.tenant ? { tenant: r.tenant } : {}) };
}

/** Registers (or replaces) a client; the JWKS is checked to hold at least one public ES384/RS384-capable key. */
export async function registerClient(db: Queryable, client: CdsClient): Promise<void> {
  if (!/^https?:\/\/\S+$/.test(client.iss) && !/^[\w.:-]{3,200}$/.test(client.iss)) throw new FlauraError('CDS_CLIENT_INVALID', 400, '`iss` must be the client\'s issuer URL or identifier');
  if (!client.name?.trim()) throw new FlauraError('CDS_CLIENT_INVALID', 400, '`name` is required');
  if (!client.jwks === !client.jwksUrl) throw new FlauraError('CDS_CLIENT_INVALID', 400, 'give exactly one of `jwks` (inline JWK Set) or `jwks_url`');
  if (client.jwksUrl && !/^https:\/\//.test(client.jwksUrl) && !/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\//.test(client.jwksUrl)) throw new FlauraError('CDS_CLIENT_INVALID', 400, '`jwks_url` must be https');
  if (client.jwks) {
    const keys = Array.isArray(client.jwks.keys) ? client.jwks.keys : [];
    if (keys.length === 0 || keys.some((k) => typeof k !== 'object' || (k.kty !== 'EC' && k.kty !== 'RSA'))) throw new FlauraError('CDS_CLIENT_INVALID', 400, '`jwks.keys` must hold EC (P-384) or RSA public keys');
    if (keys.some((k) => 'd' in k)) throw new FlauraError('CDS_CLIENT_INVALID', 400, '`jwks` holds a private key: register the public keys only');
  }
  await db.query(
    `INSERT INTO cds_client (iss, name, jwks, jwks_url, tenant) VALUES ($1, $2, $3::jsonb, $4, $5)
     ON CONFLICT (iss) DO UPDATE SET name = EXCLUDED.name, jwks = EXCLUDED.jwks, jwks_url = EXCLUDED.jwks_url, tenant = EXCLUDED.tenant`,
    [client.iss, client.name, client.jwks ? JSON.stringify(client.jwks) : null, client.jwksUrl ?? null, client.tenant ?? null],
  );
}

const remoteSets = new Map<string, JWTVerifyGetKey>();

function keySet(client: CdsClient): JWTVerifyGetKey {
  if (client.jwks) return createLocalJWKSet(client.jwks);
  const url = client.jwksUrl!;
  let set = remoteSets.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { timeoutDuration: 3000, cooldownDuration: 30_000 });
    remoteSets.set(url, set);
  }
  return set;
}

async function verifyClientJwt(db: Queryable, token: string, client: CdsClient, serviceUrl: string, config: CdsConfig): Promise<CdsCaller> {
  const header = decodeProtectedHeader(token);
  if (!header.alg || !ALGORITHMS.includes(header.alg)) unauthorized(`CDS client JWTs must be signed ES384 or RS384 (got ${header.alg ?? 'none'})`);
  let payload;
  try {
    ({ payload } = await jwtVerify(token, keySet(client), { algorithms: ALGORITHMS, issuer: client.iss, clockTolerance: config.clockSkewSeconds, requiredClaims: ['iss', 'aud', 'exp', 'iat', 'jti'] }));
  } catch (err) {
    unauthorized(`the CDS client JWT was not accepted: ${(err as Error).message}`);
  }
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (aud.length !== 1 || aud[0] !== serviceUrl) unauthorized(`the JWT audience must be exactly this service's URL (${serviceUrl})`);
  if (payload.exp! - payload.iat! > config.jwtMaxLifetimeSeconds) unauthorized(`the JWT lives longer than ${config.jwtMaxLifetimeSeconds} s (exp − iat): use a short-lived token per request`);
  if (client.tenant && payload.tenant !== client.tenant) unauthorized('the JWT `tenant` does not match the registered client');
  if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 255) unauthorized('the JWT needs a `jti`');
  // `jti` once: the primary key rejects a replay, even from a concurrent request.
  const { rows } = await db.query<{ jti: string }>('INSERT INTO cds_jti (iss, jti, expires_at) VALUES ($1, $2, to_timestamp($3)) ON CONFLICT DO NOTHING RETURNING jti', [client.iss, payload.jti, payload.exp! + config.clockSkewSeconds]);
  if (rows.length === 0) unauthorized('this JWT (jti) was already used: send a fresh token per request');
  if (Math.random() < 0.01) await db.query('DELETE FROM cds_jti WHERE expires_at < now()');
  return { kind: 'ehr', iss: client.iss, name: client.name, ...(typeof payload.sub === 'string' ? { subject: payload.sub } : {}) };
}

/**
 * Authenticates the `Authorization` header: a registered client's JWT (by its `iss`), else a Flaura access token.
 * `serviceUrl` is the URL the client called (the required audience of client JWTs).
 */
export async function authenticateCaller(db: Queryable, flaura: { authenticate(header: string | undefined): Promise<Principal> }, header: string | undefined, serviceUrl: string, config: CdsConfig): Promise<CdsCaller> {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m?.[1]) unauthorized('a Bearer token is required: a CDS client JWT (CDS Hooks 2.0) or a Flaura access token');
  const token = m[1];
  let iss: string | undefined;
  let typ: string | undefined;
  try {
    iss = decodeJwt(token).iss;
    typ = decodeProtectedHeader(token).typ;
  } catch {
    unauthorized('the bearer token is not a JWT');
  }
  // Flaura access tokens are typed `at+jwt` (RFC 9068); CDS client JWTs are plain `JWT`s, so the registry lookup is
  // skipped for Flaura's own tokens (a client JWT typed at+jwt is then checked, and refused, as a Flaura token).
  if (typ && /^(application\/)?at\+jwt$/i.test(typ)) return { kind: 'flaura', principal: await flaura.authenticate(header) };
  const client = iss ? await findClient(db, iss) : undefined;
  if (client) return verifyClientJwt(db, token, client, serviceUrl, config);
  return { kind: 'flaura', principal: await flaura.authenticate(header) };
}

function grants(principal: Principal, type: string): boolean {
  return principal.scopes.some((s) => (s.resourceType === '*' || s.resourceType === type) && (s.permissions.has('r') || s.permissions.has('s')));
}

/** A Flaura caller may ask about a patient when its scopes read observations and medications, within its patient context. */
export function checkPatientAccess(caller: CdsCaller, patientId: string): void {
  if (caller.kind === 'ehr') return;
  const p = caller.principal;
  if (!grants(p, 'Observation') || !(grants(p, 'MedicationRequest') || grants(p, 'MedicationStatement'))) {
    forbidden('the access token\'s scopes do not allow reading Observation and MedicationRequest, which decision support needs (e.g. user/Observation.rs user/MedicationRequest.rs)');
  }
  const patientOnly = p.role === 'patient' || p.scopes.every((s) => s.context === 'patient');
  if (patientOnly && p.patientId !== patientId) forbidden('this token is limited to another patient');
}

/** Only an administrator registers outside-EHR clients. */
export function checkAdmin(caller: CdsCaller): void {
  if (caller.kind !== 'flaura' || caller.principal.role !== 'admin') forbidden('registering CDS clients needs an administrator\'s Flaura token');
}
