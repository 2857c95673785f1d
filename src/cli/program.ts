// The `flaura` program: one subcommand per file in ./commands, plus those the modules contribute.
import { Command } from 'commander';
import { registerServeCommand } from './commands/serve.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerSeedDemoCommand } from './commands/seed-demo.ts';
import { registerImportCommand } from './commands/import.ts';
import { registerTokenCommand } from './commands/token.ts';
import { registerUserCommand } from './commands/user.ts';
import { registerPgxCli } from '../modules/pgx/index.ts';
import { callVcf } from '../modules/pgx/matcher/caller.ts';
import { registerPgxImportCli } from '../modules/pgx/storage/cli-import.ts';
import { createFlaura } from '../server.ts';
import type { Bundle } from '@medplum/fhirtypes';
import { registerWearablesCli, wearablesMigrations } from '../modules/wearables/index.ts';
import { acquireDataDirLock, migrate, openDb } from '../db/index.ts';
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
    // Opens the configured database under the data-directory lock (the embedded database has one owner).
    openDb: async () => {
      const config = loadConfig({ logLevel: 'warn' });
      if (!config.databaseUrl) acquireDataDirLock(config.dataDir);
      const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir });
      await migrate(db, wearablesMigrations);
      return db;
    },
  });
  return program;
}
