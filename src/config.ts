// Every setting in one place: CLI flags override FLAURA_* environment variables, which override defaults.
import { resolve } from 'node:path';
import { FlauraError } from './errors.ts';

export interface FlauraConfig {
  host: string;
  port: number;
  /** Embedded database and key files live here. */
  dataDir: string;
  /** PostgreSQL URL; when set the embedded database is not used. */
  databaseUrl?: string;
  /** Public URL of the server root when behind a proxy (the FHIR base is `<publicUrl>/fhir`). */
  publicUrl?: string;
  /** Largest accepted request body. */
  bodyLimitBytes: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Enabled modules by name; `all` enables every module the build has. */
  modules: string[];
  /** NATS server for distributed event delivery; absent = in-process only. */
  natsUrl?: string;
  /** Time allowed for in-flight requests on shutdown. */
  shutdownTimeoutMs: number;
  /** Lifetime of access tokens (FLAURA_ACCESS_TOKEN_TTL, seconds). */
  accessTokenTtlSeconds: number;
  /** How long a break-the-glass grant lasts (FLAURA_BREAK_GLASS_MINUTES, default 60). */
  breakGlassMinutes: number;
  /** Lifetime of refresh tokens (FLAURA_REFRESH_TOKEN_TTL, seconds); each use rotates the token. */
  refreshTokenTtlSeconds: number;
  /** Age after which a new token-signing key is made (FLAURA_SIGNING_KEY_ROTATION_DAYS). */
  signingKeyRotationDays: number;
  /** PEM certificate and key files: serve HTTPS (and send HSTS) when both are set (FLAURA_TLS_CERT, FLAURA_TLS_KEY). */
  tlsCert?: string;
  tlsKey?: string;
  /** Origins allowed to call the API from a browser (FLAURA_CORS_ORIGINS, comma-separated; none by default). */
  corsOrigins: string[];
  /** Requests per minute per client (token client, else IP) (FLAURA_RATE_LIMIT; 0 = off). */
  rateLimitPerMinute: number;
  /** How long audit records wait in memory (journalled on disk) before a batch goes to the event log (FLAURA_AUDIT_FLUSH_MS). */
  auditFlushMs: number;
}

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function intSetting(name: string, raw: string | number | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new FlauraError('CONFIG_INVALID', 400, `${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

function listSetting(raw: string | string[] | undefined): string[] {
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? raw : raw.split(',')).map((x) => x.trim().replace(/\/$/, '')).filter(Boolean);
}

/** Builds and validates the configuration; throws with the setting's name when a value is wrong. */
export function loadConfig(overrides: Partial<Record<keyof FlauraConfig, unknown>> = {}, env: NodeJS.ProcessEnv = process.env): FlauraConfig {
  const pick = <T>(key: keyof FlauraConfig, envName: string): T | undefined => (overrides[key] ?? env[envName]) as T | undefined;
  const logLevel = String(pick('logLevel', 'FLAURA_LOG_LEVEL') ?? 'info');
  if (!LOG_LEVELS.has(logLevel)) throw new FlauraError('CONFIG_INVALID', 400, `FLAURA_LOG_LEVEL must be one of ${[...LOG_LEVELS].join(', ')}`);
  const databaseUrl = pick<string>('databaseUrl', 'DATABASE_URL') || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new FlauraError('CONFIG_INVALID', 400, `DATABASE_URL must be a postgres:// URL, got '${databaseUrl}'`);
  }
  const modules = pick<string | string[]>('modules', 'FLAURA_MODULES') ?? 'all';
  if (!pick('tlsCert', 'FLAURA_TLS_CERT') !== !pick('tlsKey', 'FLAURA_TLS_KEY')) {
    throw new FlauraError('CONFIG_INVALID', 400, 'HTTPS needs both FLAURA_TLS_CERT and FLAURA_TLS_KEY (--tls-cert and --tls-key)');
  }
  return {
    host: String(pick('host', 'FLAURA_HOST') ?? '127.0.0.1'),
    port: intSetting('port', pick('port', 'FLAURA_PORT'), 8080, 0, 65535),
    dataDir: resolve(String(pick('dataDir', 'FLAURA_DATA') ?? './flaura-data')),
    databaseUrl,
    publicUrl: (pick<string>('publicUrl', 'FLAURA_PUBLIC_URL') || undefined)?.replace(/\/$/, ''),
    bodyLimitBytes: intSetting('bodyLimitBytes', pick('bodyLimitBytes', 'FLAURA_BODY_LIMIT_BYTES'), 64 * 1024 * 1024, 1024, 2 ** 31 - 1),
    logLevel: logLevel as FlauraConfig['logLevel'],
    modules: (Array.isArray(modules) ? modules : modules.split(',')).map((m) => m.trim()).filter(Boolean),
    natsUrl: pick<string>('natsUrl', 'NATS_URL') || undefined,
    shutdownTimeoutMs: intSetting('shutdownTimeoutMs', pick('shutdownTimeoutMs', 'FLAURA_SHUTDOWN_TIMEOUT_MS'), 10_000, 0, 600_000),
    accessTokenTtlSeconds: intSetting('accessTokenTtlSeconds', pick('accessTokenTtlSeconds', 'FLAURA_ACCESS_TOKEN_TTL'), 3600, 30, 86_400),
    breakGlassMinutes: intSetting('breakGlassMinutes', pick('breakGlassMinutes', 'FLAURA_BREAK_GLASS_MINUTES'), 60, 1, 24 * 60),
    refreshTokenTtlSeconds: intSetting('refreshTokenTtlSeconds', pick('refreshTokenTtlSeconds', 'FLAURA_REFRESH_TOKEN_TTL'), 30 * 86_400, 60, 365 * 86_400),
    signingKeyRotationDays: intSetting('signingKeyRotationDays', pick('signingKeyRotationDays', 'FLAURA_SIGNING_KEY_ROTATION_DAYS'), 30, 1, 3650),
    tlsCert: pick<string>('tlsCert', 'FLAURA_TLS_CERT') || undefined,
    tlsKey: pick<string>('tlsKey', 'FLAURA_TLS_KEY') || undefined,
    corsOrigins: listSetting(pick<string | string[]>('corsOrigins', 'FLAURA_CORS_ORIGINS')),
    rateLimitPerMinute: intSetting('rateLimitPerMinute', pick('rateLimitPerMinute', 'FLAURA_RATE_LIMIT'), 1200, 0, 1_000_000),
    auditFlushMs: intSetting('auditFlushMs', pick('auditFlushMs', 'FLAURA_AUDIT_FLUSH_MS'), 200, 10, 600_000),
  };
}
