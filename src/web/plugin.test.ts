// The web plugin: app routes answer index.html (deep links, reloads), assets are cached for good, API paths that do
// not exist still 404, and a missing build says how to build instead of failing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webPlugin } from './plugin.ts';

describe('web plugin', () => {
  let dir: string;
  let app: FastifyInstance;
  let bare: FastifyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flaura-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Flaura test build</title>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    app = Fastify();
    await app.register(webPlugin, { dir });
    app.get('/fhir/metadata', async () => ({ resourceType: 'CapabilityStatement' }));
    bare = Fastify();
    await bare.register(webPlugin, { dir: join(dir, 'absent') });
  });
  afterAll(async () => {
    await app.close();
    await bare.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['/', '/callback?code=x&state=y', '/patients', '/patients/demo-maria/genomics', '/alerts', '/import', '/portal', '/portal/consents'])('serves index.html at %s', async (url) => {
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('Flaura test build');
  });

  it('serves hashed assets with a year of immutable caching', async () => {
    const res = await app.inject({ url: '/assets/index-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toContain('immutable');
    expect(res.headers['cache-control']).toContain('max-age=31536000');
  });

  it('leaves unknown paths and API routes alone', async () => {
    expect((await app.inject({ url: '/wearables/nosuch' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/assets/missing.js' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/fhir/metadata' })).json()).toEqual({ resourceType: 'CapabilityStatement' });
  });

  it('answers 503 with build instructions when the app is not built', async () => {
    const res = await bare.inject({ url: '/patients' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build:web');
  });
});
