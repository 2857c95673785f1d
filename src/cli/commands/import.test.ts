// `flaura import`: NDJSON streamed in batches with bad lines reported by line number; Bundles as given.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../../../test/test-server.ts';
import { testDbKind } from '../../../test/test-db.ts';
import { importFiles } from './import.ts';

const dir = mkdtempSync(join(tmpdir(), 'flaura-import-'));
const ndjson = join(dir, 'patients.ndjson');
writeFileSync(
  ndjson,
  [
    JSON.stringify({ resourceType: 'Patient', id: 'nd-1', name: [{ family: 'Ndlovu' }] }),
    '{"resourceType": "Patient", "name": [',
    JSON.stringify({ resourceType: 'Patient', gender: 'nope' }),
    '',
    JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'Heart rate' }, subject: { reference: 'Patient/nd-1' } }),
    JSON.stringify({ resourceType: 'Patient', id: 'nd-2', name: [{ family: 'Sibanda' }] }),
  ].join('\n'),
);
const bundleFile = join(dir, 'collection.json');
writeFileSync(bundleFile, JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Organization', id: 'org-imp', name: 'Mpilo Clinic' } }] }));

describe(`import on ${testDbKind}`, () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('imports what is valid, reports each bad line with its number, and is idempotent for resources with ids', async () => {
    const send = async (bundle: Bundle) => (await s.fhir('POST', '', bundle)).body as unknown as Bundle;
    const summary = await importFiles([ndjson, bundleFile], send, { batchSize: 2 });
    expect(summary.imported).toEqual({ Patient: 2, Observation: 1, Organization: 1 });
    expect(summary.failures.map((f) => f.where)).toEqual([`${ndjson}:2`, `${ndjson}:3`]);
    expect(summary.failures[1]?.message).toMatch(/gender/);
    await importFiles([ndjson], send, { batchSize: 500 });
    const patients = (await s.fhir('GET', 'Patient?_id=nd-1,nd-2')).body as unknown as Bundle;
    expect(patients.entry).toHaveLength(2);
  });
});

describe.runIf(testDbKind === 'pglite')('flaura import (process)', () => {
  it('prints a summary and exits 1 when something failed', () => {
    const result = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', '..', 'bin', 'flaura.js'), 'import', ndjson, '--data', join(dir, 'data')], { encoding: 'utf8', env: { ...process.env, FLAURA_LOG_LEVEL: 'warn' } });
    expect(result.stdout).toMatch(/Imported 3 resources from 1 file/);
    expect(result.stdout).toMatch(/patients\.ndjson:2: not JSON/);
    expect(result.status).toBe(1);
  }, 60_000);
});
