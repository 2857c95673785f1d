// Master keys for encryption at rest: from FLAURA_MASTER_KEYS (env) or a key file in the data directory.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { FlauraError } from '../../errors.ts';
import type { KeyRing } from './envelope.ts';

/** On-disk and environment form: `{ "primary": "k2", "keys": { "k1": "<base64>", "k2": "<base64>" } }`. */
interface KeyFile {
  primary: string;
  keys: Record<string, string>;
}

function toRing(file: KeyFile, where: string): KeyRing {
  const keys = new Map<string, Buffer>();
  for (const [kid, b64] of Object.entries(file.keys ?? {})) {
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) throw new FlauraError('KEY_INVALID', 500, `Master key '${kid}' in ${where} must be 32 bytes of base64`);
    keys.set(kid, key);
  }
  if (!keys.has(file.primary)) throw new FlauraError('KEY_INVALID', 500, `The primary key '${file.primary}' is not defined in ${where}`);
  return { primary: file.primary, keys };
}

function fromRing(ring: KeyRing): KeyFile {
  return { primary: ring.primary, keys: Object.fromEntries([...ring.keys].map(([kid, key]) => [kid, key.toString('base64')])) };
}

function writeKeyFile(path: string, ring: KeyRing): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(fromRing(ring), null, 2), { mode: 0o600 });
  renameSync(tmp, path); // atomic: a crash never leaves a half-written key file
}

/**
 * Loads the key ring: `FLAURA_MASTER_KEYS` (JSON as above) wins; otherwise `keyFile`, created with one fresh key on
 * first start so the embedded default needs no set-up.
 */
export function loadKeyRing(keyFile: string, env: NodeJS.ProcessEnv = process.env): KeyRing {
  const fromEnv = env.FLAURA_MASTER_KEYS;
  if (fromEnv) {
    try {
      return toRing(JSON.parse(fromEnv) as KeyFile, 'FLAURA_MASTER_KEYS');
    } catch (err) {
      if (err instanceof FlauraError) throw err;
      throw new FlauraError('KEY_INVALID', 500, 'FLAURA_MASTER_KEYS is not valid JSON');
    }
  }
  if (existsSync(keyFile)) return toRing(JSON.parse(readFileSync(keyFile, 'utf8')) as KeyFile, keyFile);
  const kid = keyId(new Date());
  const ring: KeyRing = { primary: kid, keys: new Map([[kid, randomBytes(32)]]) };
  writeKeyFile(keyFile, ring);
  return ring;
}

function keyId(now: Date): string {
  return `k${now.toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}${randomBytes(2).toString('hex')}`;
}

/** Adds a new primary key to the key file (old keys stay for decryption until everything is re-wrapped). */
export function rotateKeyFile(keyFile: string, now = new Date()): KeyRing {
  const current = loadKeyRing(keyFile, {});
  const kid = keyId(now);
  const keys = new Map(current.keys);
  keys.set(kid, randomBytes(32));
  const ring: KeyRing = { primary: kid, keys };
  writeKeyFile(keyFile, ring);
  return ring;
}

/** Removes master keys no longer needed from the key file (never the primary). Returns the ids removed. */
export function dropKeysFromFile(keyFile: string, keep: ReadonlySet<string>): string[] {
  const current = loadKeyRing(keyFile, {});
  const dropped = [...current.keys.keys()].filter((kid) => kid !== current.primary && !keep.has(kid));
  if (dropped.length === 0) return [];
  const keys = new Map([...current.keys].filter(([kid]) => !dropped.includes(kid)));
  writeKeyFile(keyFile, { primary: current.primary, keys });
  return dropped;
}
