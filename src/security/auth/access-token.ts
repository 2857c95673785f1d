// Access tokens: JWTs (RFC 9068 `at+jwt`) signed with the current ES256 key; verification turns one into a Principal.
import { randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import type { Queryable } from '../../db/index.ts';
import { FlauraError } from '../../errors.ts';
import type { Principal, Role } from '../principal.ts';
import { parseScopes } from './scopes.ts';
import { SIGNING_ALG, type TokenSigner } from './signing-keys.ts';
import type { RevocationList } from './revocation.ts';

export const ROLES: readonly Role[] = ['admin', 'clinician', 'nurse', 'pharmacist', 'lab', 'patient', 'device', 'research', 'system'];
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** What signs and checks tokens for one server: its keys, issuer and audience (the FHIR base URL). */
export interface TokenAuthority {
  db: Queryable;
  keys: TokenSigner;
  revocations: RevocationList;
  /** The authorization server's issuer (server root URL). */
  issuer(): string;
  /** The FHIR base URL; tokens are accepted only with exactly this `aud`. */
  audience(): string;
  accessTokenTtlSeconds: number;
  now(): Date;
}

/** What minting needs (no database unless the token joins a code/refresh family). */
export type TokenMinter = Pick<TokenAuthority, 'keys' | 'issuer' | 'audience' | 'accessTokenTtlSeconds' | 'now'> & { db?: Queryable };

export interface MintOptions {
  role: Role;
  patientId?: string;
  fhirUser?: string;
  /** SMART scopes; default: everything the context allows (the access policy narrows by role). */
  scope?: string;
  clientId?: string;
  /** Default `operator:<role>` (a token minted by an operator, not a login). */
  subject?: string;
  encounterId?: string;
  ttlSeconds?: number;
  /** Code/refresh-token family: recorded so a detected replay revokes this token too. */
  familyId?: string;
  /** Where to record the token when `familyId` is set (inside the grant's transaction). */
  tx?: Queryable;
}

export interface MintedToken {
  accessToken: string;
  jti: string;
  expiresIn: number;
  expiresAt: Date;
  scope: string;
}

/** The scope an operator or test token gets when none is asked for. */
export function defaultScopeFor(role: Role): string {
  if (role === 'patient') return 'patient/*.cruds';
  if (role === 'system') return 'system/*.cruds';
  return 'user/*.cruds';
}

/** Signs an access token for this server (login flows, `flaura token`, tests). */
export async function mintAccessToken(authority: TokenMinter, options: MintOptions): Promise<MintedToken> {
  if (!ROLES.includes(options.role)) throw new FlauraError('INVALID_ROLE', 400, `Unknown role '${options.role}' (one of ${ROLES.join(', ')})`);
  if (options.role === 'patient' && !options.patientId) throw new FlauraError('INVALID_ROLE', 400, 'A patient token needs the Patient id it is linked to');
  const scope = options.scope ?? defaultScopeFor(options.role);
  parseScopes(scope); // refuse to sign a scope the verifier would reject
  const { kid, key } = await authority.keys.signingKey();
  const now = authority.now();
  const ttl = options.ttlSeconds ?? authority.accessTokenTtlSeconds;
  const jti = randomUUID();
  const claims: JWTPayload & Record<string, unknown> = {
    scope,
    role: options.role,
    ...(options.clientId ? { client_id: options.clientId } : {}),
    ...(options.patientId ? { patient: options.patientId } : {}),
    ...(options.fhirUser ? { fhirUser: options.fhirUser } : {}),
    ...(options.encounterId ? { encounter: options.encounterId } : {}),
  };
  const iat = Math.floor(now.getTime() / 1000);
  const accessToken = await new SignJWT(claims)
    .setProtectedHeader({ alg: SIGNING_ALG, typ: ACCESS_TOKEN_TYPE, kid })
    .setIssuer(authority.issuer())
    .setAudience(authority.audience())
    .setSubject(options.subject ?? `operator:${options.role}`)
    .setJti(jti)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + ttl)
    .sign(key);
  const expiresAt = new Date((iat + ttl) * 1000);
  if (options.familyId) {
    const q = options.tx ?? authority.db;
    if (!q) throw new FlauraError('TOKEN_FAMILY_NO_DB', 500, 'A token of a code/refresh family needs the database');
    await q.query(
      'INSERT INTO auth_issued_token (jti, family_id, client_id, subject, scope, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [jti, options.familyId, options.clientId ?? null, options.subject ?? `operator:${options.role}`, scope, expiresAt],
    );
  }
  return { accessToken, jti, expiresIn: ttl, expiresAt, scope };
}

const BEARER_CHALLENGE = 'Bearer realm="flaura"';

