// The authentication service of one Flaura instance: signing keys, revocations, issuer/audience, and the two things
// the rest of the server needs from it: authenticate a request header, mint a token.
import type { Db } from '../../db/index.ts';
import type { KeyRing } from '../encryption/envelope.ts';
import type { Principal } from '../principal.ts';
import { authenticateHeader, mintAccessToken, type MintedToken, type MintOptions, type TokenAuthority } from './access-token.ts';
import { RevocationList } from './revocation.ts';
import { SigningKeys } from './signing-keys.ts';

export interface AuthSettings {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  signingKeyRotationDays: number;
}

export interface AuthService {
  authority: TokenAuthority;
  keys: SigningKeys;
  settings: AuthSettings;
  /** `Authorization` header → Principal; throws a 401 FlauraError (with `WWW-Authenticate`) otherwise. */
  authenticate(header: string | undefined, ip?: string): Promise<Principal>;
  mint(options: MintOptions): Promise<MintedToken>;
}

/** Id tokens live as long as access tokens; keys retire after that plus a margin for clock skew. */
const KEY_RETIREMENT_MARGIN_MS = 5 * 60_000;

export function createAuthService(
  db: Db,
  ring: KeyRing,
  settings: AuthSettings,
  urls: { root: () => string },
  now: () => Date = () => new Date(),
  options: { mirrorFile?: string } = {},
): AuthService {
  const keys = new SigningKeys(db, ring, {
    ...(options.mirrorFile ? { mirrorFile: options.mirrorFile } : {}),
    rotateAfterMs: settings.signingKeyRotationDays * 86_400_000,
    maxTokenLifetimeMs: settings.accessTokenTtlSeconds * 1000 + KEY_RETIREMENT_MARGIN_MS,
    now,
  });
  const authority: TokenAuthority = {
    db,
    keys,
    revocations: new RevocationList(db, 2000, now),
    issuer: urls.root,
    audience: () => `${urls.root()}/fhir`,
    accessTokenTtlSeconds: settings.accessTokenTtlSeconds,
    now,
  };
  return {
    authority,
    keys,
    settings,
    authenticate: (header, ip) => authenticateHeader(authority, header, ip),
    mint: (options) => mintAccessToken(authority, options),
  };
}
