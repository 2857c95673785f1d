// `flaura user add|passwd|unlock`: operator account management on the configured database (the embedded one only
// while no server runs on it). Passwords are read from FLAURA_PASSWORD or generated and printed once.
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { acquireDataDirLock, migrate, openDb } from '../../db/index.ts';
import { authMigrations } from '../../security/auth/migrations.ts';
import { randomPassword, USER_ROLES, UserStore } from '../../security/auth/users.ts';
import type { Role } from '../../security/principal.ts';

interface DbOptions {
  data?: string;
  databaseUrl?: string;
}

async function withUsers<T>(opts: DbOptions, fn: (users: UserStore) => Promise<T>): Promise<T> {
  const config = loadConfig({ dataDir: opts.data, databaseUrl: opts.databaseUrl, logLevel: 'warn' });
  const lock = config.databaseUrl ? undefined : acquireDataDirLock(config.dataDir);
  try {
    const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir });
    try {
      await migrate(db, authMigrations);
      return await fn(new UserStore(db));
    } finally {
      await db.close();
    }
  } finally {
    lock?.release();
  }
}

/** The password to set: FLAURA_PASSWORD (scripts), else a generated one that is printed. */
function passwordFrom(env: NodeJS.ProcessEnv): { password: string; generated: boolean } {
  return env.FLAURA_PASSWORD ? { password: env.FLAURA_PASSWORD, generated: false } : { password: randomPassword(), generated: true };
}

export function registerUserCommand(program: Command): void {
  const user = program.command('user').description('Manage sign-in accounts (operator command)');
  const db = (c: Command) => c.option('--data <dir>', 'embedded database directory (FLAURA_DATA)').option('--database-url <url>', 'PostgreSQL URL (DATABASE_URL)');
  db(
    user
      .command('add <username>')
      .description('Create an account; the password comes from FLAURA_PASSWORD or is generated and printed')
      .requiredOption('--role <role>', `one of ${USER_ROLES.join(', ')}`)
      .option('--patient <id>', 'the Patient a patient user is linked to')
      .option('--fhir-user <ref>', 'the user\'s FHIR resource, e.g. Practitioner/123'),
  ).action(async (username: string, opts: DbOptions & { role: string; patient?: string; fhirUser?: string }) => {
    const { password, generated } = passwordFrom(process.env);
    await withUsers(opts, (users) =>
      users.create({ username, password, role: opts.role as Role, ...(opts.patient ? { patientId: opts.patient } : {}), fhirUser: opts.fhirUser ?? (opts.patient ? `Patient/${opts.patient}` : undefined) }),
    );
    console.log(generated ? `Created '${username}' with password ${password} (shown once)` : `Created '${username}'`);
  });
  db(user.command('passwd <username>').description('Set a new password (FLAURA_PASSWORD or generated) and unlock the account')).action(async (username: string, opts: DbOptions) => {
    const { password, generated } = passwordFrom(process.env);
    await withUsers(opts, (users) => users.setPassword(username, password));
    console.log(generated ? `New password for '${username}': ${password} (shown once)` : `Password of '${username}' changed`);
  });
  db(user.command('unlock <username>').description('Clear failed sign-ins and the lockout')).action(async (username: string, opts: DbOptions) => {
    await withUsers(opts, (users) => users.unlock(username));
    console.log(`Unlocked '${username}'`);
  });
}
