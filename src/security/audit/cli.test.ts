// `flaura audit verify` against a real embedded data directory: OK after traffic, the first broken link after a row
// is changed in SQL, and a missing link.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import { openDb } from '../../db/index.ts';
import { createFlaura } from '../../server.ts';
import { auditVerify, formatVerifyResult } from './cli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'flaura-audit-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('flaura audit verify', () => {
  it('reports OK, then the first broken link after tampering', async () => {
    const flaura = await createFlaura(loadConfig({ dataDir, port: 0, logLevel: 'silent', publicUrl: 'http://flaura.test' }, {}));
    const token = (await flaura.auth.mint({ role: 'clinician', subject: 'test:clinician', clientId: 'test' })).accessToken;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' };
    const created = await flaura.app.inject({ method: 'POST', url: '/fhir/Patient', headers, payload: JSON.stringify({ resourceType: 'Patient' }) });
    expect(created.statusCode).toBe(201);
    for (let i = 0; i < 4; i++) await flaura.app.inject({ method: 'GET', url: `/fhir/Patient/${JSON.parse(created.body).id}`, headers });
    await flaura.close(); // flushes the queue into the event log
    // The consumer stores the remaining records on the next start; let it run once more.
    const again = await createFlaura(loadConfig({ dataDir, port: 0, logLevel: 'silent', publicUrl: 'http://flaura.test' }, {}));
    await again.events.waitForIdle(20_000);
    await again.close();

    const ok = await auditVerify({ data: dataDir }, {});
    expect(ok).toMatchObject({ ok: true });
    expect(ok.links).toBe(5);
    expect(formatVerifyResult(ok)).toBe('Audit chain OK: 5 records verified.');

    const db = await openDb({ dataDir });
    const { rows } = await db.query<{ audit_id: string }>('SELECT audit_id FROM security_audit_chain WHERE seq = 3');
    await db.query(`UPDATE fhir_resource SET content = jsonb_set(content, '{action}', '"D"'::jsonb) WHERE resource_type = 'AuditEvent' AND id = $1`, [rows[0]!.audit_id]);
    await db.close();
    const broken = await auditVerify({ data: dataDir }, {});
    expect(broken).toMatchObject({ ok: false, seq: 3, links: 2, auditId: rows[0]!.audit_id });
    expect(formatVerifyResult(broken)).toContain('BROKEN at link 3');

    // Repairing the record makes it verify again; removing a link is then found.
    const db2 = await openDb({ dataDir });
    await db2.query(`UPDATE fhir_resource SET content = jsonb_set(content, '{action}', '"R"'::jsonb) WHERE resource_type = 'AuditEvent' AND id = $1`, [rows[0]!.audit_id]);
    await db2.close();
    expect((await auditVerify({ data: dataDir }, {})).ok).toBe(true);
    const db3 = await openDb({ dataDir });
    await db3.query('DELETE FROM security_audit_chain WHERE seq = 4');
    await db3.close();
    expect(await auditVerify({ data: dataDir }, {})).toMatchObject({ ok: false, seq: 5, problem: 'link 4 is missing (the next link is 5)' });
  }, 120_000);
});
