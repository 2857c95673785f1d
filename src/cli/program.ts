// The `flaura` program: one subcommand per file in ./commands, plus those the modules contribute.
import { Command } from 'commander';
import { registerServeCommand } from './commands/serve.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerSeedDemoCommand } from './commands/seed-demo.ts';
import { registerImportCommand } from './commands/import.ts';
import { registerTokenCommand } from './commands/token.ts';
import { registerAuditCommand } from '../security/audit/cli.ts';
import { registerKeysCommand } from '../security/encryption/cli.ts';
import { registerUserCommand } from './commands/user.ts';
import { registerPgxCli } from '../modules/pgx/index.ts';
import { callVcf } from '../modules/pgx/matcher/caller.ts';
import { registerPgxImportCli } from '../modules/pgx/storage/cli-import.ts';
import { createFlaura } from '../server.ts';
import type { Bundle } from '@medplum/fhirtypes';
import { registerWearablesCli } from '../modules/wearables/index.ts';
import { acquireDataDirLock } from '../db/index.ts';
import { loadConfig } from '../config.ts';
import packageJson from '../../package.json' with { type: 'json' };

export function buildProgram(): Command {
  const program = new Command('flaura')
    .description('Flaura: an open FHIR R4 EMR for personalized medicine')
    .version(packageJson.version)
    .showHelpAfterError();
  registerServeCommand(program);
  registerMigrateCommand(program);
  registerSeedDemoCommand(program);
  registerImportCommand(program);
  registerTokenCommand(program);
  registerAuditCommand(program);
  registerKeysCommand(program);
  registerUserCommand(program);
  registerPgxCli(program, { callVcf });
  registerPgxImportCli(program, {
    callVcf,
    open: async (config) => {
      const flaura = await createFlaura(config);
      return {
        store: flaura.store,
        transaction: async (bundle) => (await flaura.router.handle({ method: 'POST', path: '', query: [], headers: {}, body: bundle, contentType: 'application/fhir+json', baseUrl: flaura.store.baseUrl })).body as Bundle,
        close: () => flaura.close(),
      };
    },
  });
  registerWearablesCli(program, {
    // The whole EMR (not just the tables): daily summaries and alerts are written as FHIR through its transaction.
    open: async (where) => {
      const config = loadConfig({ dataDir: where.data, databaseUrl: where.databaseUrl, logLevel: 'warn' });
      // The embedded database has one owner: refuse (clearly) while a server holds the data directory.
      const lock = config.databaseUrl ? undefined : acquireDataDirLock(config.dataDir);
      try {
        const flaura = await createFlaura(config);
        const transaction = async (bundle: Bundle) => (await flaura.router.handle({ method: 'POST', path: '', query: [], headers: {}, body: bundle, contentType: 'application/fhir+json', baseUrl: flaura.store.baseUrl })).body as Bundle;
        return { deps: { db: flaura.db, store: flaura.store, transaction }, close: async () => { try { await flaura.close(); } finally { lock?.release(); } } };
      } catch (e) {
        lock?.release();
        throw e;
      }
    },
  });
  return program;
}
