// Authenticated envelope encryption (AES-256-GCM): a fresh data key per payload, wrapped by a named master key.
// Rotation re-wraps data keys only, so large payloads (VCFs, documents) are never re-encrypted.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { FlauraError } from '../../errors.ts';

const MAGIC = Buffer.from('FLE1');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const WRAPPED_BYTES = IV_BYTES + KEY_BYTES + TAG_BYTES;

/** Master keys by id; `primary` encrypts, every key in the ring can decrypt. */
export interface KeyRing {
  primary: string;
  keys: ReadonlyMap<string, Buffer>;
}

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

function open(key: Buffer, iv: Buffer, ciphertext: Buffer, tag: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new FlauraError('DECRYPTION_FAILED', 500, 'Encrypted data failed its integrity check (tampered, or the wrong context or key)', { type: 'security' });
  }
}

/** True when `data` starts with the envelope magic bytes. */
export function isEnvelope(data: Buffer): boolean {
  return data.length > MAGIC.length && data.subarray(0, MAGIC.length).equals(MAGIC);
}

/**
 * Encrypts `plaintext`. `context` (e.g. `Binary/123`) is bound as additional authenticated data, so a ciphertext
 * moved to another record fails to decrypt. Layout: magic | kid length (1 byte) | kid | wrapped key | iv | tag | data.
 */
export function encryptEnvelope(ring: KeyRing, plaintext: Buffer, context: string): Buffer {
  const kek = ring.keys.get(ring.primary);
  if (!kek) throw new FlauraError('KEY_MISSING', 500, `Primary master key '${ring.primary}' is not in the key ring`);
  const kid = Buffer.from(ring.primary, 'utf8');
  if (kid.length > 255) throw new FlauraError('KEY_ID_TOO_LONG', 500, 'Master key ids are at most 255 bytes');
  const dek = randomBytes(KEY_BYTES);
  const aad = Buffer.from(context, 'utf8');
  const wrapped = seal(kek, dek, Buffer.concat([kid, aad]));
  const body = seal(dek, plaintext, aad);
  return Buffer.concat([MAGIC, Buffer.from([kid.length]), kid, wrapped.iv, wrapped.ciphertext, wrapped.tag, body.iv, body.tag, body.ciphertext]);
}

interface ParsedEnvelope {
  kid: string;
  wrapped: Buffer;
  rest: Buffer;
}

function parse(envelope: Buffer): ParsedEnvelope {
  if (!isEnvelope(envelope)) throw new FlauraError('NOT_ENCRYPTED', 500, 'Data is not a Flaura envelope');
  const kidLength = envelope[MAGIC.length]!;
  const kidStart = MAGIC.length + 1;
  const wrappedStart = kidStart + kidLength;
  const restStart = wrappedStart + WRAPPED_BYTES;
  if (envelope.length < restStart + IV_BYTES + TAG_BYTES) throw new FlauraError('DECRYPTION_FAILED', 500, 'Encrypted data is truncated', { type: 'security' });
  return { kid: envelope.subarray(kidStart, wrappedStart).toString('utf8'), wrapped: envelope.subarray(wrappedStart, restStart), rest: envelope.subarray(restStart) };
}

function unwrapKey(ring: KeyRing, env: ParsedEnvelope, aad: Buffer): Buffer {
  const kek = ring.keys.get(env.kid);
  if (!kek) throw new FlauraError('KEY_MISSING', 500, `Master key '${env.kid}' needed to decrypt is not in the key ring`);
  const iv = env.wrapped.subarray(0, IV_BYTES);
  const ct = env.wrapped.subarray(IV_BYTES, IV_BYTES + KEY_BYTES);
  const tag = env.wrapped.subarray(IV_BYTES + KEY_BYTES);
  return open(kek, iv, ct, tag, Buffer.concat([Buffer.from(env.kid, 'utf8'), aad]));
}

export function decryptEnvelope(ring: KeyRing, envelope: Buffer, context: string): Buffer {
  const env = parse(envelope);
  const aad = Buffer.from(context, 'utf8');
  const dek = unwrapKey(ring, env, aad);
  const iv = env.rest.subarray(0, IV_BYTES);
  const tag = env.rest.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  return open(dek, iv, env.rest.subarray(IV_BYTES + TAG_BYTES), tag, aad);
}

/** The master key id an envelope was wrapped with (to find what a rotation still has to re-wrap). */
export function envelopeKeyId(envelope: Buffer): string {
  return parse(envelope).kid;
}

/** Re-wraps the data key under the ring's primary key; the payload bytes are copied, not re-encrypted. */
export function rewrapEnvelope(ring: KeyRing, envelope: Buffer, context: string): Buffer {
  const env = parse(envelope);
  if (env.kid === ring.primary) return envelope;
  const aad = Buffer.from(context, 'utf8');
  const dek = unwrapKey(ring, env, aad);
  const kid = Buffer.from(ring.primary, 'utf8');
  const wrapped = seal(ring.keys.get(ring.primary)!, dek, Buffer.concat([kid, aad]));
  return Buffer.concat([MAGIC, Buffer.from([kid.length]), kid, wrapped.iv, wrapped.ciphertext, wrapped.tag, env.rest]);
}
