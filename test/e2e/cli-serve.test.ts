// `flaura serve` as an operator runs it: a real process on the embedded database, one owner per data directory,
// graceful shutdown that finishes in-flight requests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKind } from '../test-db.ts';
import { operatorToken, startServe } from './serve-process.ts';

// One process is enough to check the command; it runs once, not per database.
describe.runIf(testDbKind === 'pglite')('flaura serve', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flaura-serve-'));
  let server: ReturnType<typeof startServe>;
  let url: string;

  beforeAll(async () => {
    server = startServe(dataDir);
    url = await server.url;
  }, 60_000);

  afterAll(() => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints its URL and answers /healthz and the FHIR base', async () => {
    expect(server.output()).toMatch(/FHIR base: http:\/\/127\.0\.0\.1:\d+\/fhir/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const metadata = await fetch(`${url}/fhir/metadata`);
    expect(metadata.status).toBe(200);
  });

  it('needs a token for the FHIR API; `flaura token` prints one the running server accepts', async () => {
    const anonymous = await fetch(`${url}/fhir/Patient`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const token = operatorToken(dataDir, '--role', 'admin');
    expect((await fetch(`${url}/fhir/Patient`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const patientToken = operatorToken(dataDir, '--role', 'patient', '--patient', 'demo-maria', '--scope', 'patient/Observation.rs');
    const claims = JSON.parse(Buffer.from(patientToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ role: 'patient', patient: 'demo-maria', scope: 'patient/Observation.rs', aud: `${url}/fhir` });
  });

  it('refuses a second server on the same data directory, naming the owner', async () => {
    const second = startServe(dataDir);
    await expect(second.url).rejects.toThrow(/in use by process \d+/);
    expect(await second.exited).not.toBe(0);
  });

  it('finishes an in-flight request on SIGTERM', async () => {
    const entries = Array.from({ length: 400 }, (_, i) => ({
      resource: { resourceType: 'Patient', name: [{ family: `Inflight${i}` }] },
      request: { method: 'POST', url: 'Patient' },
    }));
    const token = operatorToken(dataDir, '--role', 'admin');
    const inFlight = fetch(`${url}/fhir`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: entries }),
    });
    await new Promise((r) => setTimeout(r, 50));
    server.child.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { entry: unknown[] }).entry).toHaveLength(400);
  });

  // Under load this hung until the 30 s shutdown timeout: a client's spare connection that never sent a byte is
  // not "idle" to Node and stayed open until headersTimeout; close() now closes such connections too.
  it('exits 0 after SIGTERM once in-flight requests are done', async () => {
    expect(await server.exited, server.output()).toBe(0);
  });
});
