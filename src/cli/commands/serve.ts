// `flaura serve`: start the server (embedded PGlite in --data unless a PostgreSQL URL is given) and print its URL.
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { createFlaura, FHIR_PREFIX, type Flaura } from '../../server.ts';
import { seedDemo } from './seed-demo.ts';
import { demoAccounts, DEMO_PASSWORD } from '../../demo/demo-accounts.ts';
import { randomPassword } from '../../security/auth/users.ts';

export interface ServeOptions {
  port?: string;
  host?: string;
  data?: string;
  databaseUrl?: string;
  seedDemo?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  /** Hook run after the server listens (npm start seeds demo data here). */
  afterListen?: (flaura: Flaura, url: string) => Promise<void>;
}

/** Starts Flaura and wires graceful shutdown on SIGINT/SIGTERM: in-flight requests finish, then the database closes. */
export async function serve(options: ServeOptions): Promise<Flaura> {
  const config = loadConfig({ port: options.port, host: options.host, dataDir: options.data, databaseUrl: options.databaseUrl, tlsCert: options.tlsCert, tlsKey: options.tlsKey });
  const flaura = await createFlaura(config);
  const url = await flaura.listen();
  const where = config.databaseUrl ? `PostgreSQL ${new URL(config.databaseUrl).host}` : `embedded database in ${config.dataDir}`;
  console.log(`Flaura is listening on ${url} (${where})`);
  console.log(`FHIR base: ${url}${FHIR_PREFIX}`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: finishing in-flight requests`);
    const timer = setTimeout(() => {
      console.error(`Shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    try {
      await flaura.close();
      process.exit(0);
    } catch (err) {
      console.error('Shutdown failed:', err);
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  if (options.seedDemo) {
    const count = await seedDemo(flaura);
    console.log(`Demo data loaded (${count} resources; patients demo-tendai, demo-maria, demo-grace, demo-james).`);
    const staff = demoAccounts.filter((a) => a.role !== 'patient').map((a) => a.username);
    const patients = demoAccounts.filter((a) => a.role === 'patient').map((a) => `${a.username} (Patient/${a.patientId})`);
    console.log(`Sign in at ${url}/ with a demo account, password '${DEMO_PASSWORD}' (demo only):`);
    console.log(`  staff:    ${staff.join(', ')}`);
    console.log(`  patients: ${patients.join(', ')}`);
  } else if ((await flaura.accounts.users.count()) === 0) {
    // First start of a real deployment: one admin with a random password, shown once and never stored in clear.
    const password = randomPassword();
    await flaura.accounts.users.create({ username: 'admin', password, role: 'admin' });
    console.log(`First start: created the user 'admin' with password ${password}`);
    console.log('  (shown once; change it with `flaura user passwd admin`)');
    console.log(`Sign in at ${url}/ or use SMART discovery at ${url}/.well-known/smart-configuration`);
  }
  console.log(`Scripts: \`npx flaura token --role admin${config.databaseUrl ? ' --database-url <url>' : ` --data ${config.dataDir}`}\` prints an access token.`);
  if (options.afterListen) await options.afterListen(flaura, url);
  return flaura;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Start the Flaura server (FHIR API at /fhir, health at /healthz)')
    .option('--port <port>', 'port to listen on (FLAURA_PORT)', undefined)
    .option('--host <host>', 'interface to bind (FLAURA_HOST)', undefined)
    .option('--data <dir>', 'embedded database directory (FLAURA_DATA)', undefined)
    .option('--database-url <url>', 'PostgreSQL URL instead of the embedded database (DATABASE_URL)')
    .option('--seed-demo', 'load the demo patients after start (idempotent)')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS (FLAURA_TLS_CERT; needs --tls-key)')
    .option('--tls-key <file>', 'PEM private key (FLAURA_TLS_KEY)')
    .action(async (opts: ServeOptions) => {
      await serve(opts);
    });
}
