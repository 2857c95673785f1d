// `flaura audit verify`: walks the audit hash chain of a data directory or database and reports OK or the first
// broken link. An operator command: it opens the database directly (the embedded one only while no server runs).
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { acquireDataDirLock, openDb, type Db } from '../../db/index.ts';
import { verifyChain, type VerifyResult } from './chain.ts';

export interface AuditVerifyOptions { data?: string; databaseUrl?: string }

/** Verifies the chain of the configured database. */
export async function auditVerify(options: AuditVerifyOptions, env: NodeJS.ProcessEnv = process.env): Promise<VerifyResult> {
  const config = loadConfig({ dataDir: options.data, databaseUrl: options.databaseUrl, logLevel: 'warn' }, env);
  const lock = config.databaseUrl ? undefined : acquireDataDirLock(config.dataDir);
  let db: Db | undefined;
  try {
    db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir });
    const exists = await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'security_audit_chain' AND table_schema = current_schema()");
    if (exists.rows.length === 0) return { ok: true, links: 0 };
    return await verifyChain(db);
  } finally {
    await db?.close();
    lock?.release();
  }
}

export function formatVerifyResult(r: VerifyResult): string {
  if (r.ok) return `Audit chain OK: ${r.links} record${r.links === 1 ? '' : 's'} verified.`;
  return `Audit chain BROKEN at link ${r.seq} (AuditEvent/${r.auditId}): ${r.problem}. ${r.links} earlier record${r.links === 1 ? '' : 's'} verified.`;
}

export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('Audit trail tools');
  audit
    .command('verify')
    .description('Check the audit trail hash chain; prints OK or the first broken link (exit code 1)')
    .option('--data <dir>', 'embedded database directory (FLAURA_DATA)')
    .option('--database-url <url>', 'PostgreSQL URL (DATABASE_URL)')
    .action(async (opts: AuditVerifyOptions) => {
      const result = await auditVerify(opts);
      console.log(formatVerifyResult(result));
      if (!result.ok) process.exitCode = 1;
    });
}
