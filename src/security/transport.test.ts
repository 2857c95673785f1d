// Transport: HTTPS with given certificate files (self-signed, made here with openssl) and HSTS, secure headers,
// CORS allow-list, per-client rate limiting.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/test-server.ts';
import { testDbKind } from '../../test/test-db.ts';
import { loadConfig } from '../config.ts';
import { loadTlsFiles } from './transport.ts';

function httpsGet(url: string, ca: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe(`transport security on ${testDbKind}`, () => {
  describe('HTTPS', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flaura-tls-'));
    let s: TestServer;
    let url: string;
    let cert: Buffer;
    beforeAll(async () => {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      cert = readFileSync(join(dir, 'cert.pem'));
      s = await startTestServer({ tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem'), publicUrl: undefined, host: '127.0.0.1' });
      url = await s.flaura.listen();
    });
    afterAll(async () => {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('serves HTTPS with the given certificate, sends HSTS, and tokens name the https FHIR base', async () => {
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const health = await httpsGet(`${url}/healthz`, cert);
      expect(health.status).toBe(200);
      expect(health.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      const token = await s.token({ role: 'admin' });
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { aud: string };
      expect(claims.aud).toBe(`${url}/fhir`);
      const patients = await httpsGet(`${url}/fhir/Patient`, cert, { authorization: `Bearer ${token}` });
      expect(patients.status).toBe(200);
      expect((await httpsGet(`${url}/fhir/Patient`, cert)).status).toBe(401);
    });

    it('refuses a half TLS configuration and unreadable files with a clear error', () => {
      expect(() => loadConfig({ tlsCert: join(dir, 'cert.pem') }, {})).toThrow(/both FLAURA_TLS_CERT and FLAURA_TLS_KEY/);
      expect(() => loadConfig({}, { FLAURA_TLS_KEY: join(dir, 'key.pem') })).toThrow(/both/);
      expect(() => loadTlsFiles(join(dir, 'missing.pem'), join(dir, 'key.pem'))).toThrow(/Cannot read the TLS certificate .*missing\.pem/);
    });
  });

  describe('headers, CORS and rate limiting', () => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startTestServer({ corsOrigins: ['https://app.example'], rateLimitPerMinute: 5 });
    });
    afterAll(async () => {
      await s.close();
    });

    it('secure headers on every response; no HSTS over plain HTTP', async () => {
      const res = await s.request('GET', '/healthz');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toBeUndefined();
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('form-action');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    });

    it('CORS: an allowed origin gets the preflight and the headers; others do not', async () => {
      const preflight = await s.flaura.app.inject({ method: 'OPTIONS', url: '/fhir/Patient', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example');
      expect(String(preflight.headers['access-control-allow-headers'])).toContain('authorization');
      const other = await s.flaura.app.inject({ method: 'OPTIONS', url: '/fhir/Patient', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const get = await s.fhir('GET', 'metadata', undefined, { origin: 'https://app.example' });
      expect(get.headers['access-control-allow-origin']).toBe('https://app.example');
      expect(String(get.headers['access-control-expose-headers'])).toContain('etag');
    });

    it('rate limit per client: the sixth request in a minute is a 429 OperationOutcome with Retry-After; another client is unaffected', async () => {
      const a = await s.token({ role: 'clinician', clientId: 'client-a' });
      const b = await s.token({ role: 'clinician', clientId: 'client-b' });
      for (let i = 0; i < 5; i++) expect((await s.fhir('GET', 'Patient', undefined, { authorization: `Bearer ${a}` })).status).toBe(200);
      const limited = await s.fhir('GET', 'Patient', undefined, { authorization: `Bearer ${a}` });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'throttled', details: { coding: [{ code: 'RATE_LIMITED' }] } }] });
      expect((await s.fhir('GET', 'Patient', undefined, { authorization: `Bearer ${b}` })).status).toBe(200);
      expect((await s.request('GET', '/healthz')).status).toBe(200);
    });
  });
});
