// The OAuth 2.0 / SMART grants without HTTP: authorization codes (PKCE S256 only), refresh tokens (rotated; a reused
// one revokes its whole family), client credentials with private_key_jwt (SMART Backend Services), introspection and
// revocation. Codes and refresh tokens are random and stored only as SHA-256 hashes.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import type { Db, Queryable } from '../../db/index.ts';
import type { Role } from '../principal.ts';
import { verifyAccessToken, type MintedToken } from './access-token.ts';
import { secretMatches, type ClientStore, type OAuthClient } from './clients.ts';
import { grantedScope, isSubScope } from './scope-grant.ts';
import { parseScopes } from './scopes.ts';
import type { AuthService } from './service.ts';
import { SIGNING_ALG } from './signing-keys.ts';
import type { User, UserStore } from './users.ts';

export const CODE_TTL_MS = 60_000;
/** SMART Backend Services: access tokens for backend clients live at most five minutes. */
export const BACKEND_TOKEN_TTL_SECONDS = 300;
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ASSERTION_ALGS = ['RS384', 'ES384', 'RS256', 'ES256'];

/** An OAuth error (RFC 6749 §5.2): rendered as `{ error, error_description }`, not as an OperationOutcome. */
export class OAuthError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope' | 'access_denied' | 'unsupported_response_type' | 'server_error',
    message: string,
    readonly status = error === 'invalid_client' ? 401 : 400,
  ) {
    super(message);
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
const randomToken = () => randomBytes(32).toString('base64url');

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
  patient?: string;
  encounter?: string;
  fhirUser?: string;
  need_patient_banner?: boolean;
}

export interface CodeGrant {
  client: OAuthClient;
  user: User;
  redirectUri: string;
  scope: string;
  codeChallenge: string;
  patientId?: string;
  encounterId?: string;
  nonce?: string;
}

/** Credentials a client presented at the token, revocation or introspection endpoint. */
export interface ClientCredentials {
  clientId?: string;
  clientSecret?: string;
}

interface CodeRow {
  client_id: string;
  user_id: string;
  redirect_uri: string;
  scope: string;
  code_challenge: string;
  patient_id: string | null;
  encounter_id: string | null;
  nonce: string | null;
  expires_at: Date | string;
  used_at: Date | string | null;
  family_id: string;
}

interface RefreshRow {
  family_id: string;
  client_id: string;
  user_id: string;
  scope: string;
  patient_id: string | null;
  encounter_id: string | null;
  expires_at: Date | string;
  used_at: Date | string | null;
  revoked_at: Date | string | null;
}

export interface OAuthDeps {
  db: Db;
  auth: AuthService;
  users: UserStore;
  clients: ClientStore;
  /** Absolute URL of the token endpoint (the `aud` of client assertions). */
  tokenEndpoint(): string;
  now(): Date;
}

/** How often expired codes, refresh tokens, token records, revocations and assertion ids are deleted. */
export const PURGE_INTERVAL_MS = 10 * 60_000;

export class OAuthServer {
  private lastPurge = 0;

  constructor(private readonly deps: OAuthDeps) {}

  /** Deletes grant records nobody can use any more (tables would otherwise only grow); returns rows deleted. */
  async purgeExpired(): Promise<number> {
    const now = this.now;
    this.lastPurge = now.getTime();
    let n = 0;
    for (const sql of [
      'DELETE FROM auth_code WHERE expires_at < $1',
      'DELETE FROM auth_refresh_token WHERE expires_at < $1',
      'DELETE FROM auth_issued_token WHERE expires_at < $1',
      'DELETE FROM auth_revoked_token WHERE expires_at < $1',
      'DELETE FROM auth_assertion_jti WHERE expires_at < $1',
      'DELETE FROM auth_launch WHERE expires_at < $1',
    ]) {
      n += (await this.deps.db.query(sql, [now])).rowCount;
    }
    return n;
  }

  private async purgeIfDue(): Promise<void> {
    if (this.now.getTime() - this.lastPurge >= PURGE_INTERVAL_MS) await this.purgeExpired();
  }

  private get now(): Date {
    return this.deps.now();
  }

