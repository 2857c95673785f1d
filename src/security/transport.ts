// Transport protections on every response: secure headers (helmet, with a CSP the web app at `/` works under), HSTS
// when serving HTTPS, a CORS allow-list, and per-client rate limiting answered with a 429 OperationOutcome.
import { readFileSync } from 'node:fs';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { FlauraError } from '../errors.ts';

export interface TransportOptions {
  /** HTTPS is on (HSTS is sent only then: over plain HTTP the header is meaningless and ignored). */
  tls: boolean;
  /** Browser origins allowed to call the API; empty = same-origin only. */
  corsOrigins: readonly string[];
  /** Requests per minute per client (token client, else IP); 0 = off. */
  rateLimitPerMinute: number;
}

/** Reads the PEM files for Fastify's `https` option; a clear error names the file that cannot be read. */
export function loadTlsFiles(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } {
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new FlauraError('CONFIG_INVALID', 400, `Cannot read the TLS ${what} ${file}: ${(err as Error).message}`);
    }
  };
  return { cert: read(certFile, 'certificate'), key: read(keyFile, 'key') };
}

export async function registerTransportSecurity(app: FastifyInstance, options: TransportOptions): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // The sign-in page and the app's components use inline style attributes; no inline script is allowed.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        frameAncestors: ["'none'"],
        // No form-action: the sign-in form redirects to the registered app, which may be on another origin.
        ...(options.tls ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: options.tls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    // SMART apps and other origins in the allow-list fetch the API; the default same-origin CORP would block them.
    crossOriginResourcePolicy: { policy: 'same-site' },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
  });

  await app.register(cors, {
    origin: options.corsOrigins.length > 0 ? [...options.corsOrigins] : false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'accept', 'if-match', 'if-none-match', 'if-none-exist', 'if-modified-since', 'prefer', 'x-request-id'],
    exposedHeaders: ['etag', 'location', 'content-location', 'last-modified', 'x-request-id', 'www-authenticate', 'retry-after'],
    credentials: false,
    maxAge: 600,
  });

  if (options.rateLimitPerMinute > 0) {
    await app.register(rateLimit, {
      max: options.rateLimitPerMinute,
      timeWindow: 60_000,
      // After authentication (onRequest), so a client is counted by its token's client, not by a shared proxy IP.
      hook: 'preHandler',
      keyGenerator: (request) => {
        const p = request.principal;
        return p ? `client:${p.clientId ?? '-'}:${p.subject}` : `ip:${request.ip}`;
      },
      allowList: (request) => request.url === '/healthz',
      errorResponseBuilder: (_request, context) =>
        new FlauraError('RATE_LIMITED', 429, `Too many requests: at most ${context.max} per minute per client; retry after ${Math.ceil(context.ttl / 1000)} s`, {
          type: 'throttled',
          headers: { 'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))) },
        }),
    });
  }
}
