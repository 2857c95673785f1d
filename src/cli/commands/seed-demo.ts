// `flaura seed-demo` and `serve --seed-demo`: load the demo cast (idempotent) through the FHIR dispatcher.
import type { Command } from 'commander';
import type { Bundle } from '@medplum/fhirtypes';
import { loadConfig } from '../../config.ts';
import { readDataDirLock } from '../../db/index.ts';
import { FlauraError } from '../../errors.ts';
import { demoBundle, demoCast } from '../../demo/demo-patients.ts';
import { demoPractitionerBundle, seedDemoAccounts } from '../../demo/demo-accounts.ts';
import { operatorToken } from './token.ts';
import { seedDemoPgx, seedDemoPgxViaHttp } from '../../demo/pgx-demo.ts';
import { seedDemoWearables } from '../../demo/wearables-demo.ts';
import { callVcf } from '../../modules/pgx/matcher/caller.ts';
import { createFlaura, FHIR_PREFIX, type Flaura } from '../../server.ts';

/** Loads the demo cast into a running or opened Flaura; returns how many resources were written. */
export async function seedDemo(flaura: Flaura, now = new Date()): Promise<number> {
  const transaction = async (bundle: Bundle) => (await flaura.router.handle({ method: 'POST', path: '', query: [], headers: {}, body: bundle, contentType: 'application/fhir+json', baseUrl: flaura.store.baseUrl })).body as Bundle;
  const res = await transaction(demoBundle(now));
  await transaction(demoPractitionerBundle());
  // Sign-in accounts for every staff role and each demo patient (password flaura-demo; see README).
  await seedDemoAccounts(flaura.accounts.users);
  // Each patient's PGx result, run through the real pipeline (skipped when already stored).
  await seedDemoPgx({ store: flaura.store, transaction, callVcf });
  // ~90 days of wearable data per patient through the real import path (skipped when already imported).
  if (flaura.config.modules.some((m) => m === 'all' || m === 'wearables')) await seedDemoWearables({ db: flaura.db, store: flaura.store, transaction }, now);
  return res.entry?.length ?? 0;
}

export function registerSeedDemoCommand(program: Command): void {
  program
    .command('seed-demo')
    .description('Load the synthetic demo patients (safe to run again)')
    .option('--data <dir>', 'embedded database directory (FLAURA_DATA)')
    .option('--database-url <url>', 'PostgreSQL URL (DATABASE_URL)')
    .option('--url <url>', 'a running Flaura server to load through')
    .action(async (opts: { data?: string; databaseUrl?: string; url?: string }) => {
      const config = loadConfig({ dataDir: opts.data, databaseUrl: opts.databaseUrl, logLevel: 'warn' });
      const running = opts.url ?? (config.databaseUrl ? undefined : readDataDirLock(config.dataDir)?.url);
      if (running) {
        // The embedded database has one owner: go through the running server's API, with an operator token.
        const authorization = `Bearer ${await operatorToken({ role: 'admin', data: opts.data, databaseUrl: opts.databaseUrl })}`;
        for (const bundle of [demoBundle(new Date()), demoPractitionerBundle()]) {
          const res = await fetch(`${running.replace(/\/$/, '')}${FHIR_PREFIX}`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', authorization }, body: JSON.stringify(bundle) });
          if (!res.ok) throw new FlauraError('SEED_FAILED', 502, `The server at ${running} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
        }
        const pgx = await seedDemoPgxViaHttp(running, { authorization });
        console.log('Demo sign-in accounts are created by `flaura serve --seed-demo` (the running server owns the database).');
        console.log(`Loaded ${demoCast.length} demo patients through ${running} (${pgx} new PGx results)`);
        return;
      }
      const flaura = await createFlaura(config);
      try {
        const count = await seedDemo(flaura);
        console.log(`Loaded ${demoCast.length} demo patients (${count} resources).`);
      } finally {
        await flaura.close();
      }
    });
}
