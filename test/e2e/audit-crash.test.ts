// Nothing lost on a crash: audit records still waiting in memory when `flaura serve` is killed (SIGKILL) are in the
// trail after the next start, because every record is journalled on disk before the request answers.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Bundle } from '@medplum/fhirtypes';
import { testDbKind } from '../test-db.ts';
import { operatorToken, startServe, type ServeProcess } from './serve-process.ts';

// One embedded process is enough to check the journal; it runs once, not per database.
describe.runIf(testDbKind === 'pglite')('audit trail across a killed process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flaura-audit-crash-'));
  const servers: ServeProcess[] = [];
  afterAll(() => {
    for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes the journalled records of a SIGKILLed server on the next start', async () => {
    // Records would wait ten minutes in memory: whatever is in the trail later came from the journal.
    const first = startServe(dataDir, { FLAURA_AUDIT_FLUSH_MS: '600000' });
    servers.push(first);
    const url = await first.url;
    const headers = { authorization: `Bearer ${operatorToken(dataDir, '--role', 'admin')}`, 'content-type': 'application/fhir+json' };
    const created = await fetch(`${url}/fhir/Patient`, { method: 'POST', headers, body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Crash' }] }) });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: string }).id;
    for (let i = 0; i < 3; i++) expect((await fetch(`${url}/fhir/Patient/${id}`, { headers })).status).toBe(200);
    first.child.kill('SIGKILL');
    await first.exited;
    const journal = join(dataDir, 'audit-journal');
    expect(existsSync(journal) && readdirSync(journal).length).toBeGreaterThan(0);

    const second = startServe(dataDir);
    servers.push(second);
    const url2 = await second.url;
    const headers2 = { authorization: `Bearer ${operatorToken(dataDir, '--role', 'admin')}` };
    const subtypes = async () => {
      const found = (await (await fetch(`${url2}/fhir/AuditEvent?entity=Patient/${id}&_count=50`, { headers: headers2 })).json()) as Bundle;
      return (found.entry ?? []).map((e) => (e.resource as { subtype: { code: string }[] }).subtype[0]!.code).sort();
    };
    await expect.poll(subtypes, { timeout: 20_000, interval: 250 }).toEqual(['create', 'read', 'read', 'read']);
    // The dead process's journal was adopted and, once published, removed.
    await expect.poll(() => readdirSync(journal).filter((d) => readdirSync(join(journal, d)).some((f) => f.endsWith('.ndjson'))).length, { timeout: 10_000 }).toBe(0);
  }, 120_000);
});
