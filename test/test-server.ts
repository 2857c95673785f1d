// A complete Flaura server on a fresh test database, driven through Fastify's inject() (no socket) or a real port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { loadConfig, type FlauraConfig } from '../src/config.ts';
import { createFlaura, type Flaura } from '../src/server.ts';
import { createTestDb, type TestDb } from './test-db.ts';

export interface TestServer {
  flaura: Flaura;
  testDb: TestDb;
  /** Sends a request to the FHIR API; `path` is below /fhir. */
  fhir(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<FhirTestResponse>;
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
  return {
    flaura,
    testDb,
    async fhir(method, path, body, headers = {}) {
      const hasBody = body !== undefined;
      const res = await flaura.app.inject({
        method: method as 'GET',
        url: `/fhir/${path.replace(/^\//, '')}`,
        headers: { ...(hasBody ? { 'content-type': 'application/fhir+json' } : {}), ...headers },
        ...(hasBody ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      let parsed: Resource & Record<string, unknown> = undefined as never;
      if (res.body) {
        try {
          parsed = JSON.parse(res.body);
        } catch {
          // leave undefined: the test will see `text`
        }
      }
      return { status: res.statusCode, headers: res.headers, body: parsed, text: res.body };
    },
    async close() {
      await flaura.close();
      await testDb.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
