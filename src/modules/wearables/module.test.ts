// The wearables module through HTTP: live ingest from a device (idempotent on retry) and a chart query.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/test-server.ts';
import { testDbKind } from '../../../test/test-db.ts';

const ndjson = readFileSync(join(import.meta.dirname, 'fixtures', 'omh-data-points.ndjson'), 'utf8');

describe(`wearables module on ${testDbKind}`, () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  // Samples come from a device client bound to the patient (an admin may not post them).
  const post = async (body: string, key: string) =>
    s.request('POST', '/wearables/samples?patient=demo-grace', body, { 'content-type': 'application/x-ndjson', 'idempotency-key': key, authorization: `Bearer ${await s.token({ role: 'device', patientId: 'demo-grace', clientId: 'phone-app' })}` });

  it('stores Open mHealth samples, and a retried batch adds nothing', async () => {
    const first = await post(ndjson, 'batch-1');
    expect(first.status).toBe(200);
    const result = JSON.parse(first.text) as { inserted: number; duplicates: number };
    expect(result.inserted).toBeGreaterThan(0);
    const retry = JSON.parse((await post(ndjson, 'batch-1-retry')).text) as { inserted: number; duplicates: number };
    expect(retry.inserted).toBe(0);
    expect(retry.duplicates).toBe(result.inserted);
  });

  it('answers a chart query over the stored heart rate', async () => {
    const res = await s.request('GET', '/wearables/chart?patient=demo-grace&metric=heart-rate&from=2024-03-01T00:00:00Z&to=2024-03-02T00:00:00Z&points=100');
    expect(res.status).toBe(200);
    const chart = JSON.parse(res.text) as { points: { v: number }[] };
    expect(chart.points.length).toBeGreaterThan(0);
  });

  it('rejects bad input with an OperationOutcome', async () => {
    const badPatient = await s.request('GET', '/wearables/chart?patient=no%20spaces&metric=heart-rate&from=2024-01-01&to=2024-01-02');
    expect(badPatient.status).toBe(400);
    expect(JSON.parse(badPatient.text).resourceType).toBe('OperationOutcome');
    const badMetric = await s.request('GET', '/wearables/chart?patient=p1&metric=vibes&from=2024-01-01&to=2024-01-02');
    expect(badMetric.status).toBe(400);
  });
});
