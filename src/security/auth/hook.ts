// The one authentication gate: an onRequest hook on the root Fastify instance. Which paths need a token is decided
// here, in two short lists, so a reviewer can see the whole surface at once.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../principal.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `custom`: the route authenticates callers itself (e.g. CDS Hooks JWTs from outside EHRs). */
    auth?: 'custom';
  }
}

/** Path prefixes that carry patient data or actions: a token is required below them. Modules add their own name. */
export const PROTECTED_PREFIXES: readonly string[] = ['/fhir', '/cds-services', '/security', '/audit'];

/** Exceptions inside the protected prefixes that anyone may call (discovery documents). */
export function isPublicException(method: string, path: string): boolean {
  if ((method === 'GET' || method === 'HEAD') && (path === '/fhir/metadata' || path === '/fhir/metadata/')) return true;
  return path === '/fhir/.well-known/smart-configuration';
}

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

function decodedPath(url: string): string {
  const raw = url.split('?')[0] ?? '/';
  try {
    // Decoded so that `/%66hir/Patient` cannot slip past the prefix check; `//` collapsed for the same reason.
    return decodeURIComponent(raw).replace(/\/{2,}/g, '/');
  } catch {
    return raw;
  }
}

export interface AuthHookOptions {
  authenticate(header: string | undefined, ip?: string): Promise<Principal>;
  /** Extra protected prefixes, e.g. `/wearables`, `/pgx` (one per module). */
  extraPrefixes: readonly string[];
  /** Told of every refused token (missing, malformed, expired, revoked…), for the audit trail. */
  onRejected?(request: FastifyRequest, err: unknown): void;
}

/** True when this request needs a verified access token before any handler runs. */
export function requiresToken(request: FastifyRequest, prefixes: readonly string[]): boolean {
  if (request.routeOptions.config?.auth === 'custom') return false;
  // CORS preflights never carry credentials (Fetch standard); they reveal nothing and must reach the CORS handler.
  if (request.method === 'OPTIONS') return false;
  const path = decodedPath(request.url);
  if (isPublicException(request.method, path)) return false;
  const routeUrl = request.routeOptions.url ?? '';
  return prefixes.some((p) => under(path, p) || under(routeUrl, p));
}

/** Registers the gate on the root instance, so it runs for every route, including plugins registered later. */
export function registerAuthHook(app: FastifyInstance, options: AuthHookOptions): void {
  const prefixes = [...PROTECTED_PREFIXES, ...options.extraPrefixes];
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    if (!requiresToken(request, prefixes)) return;
    try {
      request.principal = await options.authenticate(request.headers.authorization, request.ip);
    } catch (err) {
      options.onRejected?.(request, err);
      throw err;
    }
  });
}
