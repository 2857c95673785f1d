// `flaura token`: an operator prints an access token for scripts and tests. Whoever can read the data directory (or
// the database and master keys) can sign tokens anyway; this command only makes that explicit and convenient.
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, type FlauraConfig } from '../../config.ts';
import { acquireDataDirLock, migrate, openDb, readDataDirLock } from '../../db/index.ts';
import { FlauraError } from '../../errors.ts';
import { loadKeyRing } from '../../security/encryption/key-ring.ts';
import { mintAccessToken, ROLES, type MintOptions } from '../../security/auth/access-token.ts';
import { authMigrations } from '../../security/auth/migrations.ts';
import { createAuthService } from '../../security/auth/service.ts';
import { MirroredSigningKey, signingKeyMirror } from '../../security/auth/signing-keys.ts';
import type { Role } from '../../security/principal.ts';

export interface TokenCommandOptions {
  role: string;
  patient?: string;
  fhirUser?: string;
  scope?: string;
  ttl?: string;
  data?: string;
  databaseUrl?: string;
}

function rootOf(config: FlauraConfig, runningUrl?: string): string {
  return config.publicUrl ?? runningUrl ?? `${config.tlsCert ? 'https' : 'http'}://${config.host}:${config.port}`;
}

/** Mints a token with the keys of the configured data directory or database; returns it. */
export async function operatorToken(options: TokenCommandOptions, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (!ROLES.includes(options.role as Role)) throw new FlauraError('INVALID_ROLE', 400, `--role must be one of ${ROLES.join(', ')}`);
  const config = loadConfig({ dataDir: options.data, databaseUrl: options.databaseUrl, logLevel: 'warn' }, env);
  const ttl = options.ttl === undefined ? undefined : Number(options.ttl);
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 30 || ttl > 86_400)) throw new FlauraError('CONFIG_INVALID', 400, '--ttl must be 30 to 86400 seconds');
  const mint: MintOptions = {
    role: options.role as Role,
    subject: `operator:${options.role}`,
    clientId: 'flaura-cli',
    ...(options.patient ? { patientId: options.patient } : {}),
    ...(options.fhirUser ? { fhirUser: options.fhirUser } : options.patient && options.role === 'patient' ? { fhirUser: `Patient/${options.patient}` } : {}),
    ...(options.scope ? { scope: options.scope } : {}),
    ...(ttl ? { ttlSeconds: ttl } : {}),
  };
  const ring = loadKeyRing(join(config.dataDir, 'keys', 'master-keys.json'), env);
  const running = config.databaseUrl ? undefined : readDataDirLock(config.dataDir);
  if (running) {
    // The running server owns the embedded database: sign with its sealed key copy, for its audience.
    const root = rootOf(config, running.url);
    return (
      await mintAccessToken(
        {
          keys: new MirroredSigningKey(signingKeyMirror(config.dataDir), ring),
          issuer: () => root,
          audience: () => `${root}/fhir`,
          accessTokenTtlSeconds: config.accessTokenTtlSeconds,
          now: () => new Date(),
        },
        mint,
      )
    ).accessToken;
  }
  const lock = config.databaseUrl ? undefined : acquireDataDirLock(config.dataDir);
  try {
    const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir });
    try {
      await migrate(db, authMigrations);
      const root = rootOf(config);
      const auth = createAuthService(db, ring, config, { root: () => root }, undefined, config.databaseUrl ? {} : { mirrorFile: signingKeyMirror(config.dataDir) });
      return (await auth.mint(mint)).accessToken;
    } finally {
      await db.close();
    }
  } finally {
    lock?.release();
  }
}

export function registerTokenCommand(program: Command): void {
  program
    .command('token')
    .description('Print an access token (operator command: needs the data directory or the database and master keys)')
    .requiredOption('--role <role>', `role: ${ROLES.join(', ')}`)
    .option('--patient <id>', 'Patient id in context (required for --role patient)')
    .option('--fhir-user <ref>', 'fhirUser claim, e.g. Practitioner/123')
    .option('--scope <scopes>', 'SMART scopes (default: the role\'s full context, e.g. user/*.cruds)')
    .option('--ttl <seconds>', 'lifetime (default FLAURA_ACCESS_TOKEN_TTL)')
    .option('--data <dir>', 'embedded database directory (FLAURA_DATA)')
    .option('--database-url <url>', 'PostgreSQL URL (DATABASE_URL)')
    .action(async (opts: TokenCommandOptions) => {
      process.stdout.write(`${await operatorToken(opts)}\n`);
    });
}
