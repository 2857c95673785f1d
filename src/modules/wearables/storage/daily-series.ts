// Daily series for baselines, alerts and the weekly summary, read from the daily rollups.
import type { Queryable } from '../../../db/index.ts';
import type { DayPoint } from '../baselines/baseline.ts';
import type { MetricCatalog } from '../metrics/catalog.ts';
import { SLEEP_TOTAL } from '../summaries/daily.ts';

const ASLEEP = new Set(['asleep', 'core', 'deep', 'rem']);

/**
 * One value per day and metric from `wearable_rollup` (bucket 'day'), reduced by each metric's aggregation in
 * metrics.json (mean, sum or max), plus `sleep-total` = the asleep stages' daily sums. Dates are the rollup
 * buckets' dates in `timeZone` (the zone the rollups were cut in).
 */
export async function readDailySeries(db: Queryable, catalog: MetricCatalog, args: { patientId: string; from: string; to: string; timeZone: string }): Promise<Map<string, DayPoint[]>> {
  const r = await db.query<{ metric: string; day: string; mean: number; sum: number; max: number }>(
    `SELECT metric, to_char(bucket_start AT TIME ZONE $4, 'YYYY-MM-DD') AS day, mean, sum, max FROM wearable_rollup
     WHERE patient_id = $1 AND bucket = 'day' AND bucket_start >= ($2::date::timestamp AT TIME ZONE $4) AND bucket_start < (($3::date + 1)::timestamp AT TIME ZONE $4)
     ORDER BY bucket_start`,
    [args.patientId, args.from, args.to, args.timeZone],
  );
  const out = new Map<string, DayPoint[]>();
  const sleep = new Map<string, number>();
  const push = (metric: string, p: DayPoint): void => {
    const list = out.get(metric);
    if (list) list.push(p);
    else out.set(metric, [p]);
  };
  for (const row of r.rows) {
    const def = catalog.byId.get(row.metric);
    if (!def) continue;
    push(row.metric, { date: row.day, value: def.aggregation === 'sum' ? row.sum : def.aggregation === 'max' ? row.max : row.mean });
    if (def.sleepStage && ASLEEP.has(def.sleepStage)) sleep.set(row.day, (sleep.get(row.day) ?? 0) + row.sum);
  }
  if (sleep.size) out.set(SLEEP_TOTAL, [...sleep].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, value]) => ({ date, value })));
  return out;
}

/**
 * The patient's latest day with a daily rollup, on or before `notAfter` (a day in `timeZone`), or null when there
 * is none: the day an alert evaluation runs to. One index probe per catalog metric (primary key patient, metric,
 * bucket, start), so it costs the same whatever the length of the history; days after `notAfter` (a device clock in
 * the future) are ignored, so a bogus future date cannot move the evaluation away from the real data.
 */
export async function latestDailyDay(db: Queryable, catalog: MetricCatalog, args: { patientId: string; notAfter: string; timeZone: string }): Promise<string | null> {
  const r = await db.query<{ day: string | null }>(
    `SELECT to_char(max(m.last) AT TIME ZONE $4, 'YYYY-MM-DD') AS day
     FROM unnest($2::text[]) AS k(metric)
     CROSS JOIN LATERAL (SELECT max(bucket_start) AS last FROM wearable_rollup r
       WHERE r.patient_id = $1 AND r.metric = k.metric AND r.bucket = 'day' AND r.bucket_start < (($3::date + 1)::timestamp AT TIME ZONE $4)) m`,
    [args.patientId, catalog.metrics.map((m) => m.id), args.notAfter, args.timeZone],
  );
  return r.rows[0]?.day ?? null;
}
