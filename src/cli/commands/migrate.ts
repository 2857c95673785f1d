// `flaura migrate`: apply pending database migrations and exit.
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { createFlaura } from '../../server.ts';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations (the server also does this on start)')
    .option('--data <dir>', 'embedded database directory (FLAURA_DATA)')
    .option('--database-url <url>', 'PostgreSQL URL (DATABASE_URL)')
    .action(async (opts: { data?: string; databaseUrl?: string }) => {
      const config = loadConfig({ dataDir: opts.data, databaseUrl: opts.databaseUrl, logLevel: 'warn' });
      // Building the server applies every core and module migration under the data-directory lock.
      const flaura = await createFlaura(config);
      await flaura.close();
      console.log(`Database is up to date (${config.databaseUrl ? 'PostgreSQL' : config.dataDir}).`);
    });
}
