// Starting modules: validate names and ids, apply their migrations, subscribe their event handlers.
import type { FastifyInstance } from 'fastify';
import { migrate } from '../db/index.ts';
import { FlauraError } from '../errors.ts';
import { validateTopicPattern } from '../events/index.ts';
import type { FhirRouter } from '../fhir/rest/router.ts';
import type { Module, ModuleContext } from './types.ts';

const MODULE_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** Consumer name of a module's handler for one topic pattern. */
export function moduleConsumerName(moduleName: string, pattern: string): string {
  return `module:${moduleName}:${pattern}`;
}

/** Throws a clear FlauraError for a bad module name, pattern, or an id used twice across modules. */
export function validateModules(modules: readonly Module[]): void {
  const names = new Set<string>();
  const cds = new Map<string, string>();
  const importers = new Map<string, string>();
  const migrations = new Map<string, string>();
  const claim = (kind: string, seen: Map<string, string>, id: string, owner: string) => {
    const other = seen.get(id);
    if (other !== undefined) throw new FlauraError('MODULE_INVALID', 500, `${kind} '${id}' of module '${owner}' is already declared by module '${other}'`);
    seen.set(id, owner);
  };
  for (const m of modules) {
    if (!MODULE_NAME.test(m.name)) {
      throw new FlauraError('MODULE_INVALID', 500, `Invalid module name '${m.name}': lower-case letters, digits and '-', starting with a letter, at most 40`);
    }
    if (names.has(m.name)) throw new FlauraError('MODULE_INVALID', 500, `Module '${m.name}' is listed twice`);
    names.add(m.name);
    for (const pattern of Object.keys(m.onEvent ?? {})) {
      try {
        validateTopicPattern(pattern);
      } catch (err) {
        throw new FlauraError('MODULE_INVALID', 500, `Module '${m.name}': ${(err as Error).message}`);
      }
    }
    for (const s of m.cdsServices ?? []) claim('CDS service', cds, s.id, m.name);
    for (const i of m.importers ?? []) claim('Importer', importers, i.id, m.name);
    for (const mig of m.migrations ?? []) claim('Migration', migrations, mig.id, m.name);
  }
}

/**
 * Validates `modules`, applies their migrations (call after the core migrations) in list order, and subscribes
 * every `onEvent` handler under `module:<name>:<pattern>`. Start `ctx.events` afterwards: the distributed (NATS)
 * log accepts subscriptions only before it starts; the in-process log starts late ones at once.
 */
export async function startModules(modules: readonly Module[], ctx: ModuleContext): Promise<void> {
  validateModules(modules);
  const migrations = modules.flatMap((m) => m.migrations ?? []);
  const applied = await migrate(ctx.db, migrations);
  if (applied.length > 0) ctx.log.info({ migrations: applied }, 'module migrations applied');
  for (const m of modules) {
    for (const [pattern, handler] of Object.entries(m.onEvent ?? {})) {
      ctx.events.subscribe(moduleConsumerName(m.name, pattern), [pattern], handler);
    }
  }
}

/** Registers each module's routes as an encapsulated plugin under `/<name>`. */
export async function registerModuleRoutes(app: FastifyInstance, modules: readonly Module[], ctx: ModuleContext): Promise<void> {
  for (const m of modules) {
    const routes = m.routes;
    if (!routes) continue;
    await app.register(async (scope) => routes(scope, ctx), { prefix: `/${m.name}` });
  }
}

/** Adds each module's FHIR operations to the FHIR router (`/fhir/<Type>[/{id}]/$<name>`). */
export function registerModuleOperations(router: FhirRouter, modules: readonly Module[], ctx: ModuleContext): void {
  for (const m of modules) {
    for (const op of m.fhirOperations?.(ctx) ?? []) {
      router.registerOperation({
        name: op.name,
        scope: { resourceTypes: [op.resourceType], ...(op.instance ? { instance: true } : { type: true }) },
        methods: op.methods,
        handler: async (req, route) => {
          const result = await op.handler({
            ...(route.id ? { id: route.id } : {}),
            body: req.body,
            query: req.query,
            baseUrl: req.baseUrl,
            ...(req.principal ? { principal: req.principal } : {}),
            ...(req.actor ? { actor: req.actor } : {}),
          });
          return { status: result.status, headers: result.headers ?? {}, body: result.body };
        },
      });
    }
  }
}

/** Stops event delivery, letting in-flight module handlers finish and commit their offsets. */
export async function stopModules(ctx: ModuleContext): Promise<void> {
  await ctx.events.stop({ drain: true });
}
