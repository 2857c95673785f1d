// Hourly and daily rollups (min, max, mean, sum, count, p5/p50/p95) computed in SQL from the best-ranked source per bucket.
import type { Queryable } from '../../../db/index.ts';
import type { SourceKind } from '../model.ts';

/** Bucket sizes kept in wearable_rollup. */
export type RollupBucket = 'hour' | 'day';

/**
 * Recomputes the rollups of one patient and metric for buckets overlapping [from, to). Within each bucket only the
 * samples of the best-ranked source kind present are aggregated, so a watch and a phone counting the same steps
 * never add up (the documented source priority; kinds absent from `priority` rank last). Buckets are cut in
 * `timeZone` (IANA name) so that a "day" is the patient's day.
 */
export async function refreshRollups(tx: Queryable, args: { patientId: string; metric: string; from: Date; to: Date; priority: readonly SourceKind[]; timeZone: string; dateByEnd?: boolean }): Promise<void> {
  // Sleep segments are dated by their end (the night of 29 Feb → 1 Mar counts for 1 Mar), everything else by start.
  const at = args.dateByEnd ? 'end_time' : 'start_time';
  for (const bucket of ['hour', 'day'] as const) {
    // Widen to whole buckets so a partial refresh never leaves a bucket computed from part of its samples.
    const bounds = await tx.query<{ lo: Date; hi: Date }>(
      `SELECT date_trunc($1, $2::timestamptz, $4) AS lo, date_trunc($1, $3::timestamptz, $4) + ('1 ' || $1)::interval AS hi`,
      [bucket, args.from.toISOString(), new Date(args.to.getTime() + (args.dateByEnd ? 86_400_000 : 0)).toISOString(), args.timeZone],
    );
    const { lo, hi } = bounds.rows[0]!;
    await tx.query(`DELETE FROM wearable_rollup WHERE patient_id = $1 AND metric = $2 AND bucket = $3 AND bucket_start >= $4 AND bucket_start < $5`, [args.patientId, args.metric, bucket, lo, hi]);
    await tx.query(
      `WITH s AS (
         SELECT * FROM (
           SELECT value, source_kind, date_trunc($3, ${at}, $7) AS b,
                  coalesce(array_position($6::text[], source_kind), 1000) AS rank
           FROM wearable_sample
           WHERE patient_id = $1 AND metric = $2 AND start_time >= $4::timestamptz - interval '1 day' AND start_time < $5
         ) w WHERE b >= $4 AND b < $5
       ), best AS (SELECT b, min(rank) AS rank FROM s GROUP BY b)
       INSERT INTO wearable_rollup (patient_id, metric, bucket, bucket_start, n, min, max, mean, sum, p5, p50, p95, source_kind)
       SELECT $1, $2, $3, s.b, count(*), min(value), max(value), avg(value), sum(value),
              percentile_cont(0.05) WITHIN GROUP (ORDER BY value), percentile_cont(0.5) WITHIN GROUP (ORDER BY value),
              percentile_cont(0.95) WITHIN GROUP (ORDER BY value), min(source_kind)
       FROM s JOIN best ON best.b = s.b AND best.rank = s.rank
       GROUP BY s.b`,
      [args.patientId, args.metric, bucket, lo, hi, args.priority, args.timeZone],
    );
  }
}

/** One rollup row as returned to callers. */
export interface RollupRow {
  bucketStart: Date;
  n: number;
  min: number;
  max: number;
  mean: number;
  sum: number;
  p5: number;
  p50: number;
  p95: number;
  sourceKind: string;
}

/** Reads the rollups of one patient and metric in [from, to), oldest first. */
export async function readRollups(db: Queryable, args: { patientId: string; metric: string; bucket: RollupBucket; from: Date; to: Date }): Promise<RollupRow[]> {
  const r = await db.query<{ bucket_start: Date; n: number; min: number; max: number; mean: number; sum: number; p5: number; p50: number; p95: number; source_kind: string }>(
    `SELECT bucket_start, n, min, max, mean, sum, p5, p50, p95, source_kind FROM wearable_rollup
     WHERE patient_id = $1 AND metric = $2 AND bucket = $3 AND bucket_start >= $4 AND bucket_start < $5 ORDER BY bucket_start`,
    [args.patientId, args.metric, args.bucket, args.from.toISOString(), args.to.toISOString()],
  );
  return r.rows.map((x) => ({ bucketStart: new Date(x.bucket_start), n: Number(x.n), min: x.min, max: x.max, mean: x.mean, sum: x.sum, p5: x.p5, p50: x.p50, p95: x.p95, sourceKind: x.source_kind }));
}
