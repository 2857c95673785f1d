// `flaura keys rotate|rewrap`: master-key rotation for encryption at rest. An operator command: it opens the database
// directly (the embedded one only while no server runs); stop every server node first, since a running node keeps the
// key ring it started with (SECURITY.md, "Encryption at rest").
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { acquireDataDirLock, openDb, type Db } from '../../db/index.ts';
import { FlauraError } from '../../errors.ts';
import { refreshSigningKeyMirror, signingKeyMirror } from '../auth/signing-keys.ts';
import { dropKeysFromFile, loadKeyRing, rotateKeyFile } from './key-ring.ts';
import { keyIdsInUse, rewrapAll, type RewrapCounts } from './rotate.ts';
import type { KeyRing } from './envelope.ts';

export interface KeysOptions { data?: string; databaseUrl?: string; dropOld?: boolean }
export interface KeysResult extends RewrapCounts { primary: string; dropped: string[] }

export function masterKeyFile(dataDir: string): string {
  return join(dataDir, 'keys', 'master-keys.json');
}

async function withDatabase<T>(options: KeysOptions, env: NodeJS.ProcessEnv, fn: (db: Db, dataDir: string, embedded: boolean) => Promise<T>): Promise<T> {
  const config = loadConfig({ dataDir: options.data, databaseUrl: options.databaseUrl, logLevel: 'warn' }, env);
  const lock = config.databaseUrl ? undefined : acquireDataDirLock(config.dataDir);
  let db: Db | undefined;
  try {
    db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir });
    return await fn(db, config.dataDir, !config.databaseUrl);
  } finally {
    await db?.close();
    lock?.release();
  }
}

async function rewrapAndFinish(db: Db, ring: KeyRing, dataDir: string, embedded: boolean, keyFile: string | undefined, dropOld: boolean): Promise<KeysResult> {
  const counts = await rewrapAll(db, ring);
  if (embedded) await refreshSigningKeyMirror(db, signingKeyMirror(dataDir));
  const dropped = dropOld && keyFile ? dropKeysFromFile(keyFile, await keyIdsInUse(db)) : [];
  return { ...counts, primary: ring.primary, dropped };
}

/** A new primary key in the key file, then everything sealed re-wrapped under it; `dropOld` removes unused keys. */
export async function rotateKeys(options: KeysOptions, env: NodeJS.ProcessEnv = process.env): Promise<KeysResult> {
  if (env.FLAURA_MASTER_KEYS) {
    throw new FlauraError('KEYS_FROM_ENVIRONMENT', 400, 'The master keys come from FLAURA_MASTER_KEYS: add a new key there, make it the primary, then run `flaura keys rewrap`');
  }
  return withDatabase(options, env, async (db, dataDir, embedded) => {
    const keyFile = masterKeyFile(dataDir);
    const ring = rotateKeyFile(keyFile);
    return rewrapAndFinish(db, ring, dataDir, embedded, keyFile, options.dropOld === true);
  });
}

/** Re-wraps everything under the current primary key (after the keys in FLAURA_MASTER_KEYS were changed). */
export async function rewrapKeys(options: KeysOptions, env: NodeJS.ProcessEnv = process.env): Promise<KeysResult> {
  return withDatabase(options, env, async (db, dataDir, embedded) => {
    const keyFile = env.FLAURA_MASTER_KEYS ? undefined : masterKeyFile(dataDir);
    const ring = loadKeyRing(masterKeyFile(dataDir), env);
    return rewrapAndFinish(db, ring, dataDir, embedded, keyFile, options.dropOld === true);
  });
}

export function formatKeysResult(r: KeysResult): string {
  const lines = [
    `Primary master key: ${r.primary}.`,
    `Re-wrapped: ${r.resources} sealed resource${r.resources === 1 ? '' : 's'}, ${r.history} history version${r.history === 1 ? '' : 's'}, ${r.signingKeys} signing key${r.signingKeys === 1 ? '' : 's'}.`,
  ];
  if (r.dropped.length) lines.push(`Removed old master key${r.dropped.length === 1 ? '' : 's'} no longer used: ${r.dropped.join(', ')}.`);
  return lines.join('\n');
}

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('Master keys for encryption at rest (operator command; stop the server first)');
  const common = (c: Command) => c
    .option('--data <dir>', 'data directory with keys/master-keys.json and the embedded database (FLAURA_DATA)')
    .option('--database-url <url>', 'PostgreSQL URL (DATABASE_URL)')
    .option('--drop-old', 'afterwards remove master keys that nothing sealed uses any more');
  const run = (fn: (o: KeysOptions) => Promise<KeysResult>) => async (opts: KeysOptions) => {
    try {
      console.log(formatKeysResult(await fn(opts)));
    } catch (err) {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    }
  };
  common(keys.command('rotate').description('add a new primary master key and re-wrap every sealed payload under it')).action(run((o) => rotateKeys(o)));
  common(keys.command('rewrap').description('re-wrap every sealed payload under the current primary key (after changing FLAURA_MASTER_KEYS)')).action(run((o) => rewrapKeys(o)));
}
