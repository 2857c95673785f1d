// A complete Flaura server on a fresh test database, driven through Fastify's inject() (no socket) or a real port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { loadConfig, type FlauraConfig } from '../src/config.ts';
import { createFlaura, type Flaura } from '../src/server.ts';
import { createTestDb, type TestDb } from './test-db.ts';
import type { Role } from '../src/security/principal.ts';

export interface TokenOptions {
  role: Role;
  patientId?: string;
  fhirUser?: string;
  /** SMART scopes; default: the role's full context (`user/*.cruds`, `patient/*.cruds`, `system/*.cruds`). */
  scope?: string;
  clientId?: string;
  ttlSeconds?: number;
}

export interface TestServer {
  flaura: Flaura;
  testDb: TestDb;
  /**
   * Sends a request to the FHIR API; `path` is below /fhir. An admin token is sent unless `headers.authorization`
   * is given (`''` sends none).
   */
  fhir(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<FhirTestResponse>;
  /** Any route (`url` from the root, e.g. `/wearables/...`); JSON body; same authorization default as `fhir`. */
  request(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<FhirTestResponse>;
  /** A real access token signed by this server's keys. */
  token(options: TokenOptions): Promise<string>;
  close(): Promise<void>;
}

export interface FhirTestResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: Resource & Record<string, unknown>;
  text: string;
}

export async function startTestServer(overrides: Partial<FlauraConfig> = {}): Promise<TestServer> {
  const testDb = await createTestDb();
  const dataDir = mkdtempSync(join(tmpdir(), 'flaura-test-'));
  const config = loadConfig({ port: 0, logLevel: 'silent', publicUrl: 'http://flaura.test', dataDir, ...overrides });
  const flaura = await createFlaura(config, { db: testDb.db });
  const token = async (o: TokenOptions) =>
    (await flaura.auth.mint({ role: o.role, patientId: o.patientId, fhirUser: o.fhirUser, scope: o.scope, clientId: o.clientId ?? 'test', subject: `test:${o.role}`, ttlSeconds: o.ttlSeconds })).accessToken;
  let adminToken: string | undefined;
  const send = async (method: string, url: string, contentType: string, body: unknown, headers: Record<string, string>): Promise<FhirTestResponse> => {
    adminToken ??= await token({ role: 'admin' });
    const hasBody = body !== undefined;
    const all: Record<string, string> = { authorization: `Bearer ${adminToken}`, ...(hasBody ? { 'content-type': contentType } : {}), ...headers };
    if (all.authorization === '') delete all.authorization;
    const res = await flaura.app.inject({
      method: method as 'GET',
      url,
      headers: all,
      ...(hasBody ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    return toResponse(res);
  };
  return {
    flaura,
    testDb,
    token,
    fhir: (method, path, body, headers = {}) => send(method, `/fhir/${path.replace(/^\//, '')}`, 'application/fhir+json', body, headers),
    request: (method, url, body, headers = {}) => send(method, url, 'application/json', body, headers),
    async close() {
      await flaura.close();
      await testDb.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function toResponse(res: { statusCode: number; headers: FhirTestResponse['headers']; body: string }): FhirTestResponse {
  let parsed: Resource & Record<string, unknown> = undefined as never;
  if (res.body) {
    try {
      parsed = JSON.parse(res.body);
    } catch {
      // leave undefined: the test will see `text`
    }
  }
  return { status: res.statusCode, headers: res.headers, body: parsed, text: res.body };
}
