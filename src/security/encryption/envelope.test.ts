// Envelope encryption: confidentiality, integrity, context binding and rotation without re-encrypting payloads.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptEnvelope, encryptEnvelope, envelopeKeyId, isEnvelope, rewrapEnvelope, type KeyRing } from './envelope.ts';
import { loadKeyRing, rotateKeyFile } from './key-ring.ts';

const vcf = Buffer.from('##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\nchr10\t94781859\trs4244285\tG\tA\t.\tPASS\t.\tGT\t0/1\n');
const ring = (primary: string, ...ids: string[]): KeyRing => ({ primary, keys: new Map(ids.map((id) => [id, randomBytes(32)])) });

describe('envelope encryption', () => {
  it('round-trips and hides the plaintext', () => {
    const r = ring('a', 'a');
    const sealed = encryptEnvelope(r, vcf, 'Binary/1');
    expect(isEnvelope(sealed)).toBe(true);
    expect(sealed.includes(Buffer.from('rs4244285'))).toBe(false);
    expect(decryptEnvelope(r, sealed, 'Binary/1').equals(vcf)).toBe(true);
  });

  it('uses a fresh data key each time (same input, different ciphertext)', () => {
    const r = ring('a', 'a');
    expect(encryptEnvelope(r, vcf, 'x').equals(encryptEnvelope(r, vcf, 'x'))).toBe(false);
  });

  it('detects tampering and a ciphertext moved to another record', () => {
    const r = ring('a', 'a');
    const sealed = encryptEnvelope(r, vcf, 'Binary/1');
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 3]! ^= 0x01;
    expect(() => decryptEnvelope(r, flipped, 'Binary/1')).toThrow(/integrity/);
    expect(() => decryptEnvelope(r, sealed, 'Binary/2')).toThrow(/integrity/);
    expect(() => decryptEnvelope(r, sealed.subarray(0, 20), 'Binary/1')).toThrow(/truncated/);
  });

  it('re-wraps under a new primary key without touching the payload, and the old key can then go', () => {
    const old = ring('k1', 'k1');
    const sealed = encryptEnvelope(old, vcf, 'Binary/9');
    const rotated: KeyRing = { primary: 'k2', keys: new Map([...old.keys, ['k2', randomBytes(32)]]) };
    const rewrapped = rewrapEnvelope(rotated, sealed, 'Binary/9');
    expect(envelopeKeyId(rewrapped)).toBe('k2');
    expect(rewrapped.subarray(rewrapped.length - vcf.length).equals(sealed.subarray(sealed.length - vcf.length))).toBe(true);
    const onlyNew: KeyRing = { primary: 'k2', keys: new Map([['k2', rotated.keys.get('k2')!]]) };
    expect(decryptEnvelope(onlyNew, rewrapped, 'Binary/9').equals(vcf)).toBe(true);
    expect(() => decryptEnvelope(onlyNew, sealed, 'Binary/9')).toThrow(/k1/);
  });
});

describe('key ring', () => {
  it('creates a key file with mode 0600 on first use, then reloads the same keys', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'flaura-keys-')), 'keys', 'master-keys.json');
    const first = loadKeyRing(file, {});
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadKeyRing(file, {});
    expect(again.primary).toBe(first.primary);
    expect(again.keys.get(first.primary)!.equals(first.keys.get(first.primary)!)).toBe(true);
  });

  it('rotation adds a new primary and keeps the old key', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'flaura-keys-')), 'master-keys.json');
    const first = loadKeyRing(file, {});
    const rotated = rotateKeyFile(file, new Date('2030-01-01T00:00:00Z'));
    expect(rotated.primary).not.toBe(first.primary);
    expect(rotated.keys.has(first.primary)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8')).primary).toBe(rotated.primary);
  });

  it('takes keys from FLAURA_MASTER_KEYS and rejects a wrong-sized key', () => {
    const key = randomBytes(32).toString('base64');
    const r = loadKeyRing('/nonexistent/keys.json', { FLAURA_MASTER_KEYS: JSON.stringify({ primary: 'env1', keys: { env1: key } }) });
    expect(r.primary).toBe('env1');
    expect(() => loadKeyRing('/nonexistent/keys.json', { FLAURA_MASTER_KEYS: JSON.stringify({ primary: 'x', keys: { x: 'c2hvcnQ=' } }) })).toThrow(/32 bytes/);
  });
});
