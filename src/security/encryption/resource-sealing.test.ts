// Sensitive resources are encrypted whole at rest; ordinary ones are stored as they are.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Binary, Observation } from '@medplum/fhirtypes';
import { createResourceSealer, isSealed, isSensitive } from './resource-sealing.ts';

const ring = { primary: 'k1', keys: new Map([['k1', randomBytes(32)]]) };
const genomic: Observation = {
  resourceType: 'Observation',
  id: 'gx1',
  meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'GDIS' }] },
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '84413-4', display: 'Genotype display name' }] },
  valueCodeableConcept: { text: 'CYP2C19 *2/*2' },
};

describe('resource sealing', () => {
  const sealer = createResourceSealer(ring);

  it('encrypts Binary and GDIS-labelled resources, keeping type, id and meta readable', () => {
    const binary: Binary = { resourceType: 'Binary', id: 'vcf1', contentType: 'text/vcf', data: Buffer.from('chr10\t94781859').toString('base64') };
    expect(isSensitive(binary)).toBe(true);
    const sealed = sealer.seal(genomic);
    expect(isSealed(sealed)).toBe(true);
    expect(JSON.stringify(sealed)).not.toContain('CYP2C19');
    expect(sealed.meta).toEqual(genomic.meta);
    expect(sealer.open(sealed)).toEqual(genomic);
  });

  it('leaves an unlabelled resource untouched', () => {
    const plain: Observation = { ...genomic, meta: {} };
    expect(sealer.seal(plain)).toBe(plain);
    expect(sealer.open(plain)).toBe(plain);
  });

  it('refuses a sealed resource swapped onto another id', () => {
    const sealed = sealer.seal(genomic) as unknown as Record<string, unknown>;
    expect(() => sealer.open({ ...sealed, id: 'other' } as unknown as Observation)).toThrow(/integrity/);
  });
});
