// On-demand monthly range partitions of wearable_sample, and their listing for retention.
import type { Queryable } from '../../../db/index.ts';

/** Partition name for the month starting at `monthStart` (UTC), e.g. `wearable_sample_p202403`. */
export function partitionName(monthStart: Date): string {
  return `wearable_sample_p${monthStart.getUTCFullYear()}${String(monthStart.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The first instant of each UTC month touched by [fromMs, toMs]. */
export function monthsBetween(fromMs: number, toMs: number): Date[] {
  const out: Date[] = [];
  const from = new Date(fromMs);
  let y = from.getUTCFullYear(), m = from.getUTCMonth();
  for (;;) {
    const start = new Date(Date.UTC(y, m, 1));
    if (start.getTime() > toMs) break;
    out.push(start);
    m++;
    if (m === 12) { m = 0; y++; }
  }
  return out;
}

/** Creates the missing monthly partitions (idempotent; the DDL is plain PostgreSQL, run as-is on PGlite). */
export async function ensureMonthPartitions(tx: Queryable, months: readonly Date[]): Promise<void> {
  for (const start of months) {
    const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    // Names and bounds come from Date arithmetic here, never from input text.
    await tx.query(`CREATE TABLE IF NOT EXISTS ${partitionName(start)} PARTITION OF wearable_sample FOR VALUES FROM ('${start.toISOString()}') TO ('${end.toISOString()}')`);
  }
}

/** The existing partitions with their month start, oldest first. */
export async function listPartitions(db: Queryable): Promise<{ name: string; monthStart: Date }[]> {
  const r = await db.query<{ relname: string }>(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'wearable_sample'::regclass`);
  return r.rows
    .map((x) => {
      const m = /_p(\d{4})(\d{2})$/.exec(x.relname);
      return m ? { name: x.relname, monthStart: new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)) } : undefined;
    })
    .filter((x): x is { name: string; monthStart: Date } => x !== undefined)
    .sort((a, b) => a.monthStart.getTime() - b.monthStart.getTime());
}
