// Chart queries: any window of one metric, downsampled to N points (raw + LTTB for short windows, rollups for long).
import type { Queryable } from '../../../db/index.ts';
import { FlauraError } from '../../../errors.ts';
import { lttb } from '../downsample/lttb.ts';
import type { SourceKind } from '../model.ts';
import { readRollups, type RollupBucket } from './rollups.ts';

/** One chart point; `min`/`max` give the bucket envelope when read from rollups. */
export interface ChartPoint {
  t: number;
  v: number;
  min?: number;
  max?: number;
}

export interface ChartQuery {
  patientId: string;
  metric: string;
  from: Date;
  to: Date;
  /** Maximum number of points wanted (≥ 3). */
  points: number;
  sourcePriority: readonly SourceKind[];
  /** Windows up to this length are read raw (default 3 days); longer ones come from rollups. */
  rawWindowMs?: number;
  /** Rollup points carry the bucket total instead of the mean (steps, sleep: a day's total is what is charted). */
  sumBuckets?: boolean;
}

export interface ChartResult {
  resolution: 'raw' | RollupBucket;
  points: ChartPoint[];
}

const DAY = 86_400_000;

/**
 * Returns the window downsampled to at most `points` points. Short windows read raw samples of the best-ranked
 * source present and apply LTTB; longer ones read hourly rollups when there are few enough buckets
 * (≤ 10 × points), else daily rollups — so a year of minute data costs at most a few hundred rows.
 */
export async function queryChart(db: Queryable, q: ChartQuery): Promise<ChartResult> {
  if (!(q.to > q.from)) throw new FlauraError('WEARABLES_BAD_WINDOW', 400, 'The window end must be after its start');
  if (!Number.isInteger(q.points) || q.points < 3 || q.points > 10_000) throw new FlauraError('WEARABLES_BAD_POINTS', 400, 'points must be an integer between 3 and 10000');
  const span = q.to.getTime() - q.from.getTime();
  if (span <= (q.rawWindowMs ?? 3 * DAY)) {
    const r = await db.query<{ t: Date; v: number }>(
      `WITH s AS (
         SELECT start_time, value, coalesce(array_position($5::text[], source_kind), 1000) AS rank
         FROM wearable_sample WHERE patient_id = $1 AND metric = $2 AND start_time >= $3 AND start_time < $4
       )
       SELECT start_time AS t, value AS v FROM s WHERE rank = (SELECT min(rank) FROM s) ORDER BY start_time`,
      [q.patientId, q.metric, q.from.toISOString(), q.to.toISOString(), q.sourcePriority],
    );
    return { resolution: 'raw', points: lttb(r.rows.map((x) => ({ t: new Date(x.t).getTime(), v: x.v })), q.points) };
  }
  const bucket: RollupBucket = span / 3_600_000 <= q.points * 10 ? 'hour' : 'day';
  const rows = await readRollups(db, { patientId: q.patientId, metric: q.metric, bucket, from: q.from, to: q.to });
  return { resolution: bucket, points: lttb(rows.map((r) => ({ t: r.bucketStart.getTime(), v: q.sumBuckets ? r.sum : r.mean, min: r.min, max: r.max })), q.points) };
}
