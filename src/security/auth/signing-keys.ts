// Token signing keys: ES256, generated on first start and rotated by age, stored in the database (so every node on one
// PostgreSQL signs and verifies with the same keys) with the private half sealed by the master key ring.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Db, Queryable } from '../../db/index.ts';
import { FlauraError } from '../../errors.ts';
import { decryptEnvelope, encryptEnvelope, envelopeKeyId, rewrapEnvelope, type KeyRing } from '../encryption/envelope.ts';

export const SIGNING_ALG = 'ES256';
// Any constant works; it serialises key creation between the nodes of one database.
const ROTATION_LOCK_KEY = 7_301_946;

export interface SigningKeyOptions {
  /** A new key is made when the newest is older than this. */
  rotateAfterMs: number;
  /** Longest lifetime of anything signed (access and id tokens): retired keys verify for this long after retiring. */
  maxTokenLifetimeMs: number;
  /** How often a node re-reads the key table (to see another node's rotation). */
  refreshIntervalMs?: number;
  /**
   * Embedded database only: a copy of the key rows (private keys still sealed) for `flaura token`, which cannot open
   * the database while the server owns it.
   */
  mirrorFile?: string;
  now?: () => Date;
}

interface LoadedKey {
  kid: string;
  publicJwk: JWK;
  publicKey: CryptoKey;
  createdAt: Date;
  retiredAt?: Date;
  /** Only loaded for the current key. */
  privateKey?: CryptoKey;
}

interface KeyRow {
  kid: string;
  public_jwk: JWK | string;
  private_sealed: string;
  created_at: Date | string;
  retired_at: Date | string | null;
}

/** Where an embedded server keeps the sealed copy of its keys for `flaura token`. */
export function signingKeyMirror(dataDir: string): string {
  return join(dataDir, 'keys', 'signing-keys.json');
}

const sealContext = (kid: string) => `auth_signing_key/${kid}`;

/** What signs and checks tokens: the database-backed key set, or the read-only mirror file (`flaura token`). */
export interface TokenSigner {
  signingKey(): Promise<{ kid: string; key: CryptoKey }>;
  verificationKey(kid: string): Promise<CryptoKey | undefined>;
}

export class SigningKeys implements TokenSigner {
  private keys = new Map<string, LoadedKey>();
  private current?: LoadedKey;
  private loadedAt = 0;
  private loading?: Promise<void>;
  private readonly now: () => Date;

  constructor(
    private readonly db: Db,
    private readonly ring: KeyRing,
    private readonly options: SigningKeyOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** The key to sign with (creating or rotating it when due). */
  async signingKey(): Promise<{ kid: string; key: CryptoKey }> {
    await this.refreshIfStale();
    if (!this.current || this.isDue(this.current)) {
      await this.rotate();
    }
    const cur = this.current!;
    if (!cur.privateKey) cur.privateKey = await this.loadPrivate(cur.kid);
    return { kid: cur.kid, key: cur.privateKey };
  }

  /** The public key for `kid`, if it may still verify tokens; re-reads the table once for an unknown kid. */
  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    await this.refreshIfStale();
    let key = this.keys.get(kid);
    if (!key && this.now().getTime() - this.loadedAt > 1000) {
      // Another node may have rotated just now; at most one re-read per second, so random kids cannot flood the db.
      await this.reload();
      key = this.keys.get(kid);
    }
    if (!key || !this.usable(key)) return undefined;
    return key.publicKey;
  }

