// `flaura keys rotate` on a real embedded data directory: sealed resources, their history and the signing keys are
// re-wrapped under a new master key, old keys can then be dropped, and everything still opens and verifies.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import { openDb } from '../../db/index.ts';
import { createFlaura } from '../../server.ts';
import { testDbKind } from '../../../test/test-db.ts';
import { masterKeyFile, rotateKeys } from './cli.ts';
import { keyIdsInUse } from './rotate.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'flaura-keys-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const config = () => loadConfig({ dataDir, port: 0, logLevel: 'silent', publicUrl: 'http://flaura.test' }, {});
const keyFile = () => JSON.parse(readFileSync(masterKeyFile(dataDir), 'utf8')) as { primary: string; keys: Record<string, string> };

// The command opens an embedded data directory itself; one database kind is enough.
describe.skipIf(testDbKind === 'postgres')('flaura keys rotate', () => {
  it('re-wraps every sealed payload under a new key; old keys can go; data and tokens still work', async () => {
    const flaura = await createFlaura(config());
    const token = (await flaura.auth.mint({ role: 'admin', subject: 'test:admin', clientId: 'test' })).accessToken;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' };
    const vcf = Buffer.from('##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n').toString('base64');
    const binary = JSON.parse((await flaura.app.inject({ method: 'POST', url: '/fhir/Binary', headers, payload: JSON.stringify({ resourceType: 'Binary', contentType: 'text/vcf', data: vcf }) })).body) as { id: string };
    const obs = { resourceType: 'Observation', status: 'preliminary', code: { coding: [{ system: 'http://loinc.org', code: '53040-2' }] }, valueString: 'CYP2C19 *2/*2' };
    const created = JSON.parse((await flaura.app.inject({ method: 'POST', url: '/fhir/Observation', headers, payload: JSON.stringify(obs) })).body) as { id: string };
    await flaura.app.inject({ method: 'PUT', url: `/fhir/Observation/${created.id}`, headers, payload: JSON.stringify({ ...obs, id: created.id, status: 'final' }) });
    await flaura.close();
    const before = keyFile().primary;

    const rotated = await rotateKeys({ data: dataDir }, {});
    expect(rotated.primary).not.toBe(before);
    expect(rotated).toMatchObject({ resources: 2, history: 3, dropped: [] });
    expect(rotated.signingKeys).toBeGreaterThanOrEqual(1);
    const db = await openDb({ dataDir });
    expect([...(await keyIdsInUse(db))]).toEqual([rotated.primary]);
    const raw = (await db.query<{ content: unknown }>("SELECT content FROM fhir_resource WHERE resource_type = 'Observation' AND id = $1", [created.id])).rows[0]!.content;
    expect(JSON.stringify(raw)).not.toContain('CYP2C19');
    await db.close();
    expect(Object.keys(keyFile().keys)).toEqual(expect.arrayContaining([before, rotated.primary]));

    // Again, dropping what nothing uses: only the newest key is left in the file.
    const again = await rotateKeys({ data: dataDir, dropOld: true }, {});
    expect(again.dropped.sort()).toEqual([before, rotated.primary].sort());
    expect(Object.keys(keyFile().keys)).toEqual([again.primary]);

    const reopened = await createFlaura(config());
    try {
      // The token signed before both rotations still verifies (signing keys were re-wrapped, not replaced).
      const read = await reopened.app.inject({ method: 'GET', url: `/fhir/Observation/${created.id}`, headers });
      expect(read.statusCode).toBe(200);
      expect(JSON.parse(read.body)).toMatchObject({ status: 'final', valueString: 'CYP2C19 *2/*2' });
      const v1 = await reopened.app.inject({ method: 'GET', url: `/fhir/Observation/${created.id}/_history/1`, headers });
      expect(JSON.parse(v1.body)).toMatchObject({ status: 'preliminary' });
      expect(JSON.parse((await reopened.app.inject({ method: 'GET', url: `/fhir/Binary/${binary.id}`, headers: { ...headers, accept: 'application/fhir+json' } })).body)).toMatchObject({ data: vcf });
      const fresh = (await reopened.auth.mint({ role: 'admin', subject: 'test:admin', clientId: 'test' })).accessToken;
      expect((await reopened.app.inject({ method: 'GET', url: '/fhir/Patient', headers: { authorization: `Bearer ${fresh}` } })).statusCode).toBe(200);
    } finally {
      await reopened.close();
    }
  }, 120_000);

  it('refuses to rotate keys that come from the environment, saying what to do', async () => {
    await expect(rotateKeys({ data: dataDir }, { FLAURA_MASTER_KEYS: '{"primary":"a","keys":{}}' })).rejects.toThrow(/flaura keys rewrap/);
  });
});
