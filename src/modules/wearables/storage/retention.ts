// Retention: raw samples kept `raw_days` (whole monthly partitions dropped), hourly rollups `hourly_days`, daily forever.
import type { Db } from '../../../db/index.ts';
import { FlauraError } from '../../../errors.ts';
import { listPartitions } from './partitions.ts';

/** The retention settings (one row, shared by every patient because partitions are shared). */
export interface RetentionSettings {
  rawDays: number;
  hourlyDays: number;
}

/** Reads the retention settings. */
export async function getRetention(db: Db): Promise<RetentionSettings> {
  const r = await db.query<{ raw_days: number; hourly_days: number }>(`SELECT raw_days, hourly_days FROM wearable_retention`);
  const row = r.rows[0];
  if (!row) throw new FlauraError('WEARABLES_NO_RETENTION', 500, 'wearable_retention has no settings row');
  return { rawDays: row.raw_days, hourlyDays: row.hourly_days };
}

/** Changes the retention settings; raw data must be kept at least as long as hourly rollups are derived from it. */
export async function setRetention(db: Db, s: RetentionSettings): Promise<void> {
  if (!Number.isInteger(s.rawDays) || !Number.isInteger(s.hourlyDays) || s.rawDays < 1 || s.hourlyDays < 1) throw new FlauraError('WEARABLES_BAD_RETENTION', 400, 'Retention days must be positive integers');
  await db.query(`UPDATE wearable_retention SET raw_days = $1, hourly_days = $2`, [s.rawDays, s.hourlyDays]);
}

/**
 * Applies retention at `now`: drops every monthly partition that ends on or before now − rawDays (a DROP TABLE,
 * not a DELETE: no bloat), and deletes hourly rollups older than now − hourlyDays. Returns the dropped partitions.
 */
export async function applyRetention(db: Db, now: Date): Promise<{ droppedPartitions: string[]; hourlyRowsDeleted: number }> {
  const s = await getRetention(db);
  const rawCutoff = now.getTime() - s.rawDays * 86_400_000;
  return db.transaction(async (tx) => {
    const dropped: string[] = [];
    for (const p of await listPartitions(tx)) {
      const end = Date.UTC(p.monthStart.getUTCFullYear(), p.monthStart.getUTCMonth() + 1, 1);
      if (end <= rawCutoff) {
        await tx.query(`DROP TABLE ${p.name}`);
        dropped.push(p.name);
      }
    }
    const del = await tx.query(`DELETE FROM wearable_rollup WHERE bucket = 'hour' AND bucket_start < $1`, [new Date(now.getTime() - s.hourlyDays * 86_400_000).toISOString()]);
    return { droppedPartitions: dropped, hourlyRowsDeleted: del.rowCount };
  });
}
