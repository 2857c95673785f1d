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
  };
}
