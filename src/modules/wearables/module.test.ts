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

  const upload = async (file: Buffer | string, contentType: string, token: string, query = 'patient=demo-maria') =>
    s.flaura.app.inject({ method: 'POST', url: `/wearables/import?${query}`, headers: { 'content-type': contentType, authorization: `Bearer ${token}` }, payload: file });

  it('imports an uploaded Apple Health export.zip for the care team, reporting rejected records; refuses other patients', async () => {
    const zip = readFileSync(join(import.meta.dirname, 'fixtures', 'export.zip'));
    const clinician = await s.token({ role: 'clinician' });
    const res = await upload(zip, 'application/zip', clinician, 'patient=demo-maria&timeZone=America/New_York');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { format: string; inserted: number; rejected: number; issues: { reason: string }[]; summaries: { published: number } };
    expect(body).toMatchObject({ format: 'apple-health', inserted: 17, rejected: 4 });
    expect(body.issues.map((i) => i.reason).join(' ')).toContain('stone');
    expect(body.summaries.published).toBeGreaterThan(0);
    const other = await s.token({ role: 'patient', patientId: 'demo-james' });
    expect((await upload(zip, 'application/zip', other)).statusCode).toBe(403);
    // A broken XML stores nothing.
    const before = await s.flaura.db.query<{ n: string }>(`SELECT count(*) AS n FROM wearable_sample WHERE patient_id = 'demo-tendai'`);
    const broken = await upload('<?xml version="1.0"?><HealthData><Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" unit="count/min" startDate="2024-03-01 08:00:00 +0000" endDate="2024-03-01 08:00:00 +0000" value="61"/><Record', 'application/xml', clinician, 'patient=demo-tendai');
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    const after = await s.flaura.db.query<{ n: string }>(`SELECT count(*) AS n FROM wearable_sample WHERE patient_id = 'demo-tendai'`);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('rejects bad input with an OperationOutcome', async () => {
    const badPatient = await s.request('GET', '/wearables/chart?patient=no%20spaces&metric=heart-rate&from=2024-01-01&to=2024-01-02');
    expect(badPatient.status).toBe(400);
    expect(JSON.parse(badPatient.text).resourceType).toBe('OperationOutcome');
    const badMetric = await s.request('GET', '/wearables/chart?patient=p1&metric=vibes&from=2024-01-01&to=2024-01-02');
    expect(badMetric.status).toBe(400);
  });
});
