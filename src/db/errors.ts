// Maps PostgreSQL error codes (https://www.postgresql.org/docs/15/errcodes-appendix.html) onto FlauraError.
import { FlauraError } from '../errors.ts';

const retryable = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected

/** Turns a driver error into a FlauraError where the code has a meaning for clients; others pass through. */
export function translateDbError(err: unknown): unknown {
  if (err instanceof FlauraError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return err;
  if (code === '23505') return new FlauraError('DB_UNIQUE_VIOLATION', 409, 'A concurrent write created the same record; retry the request', { type: 'conflict', cause: err });
  if (retryable.has(code)) return new FlauraError('DB_CONFLICT_RETRY', 409, 'The write conflicted with a concurrent transaction; retry the request', { type: 'transient', cause: err });
  if (code === '57014') return new FlauraError('DB_TIMEOUT', 503, 'The database query took too long', { type: 'timeout', cause: err });
  return err;
}

/** True when a failed write may simply be retried (serialization failure, deadlock, concurrent unique insert). */
export function isRetryableDbError(err: unknown): boolean {
  return err instanceof FlauraError && (err.code === 'DB_CONFLICT_RETRY' || err.code === 'DB_UNIQUE_VIOLATION');
}
