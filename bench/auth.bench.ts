// Token verification on every request: `authenticate` (signature, claims, revocation list, Principal) against a bare
// ES256 JWT verification of the same token with the same key, measured in the same run.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { migrate, openDb } from '../src/db/index.ts';
import { authMigrations } from '../src/security/auth/migrations.ts';
import { createAuthService } from '../src/security/auth/service.ts';
import { fmt, machineDescription, timeIt } from './lib.ts';

export async function benchAuth(options: { iterations: number }): Promise<string> {
  const db = await openDb({});
  try {
    await migrate(db, authMigrations);
    const ring = { primary: 'k1', keys: new Map([['k1', randomBytes(32)]]) };
    const auth = createAuthService(db, ring, { accessTokenTtlSeconds: 3600, refreshTokenTtlSeconds: 86_400, signingKeyRotationDays: 30 }, { root: () => 'https://ehr.example.org' });
    const { accessToken } = await auth.mint({ role: 'clinician', fhirUser: 'Practitioner/1', scope: 'user/*.cruds launch/patient', clientId: 'bench' });
    const header = `Bearer ${accessToken}`;
    const key = (await auth.authority.keys.verificationKey(decodeProtectedHeader(accessToken).kid!))!;
    // A few revocations so the revocation lookup is not of an empty set.
    for (let i = 0; i < 1000; i++) await auth.authority.revocations.revoke(`revoked-${i}`, new Date(Date.now() + 3_600_000));

    const n = options.iterations;
    const full = await timeIt('authenticate', n, () => auth.authenticate(header));
    const bare = await timeIt('jwtVerify', n, () => jwtVerify(accessToken, key, { algorithms: ['ES256'] }));
    const mint = await timeIt('mint', Math.max(100, n / 10), () => auth.mint({ role: 'clinician', scope: 'user/*.cruds' }));
    const ratio = full.p50Ms / bare.p50Ms;
    return [
      '## Token verification',
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} on ${machineDescription()} (load average ${loadavg()[0]!.toFixed(1)} at the start: the machine is shared) with \`FLAURA_BENCH_AUTH_ITERATIONS=${n} npm run bench -- auth\`.`,
      'What every authenticated request pays before its handler: ES256 signature, `iss`/`aud`/`exp`/`typ` checks, the in-memory revocation list (1,000 entries) and the Principal with parsed scopes; the baseline is a bare `jose.jwtVerify` of the same token with the same key.',
      '',
      '| operation | n | p50 ms | p95 ms | p99 ms |',
      '|---|---|---|---|---|',
      `| \`authenticate(header)\` | ${full.samples} | ${fmt(full.p50Ms)} | ${fmt(full.p95Ms)} | ${fmt(full.p99Ms)} |`,
      `| baseline: \`jwtVerify\` (signature only) | ${bare.samples} | ${fmt(bare.p50Ms)} | ${fmt(bare.p95Ms)} | ${fmt(bare.p99Ms)} |`,
      `| mint an access token | ${mint.samples} | ${fmt(mint.p50Ms)} | ${fmt(mint.p95Ms)} | ${fmt(mint.p99Ms)} |`,
      '',
      `\`authenticate\` / bare verification at p50: ${ratio.toFixed(2)}×.`,
    ].join('\n');
  } finally {
    await db.close();
  }
}