/** A 401 with the RFC 6750 challenge; `error` is set when a token was presented but is unusable. */
export function unauthorized(code: string, message: string, tokenError?: 'invalid_token' | 'invalid_request'): FlauraError {
  const challenge = tokenError ? `${BEARER_CHALLENGE}, error="${tokenError}", error_description="${message.replace(/["\\]/g, '')}"` : BEARER_CHALLENGE;
  return new FlauraError(code, 401, message, { type: 'login', headers: { 'www-authenticate': challenge } });
}

/** Checks signature, algorithm, type, issuer, exact audience, expiry and revocation; returns the verified claims. */
export async function verifyAccessToken(authority: TokenAuthority, token: string): Promise<JWTPayload & Record<string, unknown>> {
  let payload: JWTPayload & Record<string, unknown>;
  try {
    const result = await jwtVerify(
      token,
      async (header: ProtectedHeaderParameters) => {
        // jose already refuses algorithms outside `algorithms` (so `none` and HS*); a kid is required to pick a key.
        if (!header.kid) throw unauthorized('TOKEN_INVALID', 'The access token has no key id', 'invalid_token');
        const key = await authority.keys.verificationKey(header.kid);
        if (!key) throw unauthorized('TOKEN_INVALID', 'The access token was signed by an unknown or retired key', 'invalid_token');
        return key;
      },
      {
        algorithms: [SIGNING_ALG],
        typ: ACCESS_TOKEN_TYPE,
        issuer: authority.issuer(),
        audience: authority.audience(),
        currentDate: authority.now(),
        clockTolerance: 5,
        requiredClaims: ['exp', 'iat', 'jti', 'sub'],
      },
    );
    payload = result.payload as JWTPayload & Record<string, unknown>;
  } catch (err) {
    if (err instanceof FlauraError) throw err;
    throw tokenError(err);
  }
  if (await authority.revocations.isRevoked(payload.jti!)) throw unauthorized('TOKEN_REVOKED', 'The access token has been revoked', 'invalid_token');
  return payload;
}

function tokenError(err: unknown): FlauraError {
  if (err instanceof joseErrors.JWTExpired) return unauthorized('TOKEN_EXPIRED', 'The access token has expired', 'invalid_token');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    const claim = err.claim;
    if (claim === 'aud') return unauthorized('TOKEN_INVALID', 'The access token is for another audience (aud must be this FHIR base URL)', 'invalid_token');
    if (claim === 'iss') return unauthorized('TOKEN_INVALID', 'The access token was issued by another authorization server', 'invalid_token');
    if (claim === 'nbf') return unauthorized('TOKEN_INVALID', 'The access token is not valid yet', 'invalid_token');
    return unauthorized('TOKEN_INVALID', `The access token has a bad '${claim}' claim`, 'invalid_token');
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return unauthorized('TOKEN_INVALID', `The access token is not signed with ${SIGNING_ALG}`, 'invalid_token');
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return unauthorized('TOKEN_INVALID', 'The access token signature does not verify', 'invalid_token');
  return unauthorized('TOKEN_INVALID', 'The access token is malformed', 'invalid_token');
}

/** Verified claims → the Principal every later layer sees. */
export function principalFromClaims(claims: JWTPayload & Record<string, unknown>, ip?: string): Principal {
  const role = claims.role as Role;
  if (!ROLES.includes(role)) throw unauthorized('TOKEN_INVALID', 'The access token names no known role', 'invalid_token');
  const scope = typeof claims.scope === 'string' ? claims.scope : '';
  let grants;
  try {
    grants = parseScopes(scope).grants;
  } catch {
    throw unauthorized('TOKEN_INVALID', 'The access token carries an invalid scope', 'invalid_token');
  }
  const str = (k: string) => (typeof claims[k] === 'string' ? (claims[k] as string) : undefined);
  const patientId = str('patient');
  const fhirUser = str('fhirUser');
  const clientId = str('client_id');
  return {
    subject: claims.sub!,
    role,
    scopes: grants,
    scope,
    purposeOfUse: 'TREAT',
    tokenId: claims.jti!,
    ...(patientId ? { patientId } : {}),
    ...(fhirUser ? { fhirUser } : {}),
    ...(clientId ? { clientId } : {}),
    ...(ip ? { ip } : {}),
  };
}

/** `Authorization` header → Principal, or a 401 FlauraError with `WWW-Authenticate: Bearer`. */
export async function authenticateHeader(authority: TokenAuthority, header: string | undefined, ip?: string): Promise<Principal> {
  if (!header) throw unauthorized('UNAUTHORIZED', 'This endpoint needs an access token (Authorization: Bearer <token>)');
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header);
  if (!match) throw unauthorized('UNAUTHORIZED', 'The Authorization header must be "Bearer <access token>"', 'invalid_request');
  return principalFromClaims(await verifyAccessToken(authority, match[1]!), ip);
}
