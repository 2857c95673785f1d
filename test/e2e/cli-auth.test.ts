// Operator commands of authentication on an embedded data directory: `flaura user add|passwd|unlock` and
// `flaura token` while no server runs (opens the database) — the running-server case is in cli-serve.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createFlaura } from '../../src/server.ts';
import { testDbKind } from '../test-db.ts';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'flaura.js');
const env: NodeJS.ProcessEnv = { ...process.env, FLAURA_LOG_LEVEL: 'warn' };
delete env.DATABASE_URL;

function flaura(args: string[], extraEnv: Record<string, string> = {}): string {
  return execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...env, ...extraEnv } }).trim();
}

describe.runIf(testDbKind === 'pglite')('flaura user / flaura token (embedded, no server running)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flaura-cli-auth-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('adds a user with a generated password, changes it, and the server accepts the sign-in', async () => {
    const added = flaura(['user', 'add', 'nurse1', '--role', 'nurse', '--data', dataDir]);
    const generated = /password (\S+) \(shown once\)/.exec(added)![1]!;
    expect(generated.length).toBeGreaterThanOrEqual(20);
    expect(() => flaura(['user', 'add', 'nurse1', '--role', 'nurse', '--data', dataDir])).toThrow(/already exists/);
    expect(flaura(['user', 'passwd', 'nurse1', '--data', dataDir], { FLAURA_PASSWORD: 'another long password' })).toMatch(/changed/);

    const token = flaura(['token', '--role', 'clinician', '--fhir-user', 'Practitioner/x', '--data', dataDir]);
    const server = await createFlaura(loadConfig({ dataDir, logLevel: 'silent' }, {}));
    try {
      expect((await server.accounts.users.login('nurse1', generated))).toMatchObject({ failure: 'bad-password' });
      expect((await server.accounts.users.login('nurse1', 'another long password'))).toMatchObject({ user: { role: 'nurse' } });
      const principal = await server.auth.authenticate(`Bearer ${token}`);
      expect(principal).toMatchObject({ role: 'clinician', fhirUser: 'Practitioner/x', subject: 'operator:clinician', scope: 'user/*.cruds' });
    } finally {
      await server.close();
    }
  }, 240_000);

  it('refuses unknown roles and a patient token without a patient', { timeout: 60_000 }, () => {
    expect(() => flaura(['token', '--role', 'root', '--data', dataDir])).toThrow(/--role must be one of/);
    expect(() => flaura(['token', '--role', 'patient', '--data', dataDir])).toThrow(/needs the Patient id/);
  });
});
