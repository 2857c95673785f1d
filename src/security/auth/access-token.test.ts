// Access-token verification against attacks from the JWT literature: tampering, `alg: none`, HMAC with the public
// key as secret, wrong audience/issuer, expiry, revocation; and key rotation shared by several nodes.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT, decodeProtectedHeader } from 'jose';
import { migrate } from '../../db/index.ts';
import { createTestDb, type TestDb } from '../../../test/test-db.ts';
import type { KeyRing } from '../encryption/envelope.ts';
import { authMigrations } from './migrations.ts';
import { createAuthService, type AuthService } from './service.ts';

const ROOT = 'https://ehr.example.org';
const ring: KeyRing = { primary: 'k1', keys: new Map([['k1', randomBytes(32)]]) };
const settings = { accessTokenTtlSeconds: 300, refreshTokenTtlSeconds: 3600, signingKeyRotationDays: 30 };
let t: TestDb;
let clock = new Date('2026-03-01T10:00:00Z');
let auth: AuthService;

beforeAll(async () => {
  t = await createTestDb();
  await migrate(t.db, authMigrations);
  auth = createAuthService(t.db, ring, settings, { root: () => ROOT }, () => clock);
});
afterAll(async () => {
  await t.drop();
});

const bearer = (token: string) => `Bearer ${token}`;
async function rejects(header: string | undefined, code: string, message?: RegExp) {
  const err = await auth.authenticate(header).then(() => undefined, (e: unknown) => e);
  expect(err).toMatchObject({ code, status: 401 });
  expect((err as { headers: Record<string, string> }).headers['www-authenticate']).toMatch(/^Bearer realm="flaura"/);
  if (message) expect((err as Error).message).toMatch(message);
}