  /** Stores a single-use authorization code (60 s) and returns it. */
  async issueCode(grant: CodeGrant): Promise<string> {
    await this.purgeIfDue();
    const code = randomToken();
    await this.deps.db.query(
      `INSERT INTO auth_code (code_hash, client_id, user_id, redirect_uri, scope, code_challenge, patient_id, encounter_id, nonce, expires_at, family_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [sha256(code), grant.client.clientId, grant.user.id, grant.redirectUri, grant.scope, grant.codeChallenge, grant.patientId ?? null, grant.encounterId ?? null, grant.nonce ?? null, new Date(this.now.getTime() + CODE_TTL_MS), randomUUID()],
    );
    return code;
  }

  /** Authenticates the client of a token/revoke/introspect request (public: id only; confidential: secret). */
  async authenticateClient(creds: ClientCredentials, allowPublic = true): Promise<OAuthClient> {
    if (!creds.clientId) throw new OAuthError('invalid_client', 'client_id is required');
    const client = await this.deps.clients.get(creds.clientId);
    if (!client) throw new OAuthError('invalid_client', 'Unknown client');
    if (client.type === 'confidential') {
      if (!creds.clientSecret || !secretMatches(client, creds.clientSecret)) throw new OAuthError('invalid_client', 'Client authentication failed');
    } else if (client.type === 'public') {
      if (!allowPublic) throw new OAuthError('unauthorized_client', 'A public client cannot use this grant');
    } else {
      throw new OAuthError('unauthorized_client', 'A backend-services client authenticates with a signed client assertion (client_credentials grant)');
    }
    return client;
  }

  async exchangeCode(creds: ClientCredentials, params: { code?: string; redirectUri?: string; codeVerifier?: string }): Promise<TokenResponse> {
    const client = await this.authenticateClient(creds);
    if (!params.code) throw new OAuthError('invalid_request', 'code is required');
    if (!params.codeVerifier) throw new OAuthError('invalid_grant', 'code_verifier is required (PKCE)');
    const { db } = this.deps;
    // Single statement: of two concurrent exchanges exactly one claims the code. A failed check below still burns it.
    const used = (await db.query<CodeRow>('UPDATE auth_code SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL RETURNING *', [sha256(params.code), this.now])).rows[0];
    if (!used) {
      const replay = (await db.query<CodeRow>('SELECT * FROM auth_code WHERE code_hash = $1', [sha256(params.code)])).rows[0];
      // RFC 6749 §4.1.2: a code used twice revokes what was issued for it (the first use may have been an attacker).
      if (replay) await db.transaction((tx) => this.revokeFamily(tx, replay.family_id));
      throw new OAuthError('invalid_grant', replay ? 'The authorization code was already used; tokens issued for it are revoked' : 'Unknown authorization code');
    }
    if (used.client_id !== client.clientId) throw new OAuthError('invalid_grant', 'The code was issued to another client');
    if (new Date(used.expires_at) <= this.now) throw new OAuthError('invalid_grant', 'The authorization code has expired');
    if (used.redirect_uri !== params.redirectUri) throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
    if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(params.codeVerifier)) throw new OAuthError('invalid_grant', 'code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~');
    if (sha256(params.codeVerifier) !== used.code_challenge) throw new OAuthError('invalid_grant', 'PKCE verification failed: code_verifier does not match code_challenge');
    const user = await this.activeUser(used.user_id);
    return db.transaction((tx) =>
      this.issueTokens(tx, { client, user, scope: used.scope, familyId: used.family_id, patientId: used.patient_id ?? undefined, encounterId: used.encounter_id ?? undefined, nonce: used.nonce ?? undefined }),
    );
  }

  async refresh(creds: ClientCredentials, params: { refreshToken?: string; scope?: string }): Promise<TokenResponse> {
    const client = await this.authenticateClient(creds);
    if (!params.refreshToken) throw new OAuthError('invalid_request', 'refresh_token is required');
    const hashed = sha256(params.refreshToken);
    // Reuse detection outcome is committed even though the request fails, so it runs outside the issuing transaction.
    const row = (await this.deps.db.query<RefreshRow>('SELECT * FROM auth_refresh_token WHERE token_hash = $1', [hashed])).rows[0];
    if (!row || row.client_id !== client.clientId) throw new OAuthError('invalid_grant', 'Unknown refresh token');
    if (row.used_at || row.revoked_at) {
      await this.deps.db.transaction((tx) => this.revokeFamily(tx, row.family_id));
      throw new OAuthError('invalid_grant', 'The refresh token was already used or revoked; the whole grant is now revoked');
    }
    if (new Date(row.expires_at) <= this.now) throw new OAuthError('invalid_grant', 'The refresh token has expired');
    if (params.scope && !isSubScope(params.scope, row.scope)) throw new OAuthError('invalid_scope', 'A refresh may only narrow the original scope');
    const user = await this.activeUser(row.user_id);
    const result = await this.deps.db.transaction(async (tx) => {
      const claimed = await tx.query('UPDATE auth_refresh_token SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL', [hashed, this.now]);
      if (claimed.rowCount === 0) return undefined; // a concurrent use won the race: treat as reuse
      return this.issueTokens(tx, { client, user, scope: params.scope ?? row.scope, familyId: row.family_id, patientId: row.patient_id ?? undefined, encounterId: row.encounter_id ?? undefined, forceRefresh: true });
    });
    if (!result) {
      await this.deps.db.transaction((tx) => this.revokeFamily(tx, row.family_id));
      throw new OAuthError('invalid_grant', 'The refresh token was used twice at once; the whole grant is now revoked');
    }
    return result;
  }

  /** SMART Backend Services: client_credentials with a private_key_jwt assertion signed by a key in the client's JWKS. */
  async clientCredentials(params: { clientAssertionType?: string; clientAssertion?: string; scope?: string }): Promise<TokenResponse> {
    if (params.clientAssertionType !== ASSERTION_TYPE) throw new OAuthError('invalid_client', `client_assertion_type must be ${ASSERTION_TYPE}`);
    if (!params.clientAssertion) throw new OAuthError('invalid_client', 'client_assertion is required');
    let clientId: string | undefined;
    try {
      clientId = decodeJwt(params.clientAssertion).iss;
    } catch {
      throw new OAuthError('invalid_client', 'client_assertion is not a JWT');
    }
    const client = clientId ? await this.deps.clients.get(clientId) : undefined;
    if (!client || client.type !== 'backend' || !client.jwks) throw new OAuthError('invalid_client', 'Unknown backend-services client');
    let payload;
    try {
      ({ payload } = await jwtVerify(params.clientAssertion, createLocalJWKSet(client.jwks), {
        algorithms: ASSERTION_ALGS,
        issuer: client.clientId,
        subject: client.clientId,
        audience: this.deps.tokenEndpoint(),
        currentDate: this.now,
        requiredClaims: ['exp', 'jti'],
      }));
    } catch (err) {
      const why = err instanceof joseErrors.JWTExpired ? 'has expired' : err instanceof joseErrors.JWTClaimValidationFailed ? `has a bad '${err.claim}' claim` : 'does not verify with the registered keys';
      throw new OAuthError('invalid_client', `The client assertion ${why}`);
    }
    const exp = new Date(payload.exp! * 1000);
    if (exp.getTime() - this.now.getTime() > 5 * 60_000) throw new OAuthError('invalid_client', 'The client assertion must expire within five minutes');
    const fresh = await this.deps.db.query('INSERT INTO auth_assertion_jti (client_id, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [client.clientId, payload.jti, exp]);
    if (fresh.rowCount === 0) throw new OAuthError('invalid_client', 'The client assertion jti was already used');
    await this.purgeIfDue();
    if (!params.scope) throw new OAuthError('invalid_scope', 'scope is required (system/ scopes)');
    const scope = grantedScope(parseScopesOrThrow(params.scope), client, { role: 'system', hasPatient: false });
    if (!scope) throw new OAuthError('invalid_scope', 'None of the requested scopes is allowed for this client (backend services get system/ scopes)');
    const ttl = Math.min(BACKEND_TOKEN_TTL_SECONDS, this.deps.auth.settings.accessTokenTtlSeconds);
    const minted = await this.deps.auth.mint({ role: 'system', subject: `client:${client.clientId}`, clientId: client.clientId, scope, ttlSeconds: ttl });
    return { access_token: minted.accessToken, token_type: 'Bearer', expires_in: minted.expiresIn, scope: minted.scope };
  }

  /** RFC 7009: revokes an access token (by jti) or a refresh token (with its whole family). Unknown tokens are fine. */
  async revoke(creds: ClientCredentials, token: string | undefined): Promise<void> {
    const client = await this.authenticateClient(creds);
    if (!token) throw new OAuthError('invalid_request', 'token is required');
    const row = (await this.deps.db.query<RefreshRow>('SELECT * FROM auth_refresh_token WHERE token_hash = $1', [sha256(token)])).rows[0];
    if (row) {
      if (row.client_id === client.clientId) await this.deps.db.transaction((tx) => this.revokeFamily(tx, row.family_id));
      return;
    }
    try {
      const claims = await verifyAccessToken(this.deps.auth.authority, token);
      if (claims.client_id === client.clientId) await this.deps.auth.authority.revocations.revoke(claims.jti!, new Date(claims.exp! * 1000));
    } catch {
      // RFC 7009 §2.2: invalid tokens do not cause an error response.
    }
  }

  /** RFC 7662 introspection of an access or refresh token. */
  async introspect(token: string | undefined): Promise<Record<string, unknown>> {
    if (!token) throw new OAuthError('invalid_request', 'token is required');
    const row = (await this.deps.db.query<RefreshRow>('SELECT * FROM auth_refresh_token WHERE token_hash = $1', [sha256(token)])).rows[0];
    if (row) {
      const active = !row.used_at && !row.revoked_at && new Date(row.expires_at) > this.now;
      if (!active) return { active: false };
      const user = await this.deps.users.get(row.user_id);
      return { active: true, token_type: 'refresh_token', client_id: row.client_id, scope: row.scope, sub: `user:${row.user_id}`, exp: Math.floor(new Date(row.expires_at).getTime() / 1000), ...(user ? { role: user.role } : {}), ...(row.patient_id ? { patient: row.patient_id } : {}) };
    }
    try {
      const c = await verifyAccessToken(this.deps.auth.authority, token);
      return { active: true, token_type: 'Bearer', scope: c.scope, client_id: c.client_id, sub: c.sub, exp: c.exp, iat: c.iat, iss: c.iss, aud: c.aud, jti: c.jti, role: c.role, ...(c.patient ? { patient: c.patient } : {}), ...(c.fhirUser ? { fhirUser: c.fhirUser } : {}) };
    } catch {
      return { active: false };
    }
  }

  private async activeUser(id: string): Promise<User> {
    const user = await this.deps.users.get(id);
    if (!user || user.disabled) throw new OAuthError('invalid_grant', 'The user account is no longer active');
    return user;
  }

  private async revokeFamily(tx: Queryable, familyId: string): Promise<void> {
    await tx.query('UPDATE auth_refresh_token SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL', [familyId, this.now]);
    await this.deps.auth.authority.revocations.revokeFamily(familyId, tx);
  }

  private async issueTokens(
    tx: Queryable,
    g: { client: OAuthClient; user: User; scope: string; familyId: string; patientId?: string; encounterId?: string; nonce?: string; forceRefresh?: boolean },
  ): Promise<TokenResponse> {
    const parsed = parseScopes(g.scope);
    const fhirUser = g.user.fhirUser ?? (g.user.role === 'patient' && g.user.patientId ? `Patient/${g.user.patientId}` : undefined);
    const minted: MintedToken = await this.deps.auth.mint({
      role: g.user.role as Role,
      subject: `user:${g.user.id}`,
      clientId: g.client.clientId,
      scope: g.scope,
      familyId: g.familyId,
      tx,
      ...(g.patientId ? { patientId: g.patientId } : {}),
      ...(g.encounterId ? { encounterId: g.encounterId } : {}),
      ...(fhirUser ? { fhirUser } : {}),
    });
    const response: TokenResponse = { access_token: minted.accessToken, token_type: 'Bearer', expires_in: minted.expiresIn, scope: minted.scope };
    if (g.patientId) {
      response.patient = g.patientId;
      response.need_patient_banner = g.user.role !== 'patient';
    }
    if (g.encounterId) response.encounter = g.encounterId;
    if (fhirUser && parsed.fhirUser) response.fhirUser = fhirUser;
    if (parsed.offlineAccess || parsed.onlineAccess || g.forceRefresh) {
      const refresh = randomToken();
      await tx.query(
        `INSERT INTO auth_refresh_token (token_hash, family_id, client_id, user_id, scope, patient_id, encounter_id, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [sha256(refresh), g.familyId, g.client.clientId, g.user.id, g.scope, g.patientId ?? null, g.encounterId ?? null, new Date(this.now.getTime() + this.deps.auth.settings.refreshTokenTtlSeconds * 1000)],
      );
      response.refresh_token = refresh;
    }
    if (parsed.openid) response.id_token = await this.idToken(g.client, g.user, fhirUser && parsed.fhirUser ? fhirUser : undefined, g.nonce);
    return response;
  }

  /** OpenID Connect id_token (SMART: `fhirUser` claim when the fhirUser scope was granted). */
  private async idToken(client: OAuthClient, user: User, fhirUser: string | undefined, nonce: string | undefined): Promise<string> {
    const { kid, key } = await this.deps.auth.authority.keys.signingKey();
    const iat = Math.floor(this.now.getTime() / 1000);
    return new SignJWT({ ...(fhirUser ? { fhirUser } : {}), ...(nonce ? { nonce } : {}), preferred_username: user.username })
      .setProtectedHeader({ alg: SIGNING_ALG, typ: 'JWT', kid })
      .setIssuer(this.deps.auth.authority.issuer())
      .setAudience(client.clientId)
      .setSubject(`user:${user.id}`)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.deps.auth.settings.accessTokenTtlSeconds)
      .sign(key);
  }
}

export function parseScopesOrThrow(scope: string) {
  try {
    return parseScopes(scope);
  } catch (err) {
    throw new OAuthError('invalid_scope', (err as Error).message);
  }
}
