// A standard FHIR client from npm (fhir-kit-client) talks to a listening Flaura over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'fhir-kit-client';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../../../test/test-server.ts';
import { testDbKind } from '../../../test/test-db.ts';

describe(`fhir-kit-client against Flaura on ${testDbKind}`, () => {
  let s: TestServer;
  let client: Client;
  beforeAll(async () => {
    s = await startTestServer({ publicUrl: undefined });
    const url = await s.flaura.listen();
    // Tokens name the listening address as their audience, so the token is minted after listen().
    client = new Client({ baseUrl: `${url}/fhir`, bearerToken: await s.token({ role: 'admin' }) });
  });
  afterAll(async () => {
    await s.close();
  });

  it('reads the CapabilityStatement', async () => {
    const cs = (await client.capabilityStatement()) as unknown as { fhirVersion: string };
    expect(cs.fhirVersion).toBe('4.0.1');
  });

  it('creates, reads, updates, searches and deletes a Patient', async () => {
    const created = (await client.create({
      resourceType: 'Patient',
      body: { resourceType: 'Patient', name: [{ family: 'Chikwanha', given: ['Tendai'] }], gender: 'male', birthDate: '1979-06-02' },
    })) as Patient;
    expect(created.id).toBeDefined();
    const read = (await client.read({ resourceType: 'Patient', id: created.id! })) as Patient;
    expect(read.name?.[0]?.family).toBe('Chikwanha');
    const updated = (await client.update({ resourceType: 'Patient', id: created.id!, body: { ...read, active: true } })) as Patient;
    expect(updated.meta?.versionId).toBe('2');
    const found = (await client.search({ resourceType: 'Patient', searchParams: { family: 'Chikwanha' } })) as unknown as Bundle;
    expect(found.entry?.map((e) => e.resource?.id)).toContain(created.id);
    await client.delete({ resourceType: 'Patient', id: created.id! });
    await expect(client.read({ resourceType: 'Patient', id: created.id! })).rejects.toMatchObject({ response: { status: 410 } });
  });

  it('posts a transaction bundle', async () => {
    const result = (await client.transaction({
      body: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ fullUrl: 'urn:uuid:5b1f4c5e-7a3d-4d8e-9f2a-1c2b3d4e5f60', resource: { resourceType: 'Patient', name: [{ family: 'Moyo' }] }, request: { method: 'POST', url: 'Patient' } }],
      },
    })) as unknown as Bundle;
    expect(result.type).toBe('transaction-response');
    expect(result.entry?.[0]?.response?.status).toBe('201');
  });
});
