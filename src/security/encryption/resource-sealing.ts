// Encrypts whole resources at rest when they are sensitive (Binary, or labelled as data/security/sensitive-labels.json
// says). The stored form keeps resourceType, id and meta readable so storage and auditing still work.
import type { Resource } from '@medplum/fhirtypes';
import labels from '../../../data/security/sensitive-labels.json' with { type: 'json' };
import { decryptEnvelope, encryptEnvelope, rewrapEnvelope, type KeyRing } from './envelope.ts';

const SEALED_KEY = '_sealed';

interface SealedResource {
  resourceType: string;
  id?: string;
  meta?: Resource['meta'];
  [SEALED_KEY]: string;
}

const sensitiveLabels = new Set(labels.labels.map((l) => `${l.system}|${l.code}`));
const alwaysEncrypted = new Set(labels.alwaysEncryptedTypes);

/** True when a resource must be encrypted at rest. */
export function isSensitive(resource: Resource): boolean {
  if (alwaysEncrypted.has(resource.resourceType)) return true;
  return (resource.meta?.security ?? []).some((c) => sensitiveLabels.has(`${c.system}|${c.code}`));
}

export function isSealed(stored: unknown): stored is SealedResource {
  return typeof stored === 'object' && stored !== null && SEALED_KEY in stored;
}

export interface ResourceSealer {
  /** The form to store: the resource itself, or its sealed envelope when sensitive. */
  seal(resource: Resource): Resource;
  /** The resource from its stored form (sealed or not). */
  open<T extends Resource>(stored: T): T;
  /** Re-wraps a sealed form under the current primary key (key rotation). */
  rewrap(stored: Resource): Resource;
}

export function createResourceSealer(ring: KeyRing): ResourceSealer {
  const context = (r: { resourceType: string; id?: string }) => `${r.resourceType}/${r.id ?? ''}`;
  return {
    seal(resource) {
      if (!isSensitive(resource)) return resource;
      const envelope = encryptEnvelope(ring, Buffer.from(JSON.stringify(resource), 'utf8'), context(resource));
      const sealed: SealedResource = { resourceType: resource.resourceType, id: resource.id, meta: resource.meta, [SEALED_KEY]: envelope.toString('base64') };
      return sealed as unknown as Resource;
    },
    open<T extends Resource>(stored: T): T {
      if (!isSealed(stored)) return stored;
      const plain = decryptEnvelope(ring, Buffer.from(stored[SEALED_KEY], 'base64'), context(stored));
      return JSON.parse(plain.toString('utf8')) as T;
    },
    rewrap(stored) {
      if (!isSealed(stored)) return stored;
      const envelope = rewrapEnvelope(ring, Buffer.from(stored[SEALED_KEY], 'base64'), context(stored));
      return { ...stored, [SEALED_KEY]: envelope.toString('base64') } as unknown as Resource;
    },
  };
}
