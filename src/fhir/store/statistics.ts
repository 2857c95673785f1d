// Keeps planner statistics of the FHIR tables current: ANALYZE once enough resources were written since the last.
import type { Db } from '../../db/index.ts';

/**
 * PGlite runs without autovacuum, so its statistics stay whatever the last ANALYZE saw: a database filled after
 * creation is planned as if empty, and searches over 100k resources took 0.5–1.5 s instead of 1–3 ms (nested
 * loops chosen for an estimated one row). Like autovacuum's own rule, the tables are analyzed when the writes
 * since the last ANALYZE exceed a fraction of the rows it counted. On PostgreSQL only the first ANALYZE of a new
 * database is ours (autovacuum's first one can be a minute away); later ones are autovacuum's.
 */
export interface StatisticsPolicy {
  /** Writes that always trigger an ANALYZE (a new or never-analyzed database). */
  minWrites: number;
  /** Fraction of the resources counted at the last ANALYZE that triggers the next one. */
  fraction: number;
}

/**
 * The planner scales stale row counts by the table's current size, so statistics only need to be roughly right:
 * analyzing at each 1.5× growth costs 13 runs over a 0 → 100k load (each ≤ 1 s on PGlite at 100k).
 */
export const DEFAULT_STATISTICS_POLICY: StatisticsPolicy = { minWrites: 1000, fraction: 0.5 };

/** The tables searches plan over (resources and search index) in the current schema, quoted for ANALYZE. */
const TABLES_SQL = `SELECT format('%I', c.relname) AS name FROM pg_class c
  WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
    AND (c.relname = 'fhir_resource' OR c.relname LIKE 'fhir\\_search\\_%') ORDER BY c.relname`;

export class StatisticsKeeper {
  private written = 0;
  /** Resources counted by the last ANALYZE (reltuples; unknown until first read). */
  private counted: number | undefined;
  private running: Promise<void> | undefined;
  /** Completed ANALYZE runs (for tests and logs). */
  runs = 0;

  constructor(
    private readonly db: Db,
    private readonly policy: StatisticsPolicy = DEFAULT_STATISTICS_POLICY,
  ) {}

  /**
   * Notes committed writes; runs ANALYZE (awaited, so a test or a bulk loader sees fresh plans next) when they
   * cross the threshold. A failure is swallowed: statistics are an optimisation and the writes are committed.
   */
  async noteWrites(count: number): Promise<void> {
    if (count <= 0) return;
    this.written += count;
    if (this.running) return this.running;
    this.counted ??= await this.readCounted().catch(() => 0);
    // On PostgreSQL autovacuum keeps statistics current once a table has some; only a never-analyzed one is ours.
    if (this.db.kind === 'postgres' && this.counted > 0) return;
    if (this.written < Math.max(this.policy.minWrites, this.policy.fraction * this.counted)) return;
    this.running = this.analyze().catch(() => undefined).finally(() => (this.running = undefined));
    return this.running;
  }

  private async readCounted(): Promise<number> {
    // reltuples is -1 (PostgreSQL 14+) or 0 for a table never analyzed.
    const { rows } = await this.db.query<{ n: number }>("SELECT greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = 'fhir_resource'::regclass");
    return rows[0]?.n ?? 0;
  }

  private async analyze(): Promise<void> {
    this.written = 0;
    const { rows } = await this.db.query<{ name: string }>(TABLES_SQL);
    if (rows.length > 0) await this.db.query(`ANALYZE ${rows.map((r) => r.name).join(', ')}`);
    this.counted = await this.readCounted();
    this.runs++;
  }
}
