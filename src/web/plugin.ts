// Serves the built web app (web/dist) at `/`: hashed assets with long caching, and index.html for the app's own
// routes so deep links and reloads work (SPA fallback). Only the app's routes fall back: an unknown API path still
// gets its OperationOutcome 404. Static files are public; every datum the app shows comes from authorized APIs.
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const defaultWebDir = resolve(fileURLToPath(new URL('../../web/dist', import.meta.url)));

/** Client-side routes of the app (web/src/main.tsx); each answers with index.html. */
export const appRoutes = ['/', '/callback', '/patients', '/patients/*', '/alerts', '/import', '/portal', '/portal/*'] as const;

export interface WebPluginOptions {
  /** The built app (default web/dist). */
  dir?: string;
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Flaura</title></head><body>
<main><h1>Flaura's web app is not built yet</h1><p>Run <code>npm run build:web</code> (or <code>npm start</code>, which builds it when needed), then reload. The APIs are up: <a href="/fhir/metadata">/fhir/metadata</a>.</p></main></body></html>`;

export async function webPlugin(app: FastifyInstance, options: WebPluginOptions = {}): Promise<void> {
  const dir = options.dir ?? defaultWebDir;
  const indexPath = join(dir, 'index.html');
  // index.html is read again when the build changes, so a rebuild shows without a restart.
  let cached: { mtimeMs: number; html: string } | undefined;
  const indexHtml = (): string | undefined => {
    if (!existsSync(indexPath)) return undefined;
    const { mtimeMs } = statSync(indexPath);
    if (!cached || cached.mtimeMs !== mtimeMs) cached = { mtimeMs, html: readFileSync(indexPath, 'utf8') };
    return cached.html;
  };
  const sendIndex = (reply: FastifyReply) => {
    const html = indexHtml();
    reply.header('cache-control', 'no-cache');
    if (html === undefined) return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply.type('text/html; charset=utf-8').send(html);
  };

  await app.register(fastifyStatic, {
    root: join(dir, 'assets'),
    prefix: '/assets/',
    // Assets carry a content hash in their names: cache them for a year.
    immutable: true,
    maxAge: '365d',
    index: false,
    decorateReply: false,
  });
  for (const path of appRoutes) app.get(path, async (_request, reply) => sendIndex(reply));
}