describe('access tokens', () => {
  it('a minted token authenticates as the principal it names', async () => {
    const { accessToken } = await auth.mint({ role: 'patient', patientId: 'demo-maria', fhirUser: 'Patient/demo-maria', scope: 'launch/patient patient/Observation.rs', clientId: 'app', subject: 'user:maria' });
    expect(decodeProtectedHeader(accessToken)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const p = await auth.authenticate(bearer(accessToken), '10.0.0.1');
    expect(p).toMatchObject({ subject: 'user:maria', role: 'patient', patientId: 'demo-maria', fhirUser: 'Patient/demo-maria', clientId: 'app', ip: '10.0.0.1', purposeOfUse: 'TREAT' });
    expect(p.scopes.map((g) => `${g.context}/${g.resourceType}`)).toEqual(['patient/Observation']);
    expect(p.tokenId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('no header, or not a Bearer header: 401 without and with invalid_request', async () => {
    await rejects(undefined, 'UNAUTHORIZED', /needs an access token/);
    await rejects('Basic YWRtaW46YWRtaW4=', 'UNAUTHORIZED', /Bearer/);
  });

  it('a tampered payload or signature fails', async () => {
    const { accessToken } = await auth.mint({ role: 'nurse' });
    const [h, p, s] = accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    await rejects(bearer(`${h}.${forged}.${s}`), 'TOKEN_INVALID', /signature/);
    const flipped = s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11);
    await rejects(bearer(`${h}.${p}.${flipped}`), 'TOKEN_INVALID');
    await rejects(bearer('not.a.jwt'), 'TOKEN_INVALID');
  });

  it('alg none is refused', async () => {
    const unsigned = new UnsecuredJWT({ role: 'admin', scope: 'user/*.cruds' }).setIssuer(ROOT).setAudience(`${ROOT}/fhir`).setSubject('x').setJti('j').setIssuedAt().setExpirationTime('1h').encode();
    await rejects(bearer(unsigned), 'TOKEN_INVALID');
  });

  it('HS256 signed with the public key as the secret (algorithm confusion) is refused', async () => {
    const { keys } = await auth.keys.jwks();
    const kid = keys[0]!.kid!;
    const token = await new SignJWT({ role: 'admin', scope: 'user/*.cruds' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
      .setIssuer(ROOT).setAudience(`${ROOT}/fhir`).setSubject('x').setJti('j2').setIssuedAt(Math.floor(clock.getTime() / 1000)).setExpirationTime(Math.floor(clock.getTime() / 1000) + 60)
      .sign(Buffer.from(JSON.stringify(keys[0])));
    await rejects(bearer(token), 'TOKEN_INVALID', /ES256/);
  });

  it('a token for another audience or from another issuer fails', async () => {
    const other = createAuthService(t.db, ring, settings, { root: () => 'https://other.example.org' }, () => clock);
    const { accessToken } = await other.mint({ role: 'admin' });
    await rejects(bearer(accessToken), 'TOKEN_INVALID', /issued by another/);
    // Same issuer but a different FHIR base as audience.
    const wrongAud = createAuthService(t.db, ring, settings, { root: () => ROOT }, () => clock);
    wrongAud.authority.audience = () => `${ROOT}/other-fhir`;
    await rejects(bearer((await wrongAud.mint({ role: 'admin' })).accessToken), 'TOKEN_INVALID', /audience/);
  });

  it('an expired token fails with TOKEN_EXPIRED; not before iat either', async () => {
    const { accessToken } = await auth.mint({ role: 'clinician', ttlSeconds: 60 });
    clock = new Date(clock.getTime() + 70_000);
    await rejects(bearer(accessToken), 'TOKEN_EXPIRED');
    clock = new Date(clock.getTime() - 3_600_000);
    await rejects(bearer(accessToken), 'TOKEN_INVALID', /not valid yet|iat/);
    clock = new Date(clock.getTime() + 3_600_000);
  });

  it('a revoked token fails', async () => {
    const minted = await auth.mint({ role: 'lab' });
    await auth.authenticate(bearer(minted.accessToken));
    await auth.authority.revocations.revoke(minted.jti, minted.expiresAt);
    await rejects(bearer(minted.accessToken), 'TOKEN_REVOKED');
  });

  it('refuses to mint an unknown role, a patient without patient id, or an invalid scope', async () => {
    await expect(auth.mint({ role: 'root' as never })).rejects.toMatchObject({ code: 'INVALID_ROLE' });
    await expect(auth.mint({ role: 'patient' })).rejects.toMatchObject({ code: 'INVALID_ROLE' });
    await expect(auth.mint({ role: 'admin', scope: 'user/*.everything' })).rejects.toMatchObject({ code: 'INVALID_SCOPE' });
  });
});

describe('signing keys: rotation shared through the database', () => {
  it('rotation: tokens of the previous key verify until they expire; JWKS has current + previous; age rotates', async () => {
    const before = await auth.mint({ role: 'admin' });
    const oldKid = decodeProtectedHeader(before.accessToken).kid;
    const newKid = await auth.keys.rotate(true);
    const after = await auth.mint({ role: 'admin' });
    expect(decodeProtectedHeader(after.accessToken).kid).toBe(newKid);
    expect(newKid).not.toBe(oldKid);
    expect((await auth.keys.jwks()).keys.map((k) => k.kid).sort()).toEqual([oldKid, newKid].sort());
    await auth.authenticate(bearer(before.accessToken));
    // Once everything the old key signed has expired, it is no longer published nor accepted.
    clock = new Date(clock.getTime() + 11 * 60_000);
    expect((await auth.keys.jwks()).keys.map((k) => k.kid)).toEqual([newKid]);
    // Older than FLAURA_SIGNING_KEY_ROTATION_DAYS: the next token is signed by a fresh key.
    clock = new Date(clock.getTime() + 31 * 86_400_000);
    const later = await auth.mint({ role: 'admin' });
    expect(decodeProtectedHeader(later.accessToken).kid).not.toBe(newKid);
    expect(await auth.authenticate(bearer(later.accessToken))).toMatchObject({ role: 'admin' });
  });

  it('a second node on the same database verifies the first node\'s tokens and signs with the same key', async () => {
    const nodeB = createAuthService(t.db, ring, settings, { root: () => ROOT }, () => clock);
    const fromA = await auth.mint({ role: 'nurse' });
    expect((await nodeB.authenticate(bearer(fromA.accessToken))).role).toBe('nurse');
    const fromB = await nodeB.mint({ role: 'nurse' });
    expect(decodeProtectedHeader(fromB.accessToken).kid).toBe(decodeProtectedHeader(fromA.accessToken).kid);
    // A revocation on node B reaches node A at its next poll.
    await nodeB.authority.revocations.revoke(fromA.jti, fromA.expiresAt);
    clock = new Date(clock.getTime() + 3000);
    await rejects(bearer(fromA.accessToken), 'TOKEN_REVOKED');
  });

  it('private keys are stored sealed, not as plain JWK', async () => {
    const rows = (await t.db.query<{ private_sealed: string }>('SELECT private_sealed FROM auth_signing_key')).rows;
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.private_sealed).not.toMatch(/"d"/);
      expect(Buffer.from(r.private_sealed, 'base64').subarray(0, 4).toString()).toBe('FLE1');
    }
  });

  it('a node with another master key cannot sign (the sealed key does not open)', async () => {
    const otherRing: KeyRing = { primary: 'k1', keys: new Map([['k1', randomBytes(32)]]) };
    const intruder = createAuthService(t.db, otherRing, settings, { root: () => ROOT }, () => clock);
    await expect(intruder.mint({ role: 'admin' })).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
  });
});
