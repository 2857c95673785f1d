// Composition root: config -> database -> migrations -> event log -> store -> modules -> HTTP server.
import Fastify, { type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { acquireDataDirLock, migrate, openDb, type DataDirLock, type Db } from './db/index.ts';
import type { FlauraConfig } from './config.ts';
import { storeMigrations } from './fhir/store/migrations.ts';
import { SqlFhirStore } from './fhir/store/sql-store.ts';
import type { StoreDeps } from './fhir/store/deps.ts';
import { FhirRouter, validateOperation } from './fhir/rest/router.ts';
import { buildCapabilityStatement } from './fhir/rest/capability.ts';
import { fhirHttpPlugin, sendError } from './fhir/http/plugin.ts';
import { getFhirDefinitions } from './fhir/definitions/index.ts';
import { assertValidResource, validateResource } from './fhir/validation/index.ts';
import {
  deleteSearchIndex,
  everything,
  executeSearch,
  findMatchingIds,
  getSearchParameters,
  parseSearchRequest,
  searchMigrations,
  writeSearchIndexBatch,
  prepareSearchIndex,
  type PreparedIndex,
} from './fhir/search/index.ts';
import { appendEvents, eventMigrations, createEventLog, type EventLog } from './events/index.ts';
import { FlauraError } from './errors.ts';
import type { Module, ModuleContext } from './modules/types.ts';
import { registerModuleOperations, registerModuleRoutes, startModules } from './modules/registry.ts';
import { wearablesModule } from './modules/wearables/module.ts';
import { pgxModule } from './modules/pgx/module.ts';
import { cdsHooksModule } from './modules/cds-hooks/module.ts';
import { webPlugin } from './web/plugin.ts';
import { createResourceSealer } from './security/encryption/resource-sealing.ts';
import { loadKeyRing } from './security/encryption/key-ring.ts';
import { authMigrations } from './security/auth/migrations.ts';
import { createAuthService, type AuthService } from './security/auth/service.ts';
import { registerAuthHook } from './security/auth/hook.ts';
import { signingKeyMirror } from './security/auth/signing-keys.ts';
import { UserStore } from './security/auth/users.ts';
import { ClientStore } from './security/auth/clients.ts';
import { OAuthServer } from './security/auth/oauth.ts';
import { authRoutes, capabilitySecurity } from './security/auth/routes.ts';
import { registerWebClient } from './security/auth/web-client.ts';
import { loadTlsFiles, registerTransportSecurity } from './security/transport.ts';
import { AccessService } from './security/access/access-control.ts';
import { withDataClassLabels } from './security/access/data-classes.ts';
import { AuditTrail } from './security/audit/trail.ts';
import { AttemptThrottle } from './security/audit/attempt-throttle.ts';
import { AuditJournal } from './security/audit/journal.ts';
import { securityMigrations } from './security/audit/migrations.ts';
import { securityRoutes } from './security/routes.ts';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import packageJson from '../package.json' with { type: 'json' };

export const FHIR_PREFIX = '/fhir';

/** Every module this build has; `FLAURA_MODULES` picks some (default `all`). */
export const availableModules: readonly Module[] = [wearablesModule, pgxModule, cdsHooksModule];

function selectModules(names: readonly string[]): Module[] {
  if (names.includes('all')) return [...availableModules];
  return names.map((name) => {
    const m = availableModules.find((x) => x.name === name);
    if (!m) throw new FlauraError('CONFIG_INVALID', 400, `FLAURA_MODULES names an unknown module '${name}' (known: ${availableModules.map((x) => x.name).join(', ')})`);
    return m;
  });
}

/** A running (or ready-to-listen) Flaura instance. */
export interface Flaura {
  app: FastifyInstance;
  db: Db;
  store: SqlFhirStore;
  router: FhirRouter;
  events: EventLog;
  config: FlauraConfig;
  /** Token signing and verification (SMART authorization server, `flaura token`, tests). */
  auth: AuthService;
  /** User accounts and registered OAuth clients of the authorization server. */
  accounts: { users: UserStore; clients: ClientStore; oauth: OAuthServer };
  /** The access policy and the audit trail (tests, benchmarks, CLI). */
  security: { access: AccessService; audit: AuditTrail };
  /** Server root URL as clients see it (the public URL, or the listening address once listening). */
  rootUrl(): string;
  /** Starts listening; returns the server's root URL. */
  listen(): Promise<string>;
  /** Stops accepting requests, finishes in-flight ones, drains event handlers, closes the database. */
  close(): Promise<void>;
}

export interface CreateFlauraOptions {
  /** Use this database instead of opening one from the config (tests). */
  db?: Db;
  /** Clock for the store (tests). */
  now?: () => Date;
}

function storeDeps(now?: () => Date): StoreDeps {
  return {
    // Data-class labels (genomic, SDOH, …) join meta.security before storage (and before sealing decides on them).
    validate: (resource) => withDataClassLabels(assertValidResource(resource) as Resource),
    writeIndex: (tx, items, options) => writeSearchIndexBatch(tx, items, options as { fresh?: boolean; prepared?: PreparedIndex }),
    prepareIndex: (resources) => prepareSearchIndex(resources),
    deleteIndex: (tx, rid) => deleteSearchIndex(tx, rid),
    appendEvents: (tx, events) => appendEvents(tx, events),
    search: (q, resourceType, params, options) => {
      const request = parseSearchRequest(resourceType, params, { lenient: options.lenient });
      return executeSearch(q, request, { baseUrl: options.baseUrl, ...(options.compartment ? { compartment: options.compartment } : {}), ...(options.open ? { open: options.open } : {}) });
    },
    findMatchingIds: (q, resourceType, query) => findMatchingIds(q, resourceType, query),
    ...(now ? { now } : {}),
  };
}

/** Builds the whole server without listening (tests drive it with `app.inject`). */
export async function createFlaura(config: FlauraConfig, options: CreateFlauraOptions = {}): Promise<Flaura> {
  let lock: DataDirLock | undefined;
  let db = options.db;
  if (!db) {
    if (!config.databaseUrl) lock = acquireDataDirLock(config.dataDir);
    try {
      db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir });
    } catch (err) {
      lock?.release();
      throw err;
    }
  }
  await migrate(db, [...storeMigrations, ...searchMigrations, ...eventMigrations, ...authMigrations, ...securityMigrations]);

  const definitions = getFhirDefinitions();
  // Compile the validators and the search-parameter registry now, not inside the first request.
  validateResource({ resourceType: 'Patient' });
  getSearchParameters('Patient');
  const rootUrl = config.publicUrl ?? `${config.tlsCert ? 'https' : 'http'}://${config.host}:${config.port}`;
  // Without a public URL the root is known only once listening (port 0 picks one): tokens name it as audience.
  let listeningRoot = rootUrl;
  const keyRing = loadKeyRing(join(config.dataDir, 'keys', 'master-keys.json'));
  const sealer = createResourceSealer(keyRing);
  // The embedded database has one owner; `flaura token` signs with a sealed copy of the keys while it runs.
  const auth = createAuthService(db, keyRing, config, { root: () => listeningRoot }, options.now, config.databaseUrl || options.db ? {} : { mirrorFile: signingKeyMirror(config.dataDir) });
  await auth.keys.signingKey(); // generated (or rotated) on start, not inside the first login
  const store = new SqlFhirStore(db, { ...storeDeps(options.now), sealer }, rootUrl + FHIR_PREFIX);
  const events = createEventLog(db, { natsUrl: config.natsUrl, ...(config.databaseUrl ? { listen: { connectionString: config.databaseUrl } } : {}) });

  // Access policy and audit trail: every request with a principal passes one decision and leaves an AuditEvent.
  const audit = new AuditTrail(events, store, {
    flushMs: config.auditFlushMs,
    journal: new AuditJournal(join(config.dataDir, 'audit-journal')),
    log: { error: (obj, msg) => console.error(msg, obj) },
  });
  audit.subscribe();
  audit.recoverJournal();
  const access = new AccessService({ db, open: (r) => store.reader().open(r), audit, breakGlassMinutes: config.breakGlassMinutes, ...(options.now ? { now: options.now } : {}) });

  const router: FhirRouter = new FhirRouter({
    store,
    guard: access,
    isResourceType: (name) => definitions.isResourceType(name),
    validationIssues: (resource) => validateResource(resource).map((i) => ({ ...i, expression: [i.expression] })),
    capabilityStatement: () =>
      buildCapabilityStatement({
        baseUrl: rootUrl + FHIR_PREFIX,
        softwareVersion: packageJson.version,
        resourceTypes: definitions.resourceTypes,
        searchParams: (type) => [...getSearchParameters(type).values()].map((p) => ({ name: p.code, type: p.type, definition: p.url })),
        operations: router.listOperations(),
        security: capabilitySecurity(listeningRoot),
        now: new Date(),
      }),
  });
  router.registerOperation(validateOperation);
  router.registerOperation({
    name: 'everything',
    scope: { resourceTypes: ['Patient'], instance: true },
    methods: ['GET', 'POST'],
    handler: async (req, route) => {
      await store.read('Patient', route.id!);
      const get = (k: string) => req.query.find(([key]) => key === k)?.[1];
      const count = get('_count');
      return {
        status: 200,
        headers: {},
        body: router.openEntries(await everything(db!, route.id!, { baseUrl: req.baseUrl, count: count ? Number(count) : undefined, cursor: get('_cursor'), since: get('_since') })),
      };
    },
  });

  // HTTPS when certificate files are configured; the instance type is the same for our purposes (routes, inject).
  const https = config.tlsCert && config.tlsKey ? loadTlsFiles(config.tlsCert, config.tlsKey) : undefined;
  const app = Fastify({
    ...(https ? { https } : {}),
    logger: { level: config.logLevel },
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    // Idle keep-alive sockets are closed at shutdown; requests in flight still finish.
    forceCloseConnections: 'idle',
  });
  let closing = false;
  // Open connections, so shutdown can close those that never sent a byte: Node's closeIdleConnections() counts
  // such a connection (a client's spare keep-alive socket) as waiting for headers and leaves it open until
  // headersTimeout (60 s), longer than the shutdown timeout; `flaura serve` then hung after SIGTERM.
  const connections = new Set<Socket>();
  app.server.on(https ? 'secureConnection' : 'connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // A response finished during shutdown closes its keep-alive socket, so close() need not wait for it to idle out.
    if (closing) reply.header('connection', 'close');
  });
  app.setErrorHandler((err, request, reply) => sendError(request, reply, err));
  const modules = selectModules(config.modules);
  const refusals = new AttemptThrottle(60);
  registerAuthHook(app, {
    authenticate: (header, ip) => auth.authenticate(header, ip),
    extraPrefixes: modules.map((m) => `/${m.name}`),
    // A refused token is an access attempt too (ASVS V7.2.1, HIPAA §164.312(b)): recorded, without the token itself.
    onRejected: (request, err) => {
      const admitted = refusals.admit(request.ip);
      if (admitted === 'drop') return;
      const e = err instanceof FlauraError ? err : undefined;
      const what = admitted === 'summarize' ? 'further refused requests from this address are not recorded until the minute is over' : e ? `${e.code}: ${e.message}` : 'authentication failed';
      audit.record({ action: 'E', subtype: 'authenticate', status: e?.status ?? 401, detail: `${request.method} ${request.url.split('?')[0]}: ${what}`, ip: request.ip, requestId: request.id });
    },
  });
  await registerTransportSecurity(app, { tls: https !== undefined, corsOrigins: config.corsOrigins, rateLimitPerMinute: config.rateLimitPerMinute });
  app.get('/healthz', async () => ({ status: 'ok' }));
  const now = options.now ?? (() => new Date());
  const users = new UserStore(db, now);
  const clients = new ClientStore(db);
  const oauth = new OAuthServer({ db, auth, users, clients, tokenEndpoint: () => `${listeningRoot}/auth/token`, now });
  const patientExists = async (id: string) => (await store.read('Patient', id).then(() => true, () => false));
  await app.register(authRoutes, { db, auth, oauth, users, clients, rootUrl: () => listeningRoot, patientExists, now, audit });
  await registerWebClient(clients, listeningRoot);
  // The browser app (web/dist) at `/`; public static files, the data comes through the authorized APIs.
  await app.register(webPlugin);
  await app.register(securityRoutes, { access, audit, store, breakGlassMinutes: config.breakGlassMinutes });
  await app.register(fhirHttpPlugin, { prefix: FHIR_PREFIX, router, publicBaseUrl: config.publicUrl ? config.publicUrl + FHIR_PREFIX : undefined });

  const moduleContext: ModuleContext = {
    db,
    store,
    events,
    config: { ...config },
    log: app.log as unknown as ModuleContext['log'],
    auth: { authenticate: (header) => auth.authenticate(header) },
    access,
    audit,
    transaction: async (bundle, actor) =>
      (await router.handle({ method: 'POST', path: '', query: [], headers: {}, body: bundle, contentType: 'application/fhir+json', baseUrl: rootUrl + FHIR_PREFIX, ...(actor ? { actor } : {}) })).body as Bundle,
  };
  // Subscriptions must exist before the event log starts (the NATS log refuses later ones).
  await startModules(modules, moduleContext);
  await registerModuleRoutes(app, modules, moduleContext);
  registerModuleOperations(router, modules, moduleContext);

  let closed = false;
  const flaura: Flaura = {
    app,
    db,
    store,
    router,
    events,
    config,
    auth,
    accounts: { users, clients, oauth },
    security: { access, audit },
    rootUrl: () => listeningRoot,
    async listen() {
      const address = await app.listen({ port: config.port, host: config.host });
      if (!config.publicUrl) {
        listeningRoot = address;
        await registerWebClient(clients, listeningRoot);
      }
      lock?.setUrl(address);
      return address;
    },
    async close() {
      if (closed) return;
      closed = true;
      closing = true;
      const t0 = performance.now();
      // A shutdown that hangs names the phase it waits on (and what is still open) instead of going silent.
      let phase = 'http';
      const watchdog = setInterval(() => {
        app.log.warn({ phase, waitedMs: Math.round(performance.now() - t0), connections: connections.size }, 'shutdown still waiting');
      }, 5000);
      watchdog.unref();
      // Idle keep-alive connections and connections that never sent anything are closed now and as they become so
      // (a response just sent), so close() waits only for requests in progress, never for a timeout.
      const closeUnused = () => {
        app.server.closeIdleConnections();
        for (const socket of connections) if (socket.bytesRead === 0) socket.destroy();
      };
      closeUnused();
      const reaper = setInterval(closeUnused, 100);
      try {
        await app.close();
      } finally {
        clearInterval(reaper);
      }
      const t1 = performance.now();
      phase = 'audit';
      await audit.close();
      phase = 'events';
      await events.stop();
      const t2 = performance.now();
      phase = 'db';
      if (!options.db) await db!.close();
      clearInterval(watchdog);
      app.log.info({ httpMs: Math.round(t1 - t0), eventsMs: Math.round(t2 - t1), dbMs: Math.round(performance.now() - t2) }, 'shutdown complete');
      lock?.release();
    },
  };
  await events.start();
  return flaura;
}

