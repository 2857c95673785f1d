// User accounts: argon2id password hashes, roles, the Patient a patient user is linked to, and lockout after
// repeated failures (ASVS 2.2.1: anti-automation; the lock is per account, so it also slows credential stuffing).
import { randomBytes, randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Queryable } from '../../db/index.ts';
import { FlauraError } from '../../errors.ts';
import type { Role } from '../principal.ts';
import { ROLES } from './access-token.ts';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;
/** Roles a person can sign in with (`system` is for backend-services clients only). */
export const USER_ROLES: readonly Role[] = ROLES.filter((r) => r !== 'system');

export interface User {
  id: string;
  username: string;
  role: Role;
  patientId?: string;
  fhirUser?: string;
  disabled: boolean;
  lockedUntil?: Date;
}

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  role: Role;
  patient_id: string | null;
  fhir_user: string | null;
  failed_logins: number;
  locked_until: Date | string | null;
  disabled: boolean;
}

function toUser(r: UserRow): User {
  return {
    id: r.id,
    username: r.username,
    role: r.role,
    disabled: r.disabled,
    ...(r.patient_id ? { patientId: r.patient_id } : {}),
    ...(r.fhir_user ? { fhirUser: r.fhir_user } : {}),
    ...(r.locked_until ? { lockedUntil: new Date(r.locked_until) } : {}),
  };
}

const USERNAME = /^[a-z0-9][a-z0-9._@-]{1,63}$/;
// OWASP ASVS 2.1.1/2.1.2: at least 12 characters; the demo password is set through `allowWeak`.
const MIN_PASSWORD = 12;

export interface NewUser {
  username: string;
  password: string;
  role: Role;
  patientId?: string;
  fhirUser?: string;
}

/** Why a login failed, kept vague for the page (no user enumeration) but precise for the audit and tests. */
export type LoginFailure = 'unknown-user' | 'bad-password' | 'locked' | 'disabled';

export class UserStore {
  // Verified against when the user does not exist, so a miss costs as long as a hit (no timing oracle).
  private dummyHash?: Promise<string>;

  constructor(
    private readonly db: Queryable,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(user: NewUser, options: { allowWeak?: boolean; ifMissing?: boolean } = {}): Promise<User> {
    validateNewUser(user, options.allowWeak ?? false);
    const id = randomUUID();
    const password_hash = await hash(user.password);
    const res = await this.db.query<UserRow>(
      `INSERT INTO auth_user (id, username, password_hash, role, patient_id, fhir_user) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (username) DO NOTHING RETURNING *`,
      [id, user.username, password_hash, user.role, user.patientId ?? null, user.fhirUser ?? null],
    );
    if (res.rows[0]) return toUser(res.rows[0]);
    if (options.ifMissing) return (await this.find(user.username))!;
    throw new FlauraError('USER_EXISTS', 409, `A user named '${user.username}' already exists`);
  }

  async find(username: string): Promise<User | undefined> {
    const row = (await this.db.query<UserRow>('SELECT * FROM auth_user WHERE username = $1', [username])).rows[0];
    return row ? toUser(row) : undefined;
  }

  async get(id: string): Promise<User | undefined> {
    const row = (await this.db.query<UserRow>('SELECT * FROM auth_user WHERE id = $1', [id])).rows[0];
    return row ? toUser(row) : undefined;
  }

  async count(): Promise<number> {
    return Number((await this.db.query<{ n: string | number }>('SELECT count(*) AS n FROM auth_user')).rows[0]!.n);
  }

  /** Checks a password; counts failures and locks the account after MAX_FAILED_LOGINS for LOCKOUT_MS. */
  async login(username: string, password: string): Promise<{ user: User } | { failure: LoginFailure; lockedUntil?: Date }> {
    const row = (await this.db.query<UserRow>('SELECT * FROM auth_user WHERE username = $1', [username])).rows[0];
    if (!row) {
      this.dummyHash ??= hash(randomBytes(16).toString('hex'));
      await verify(await this.dummyHash, password).catch(() => false);
      return { failure: 'unknown-user' };
    }
    const now = this.now();
    if (row.locked_until && new Date(row.locked_until) > now) return { failure: 'locked', lockedUntil: new Date(row.locked_until) };
    const ok = await verify(row.password_hash, password).catch(() => false);
    if (!ok) {
      // One statement, so concurrent attempts cannot each see "4 failures" and skip the lock.
      const updated = (await this.db.query<{ failed_logins: number; locked_until: Date | string | null }>(
        `UPDATE auth_user SET failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
                              locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3::timestamptz ELSE locked_until END
         WHERE id = $1 RETURNING failed_logins, locked_until`,
        [row.id, MAX_FAILED_LOGINS, new Date(now.getTime() + LOCKOUT_MS)],
      )).rows[0]!;
      const lockedUntil = updated.locked_until ? new Date(updated.locked_until) : undefined;
      return lockedUntil && lockedUntil > now ? { failure: 'locked', lockedUntil } : { failure: 'bad-password' };
    }
    if (row.disabled) return { failure: 'disabled' };
    if (row.failed_logins > 0 || row.locked_until) await this.db.query('UPDATE auth_user SET failed_logins = 0, locked_until = NULL WHERE id = $1', [row.id]);
    return { user: toUser(row) };
  }

  async setPassword(username: string, password: string, options: { allowWeak?: boolean } = {}): Promise<void> {
    if (!options.allowWeak) checkPassword(password);
    const res = await this.db.query('UPDATE auth_user SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE username = $1', [username, await hash(password)]);
    if (res.rowCount === 0) throw new FlauraError('USER_NOT_FOUND', 404, `No user named '${username}'`);
  }

  async unlock(username: string): Promise<void> {
    const res = await this.db.query('UPDATE auth_user SET failed_logins = 0, locked_until = NULL WHERE username = $1', [username]);
    if (res.rowCount === 0) throw new FlauraError('USER_NOT_FOUND', 404, `No user named '${username}'`);
  }
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD) throw new FlauraError('PASSWORD_TOO_SHORT', 400, `Passwords need at least ${MIN_PASSWORD} characters`);
}

function validateNewUser(user: NewUser, allowWeak: boolean): void {
  if (!USERNAME.test(user.username)) throw new FlauraError('INVALID_USERNAME', 400, 'Usernames are 2-64 lower-case letters, digits and . _ @ -');
  if (!USER_ROLES.includes(user.role)) throw new FlauraError('INVALID_ROLE', 400, `Role must be one of ${USER_ROLES.join(', ')}`);
  if (user.role === 'patient' && !user.patientId) throw new FlauraError('INVALID_ROLE', 400, 'A patient user must be linked to a Patient id');
  if (user.role !== 'patient' && user.patientId) throw new FlauraError('INVALID_ROLE', 400, 'Only patient users are linked to a Patient');
  if (!allowWeak) checkPassword(user.password);
}

/** A random password for generated accounts (printed once). */
export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}