  /** Published JWKS: the current key and those retired recently enough to still verify tokens. */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.signingKey();
    return { keys: [...this.keys.values()].filter((k) => this.usable(k)).map((k) => ({ ...k.publicJwk, kid: k.kid, alg: SIGNING_ALG, use: 'sig' })) };
  }

  /** Makes a new current key now (also what the age-based rotation calls). */
  async rotate(force = false): Promise<string> {
    const kid = await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [ROTATION_LOCK_KEY]);
      const newest = (await tx.query<{ kid: string; created_at: Date | string }>('SELECT kid, created_at FROM auth_signing_key WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1')).rows[0];
      const now = this.now();
      // Another node may have rotated while we waited for the lock.
      if (!force && newest && now.getTime() - new Date(newest.created_at).getTime() < this.options.rotateAfterMs) return newest.kid;
      const kid = `${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(6).toString('base64url')}`;
      const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
      const publicJwk = await exportJWK(publicKey);
      const sealed = encryptEnvelope(this.ring, Buffer.from(JSON.stringify(await exportJWK(privateKey))), sealContext(kid)).toString('base64');
      await tx.query('UPDATE auth_signing_key SET retired_at = $1 WHERE retired_at IS NULL', [now]);
      await tx.query('INSERT INTO auth_signing_key (kid, alg, public_jwk, private_sealed, created_at) VALUES ($1, $2, $3, $4, $5)', [kid, SIGNING_ALG, JSON.stringify(publicJwk), sealed, now]);
      // Keys that can no longer verify anything are deleted: their tokens have all expired.
      await tx.query('DELETE FROM auth_signing_key WHERE retired_at < $1', [new Date(now.getTime() - this.options.maxTokenLifetimeMs)]);
      return kid;
    });
    await this.reload();
    return kid;
  }

  private isDue(key: LoadedKey): boolean {
    return this.now().getTime() - key.createdAt.getTime() >= this.options.rotateAfterMs;
  }

  private usable(key: LoadedKey): boolean {
    return !key.retiredAt || this.now().getTime() - key.retiredAt.getTime() < this.options.maxTokenLifetimeMs;
  }

  private async refreshIfStale(): Promise<void> {
    if (this.loadedAt === 0 || this.now().getTime() - this.loadedAt > (this.options.refreshIntervalMs ?? 60_000)) await this.reload();
  }

  private async reload(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const rows = (await this.db.query<KeyRow>('SELECT kid, public_jwk, private_sealed, created_at, retired_at FROM auth_signing_key ORDER BY created_at')).rows;
        const next = new Map<string, LoadedKey>();
        for (const row of rows) {
          const known = this.keys.get(row.kid);
          const publicJwk = typeof row.public_jwk === 'string' ? (JSON.parse(row.public_jwk) as JWK) : row.public_jwk;
          next.set(row.kid, {
            kid: row.kid,
            publicJwk,
            publicKey: known?.publicKey ?? ((await importJWK(publicJwk, SIGNING_ALG)) as CryptoKey),
            createdAt: new Date(row.created_at),
            ...(row.retired_at ? { retiredAt: new Date(row.retired_at) } : {}),
            ...(known?.privateKey ? { privateKey: known.privateKey } : {}),
          });
        }
        this.keys = next;
        this.current = [...next.values()].filter((k) => !k.retiredAt).at(-1);
        this.loadedAt = this.now().getTime();
        if (this.options.mirrorFile) writeMirror(this.options.mirrorFile, rows);
      } finally {
        this.loading = undefined;
      }
    })();
    await this.loading;
  }

  private async loadPrivate(kid: string): Promise<CryptoKey> {
    const row = (await this.db.query<{ private_sealed: string }>('SELECT private_sealed FROM auth_signing_key WHERE kid = $1', [kid])).rows[0];
    if (!row) throw new FlauraError('SIGNING_KEY_MISSING', 500, `Signing key ${kid} disappeared from the database`);
    const jwk = JSON.parse(decryptEnvelope(this.ring, Buffer.from(row.private_sealed, 'base64'), sealContext(kid)).toString('utf8')) as JWK;
    return (await importJWK(jwk, SIGNING_ALG)) as CryptoKey;
  }
}

interface MirrorFile {
  keys: { kid: string; private_sealed: string; created_at: string; retired_at: string | null }[];
}

/** Rewrites the mirror file from the key table (after `flaura keys rotate` re-wrapped the private keys). */
export async function refreshSigningKeyMirror(db: Queryable, path: string): Promise<void> {
  writeMirror(path, (await db.query<KeyRow>('SELECT kid, public_jwk, private_sealed, created_at, retired_at FROM auth_signing_key ORDER BY created_at')).rows);
}

/** Re-wraps every sealed private key under the ring's primary master key; returns how many changed. */
export async function rewrapSigningKeys(db: Queryable, ring: KeyRing): Promise<number> {
  const rows = (await db.query<{ kid: string; private_sealed: string }>('SELECT kid, private_sealed FROM auth_signing_key')).rows;
  let changed = 0;
  for (const r of rows) {
    const sealed = Buffer.from(r.private_sealed, 'base64');
    if (envelopeKeyId(sealed) === ring.primary) continue;
    await db.query('UPDATE auth_signing_key SET private_sealed = $2 WHERE kid = $1', [r.kid, rewrapEnvelope(ring, sealed, sealContext(r.kid)).toString('base64')]);
    changed++;
  }
  return changed;
}

function writeMirror(path: string, rows: readonly KeyRow[]): void {
  const content = JSON.stringify({
    keys: rows.map((r) => ({ kid: r.kid, private_sealed: r.private_sealed, created_at: new Date(r.created_at).toISOString(), retired_at: r.retired_at ? new Date(r.retired_at).toISOString() : null })),
  } satisfies MirrorFile);
  try {
    if (readFileSync(path, 'utf8') === content) return;
  } catch {
    // not written yet
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(`${path}.tmp`, content, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

/** Signs with the current key of a mirror file (the server keeps it current); cannot rotate or verify. */
export class MirroredSigningKey implements TokenSigner {
  constructor(
    private readonly path: string,
    private readonly ring: KeyRing,
  ) {}

  async signingKey(): Promise<{ kid: string; key: CryptoKey }> {
    let file: MirrorFile;
    try {
      file = JSON.parse(readFileSync(this.path, 'utf8')) as MirrorFile;
    } catch {
      throw new FlauraError('SIGNING_KEY_MISSING', 500, `No signing keys in ${this.path}: start the server once so that it creates them`);
    }
    const current = file.keys.filter((k) => !k.retired_at).at(-1);
    if (!current) throw new FlauraError('SIGNING_KEY_MISSING', 500, `No current signing key in ${this.path}`);
    const jwk = JSON.parse(decryptEnvelope(this.ring, Buffer.from(current.private_sealed, 'base64'), sealContext(current.kid)).toString('utf8')) as JWK;
    return { kid: current.kid, key: (await importJWK(jwk, SIGNING_ALG)) as CryptoKey };
  }

  async verificationKey(): Promise<CryptoKey | undefined> {
    return undefined;
  }
}
