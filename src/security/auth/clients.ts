// Registered OAuth clients: public apps (PKCE, exact redirect URIs), confidential apps (secret) and SMART Backend
// Services clients (a JWKS to check their signed assertions).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import type { Queryable } from '../../db/index.ts';
import { FlauraError } from '../../errors.ts';
import { parseScopes } from './scopes.ts';

export type ClientType = 'public' | 'confidential' | 'backend';

export interface OAuthClient {
  clientId: string;
  name: string;
  type: ClientType;
  redirectUris: string[];
  /** Upper bound of what the client may be granted. */
  scope: string;
  jwks?: JSONWebKeySet;
  secretHash?: string;
}

export interface NewClient {
  clientId: string;
  name: string;
  type: ClientType;
  redirectUris?: string[];
  scope: string;
  jwks?: JSONWebKeySet;
  /** Confidential clients only; stored as a SHA-256 hash (it is a random, high-entropy value). */
  secret?: string;
}

interface ClientRow {
  client_id: string;
  name: string;
  client_type: ClientType;
  redirect_uris: string[] | string;
  secret_hash: string | null;
  jwks: JSONWebKeySet | string | null;
  scope: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

function validate(client: NewClient): void {
  if (!/^[A-Za-z0-9._~-]{2,128}$/.test(client.clientId)) throw new FlauraError('INVALID_CLIENT', 400, 'client_id: 2-128 characters of A-Z a-z 0-9 . _ ~ -');
  parseScopes(client.scope);
  const uris = client.redirectUris ?? [];
  if (client.type !== 'backend' && uris.length === 0) throw new FlauraError('INVALID_CLIENT', 400, 'A public or confidential client needs at least one redirect URI');
  for (const u of uris) {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw new FlauraError('INVALID_CLIENT', 400, `Redirect URI '${u}' is not an absolute URL`);
    }
    if (url.hash) throw new FlauraError('INVALID_CLIENT', 400, `Redirect URI '${u}' must not have a fragment`);
  }
  if (client.type === 'backend' && !client.jwks?.keys?.length) throw new FlauraError('INVALID_CLIENT', 400, 'A backend-services client needs a JWKS with its public key(s)');
  if (client.type === 'confidential' && !client.secret) throw new FlauraError('INVALID_CLIENT', 400, 'A confidential client needs a secret');
}

export class ClientStore {
  constructor(private readonly db: Queryable) {}

  /** Registers (or, with `replace`, updates) a client. */
  async register(client: NewClient, options: { replace?: boolean } = {}): Promise<OAuthClient> {
    validate(client);
    const conflict = options.replace
      ? 'ON CONFLICT (client_id) DO UPDATE SET name = EXCLUDED.name, client_type = EXCLUDED.client_type, redirect_uris = EXCLUDED.redirect_uris, secret_hash = EXCLUDED.secret_hash, jwks = EXCLUDED.jwks, scope = EXCLUDED.scope'
      : 'ON CONFLICT (client_id) DO NOTHING';
    const res = await this.db.query(
      `INSERT INTO auth_client (client_id, name, client_type, redirect_uris, secret_hash, jwks, scope) VALUES ($1, $2, $3, $4, $5, $6, $7) ${conflict}`,
      [client.clientId, client.name, client.type, JSON.stringify(client.redirectUris ?? []), client.secret ? sha256(client.secret) : null, client.jwks ? JSON.stringify(client.jwks) : null, client.scope],
    );
    if (res.rowCount === 0) throw new FlauraError('CLIENT_EXISTS', 409, `Client '${client.clientId}' is already registered`);
    return (await this.get(client.clientId))!;
  }

  async get(clientId: string): Promise<OAuthClient | undefined> {
    const r = (await this.db.query<ClientRow>('SELECT * FROM auth_client WHERE client_id = $1', [clientId])).rows[0];
    if (!r) return undefined;
    return {
      clientId: r.client_id,
      name: r.name,
      type: r.client_type,
      redirectUris: json<string[]>(r.redirect_uris),
      scope: r.scope,
      ...(r.jwks ? { jwks: json<JSONWebKeySet>(r.jwks) } : {}),
      ...(r.secret_hash ? { secretHash: r.secret_hash } : {}),
    };
  }
}

/** Constant-time check of a confidential client's secret. */
export function secretMatches(client: OAuthClient, secret: string): boolean {
  if (!client.secretHash) return false;
  const a = Buffer.from(client.secretHash);
  const b = Buffer.from(sha256(secret));
  return a.length === b.length && timingSafeEqual(a, b);
}
