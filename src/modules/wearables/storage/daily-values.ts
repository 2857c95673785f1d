// Daily values with their provenance (n, range, first/last sample, sources, devices) read from the stored data, for
// publishing daily summaries as FHIR.
import type { Queryable } from '../../../db/index.ts';
import type { MetricCatalog } from '../metrics/catalog.ts';
import { SLEEP_TOTAL, type DailyValue } from '../summaries/daily.ts';

const ASLEEP = new Set(['asleep', 'core', 'deep', 'rem']);

interface Row {
  metric: string;
  day: string;
  n: number;
  min: number;
  max: number;
  mean: number;
  sum: number;
  first_start: Date | string | null;
  last_end: Date | string | null;
  sources: string[] | null;
  devices: string[] | null;
}

const ms = (v: Date | string | null): number => (v === null ? NaN : new Date(v).getTime());
const round = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * The daily values of every metric of one patient for the days `from`…`to` (dates in `timeZone`, the zone the
 * rollups were cut in): the value comes from the daily rollup (the best-ranked source kind of that day, see
 * rollups.ts), the sources, devices and first/last sample from the samples of that same source kind. Sleep stages are
 * dated by their end; `sleep-total` sums the asleep stages.
 */
export async function readDailyValues(db: Queryable, catalog: MetricCatalog, args: { patientId: string; from: string; to: string; timeZone: string }): Promise<DailyValue[]> {
  const endDated = catalog.metrics.filter((m) => m.sleepStage).map((m) => m.id);
  const r = await db.query<Row>(
    `WITH r AS (
       SELECT metric, bucket_start, to_char(bucket_start AT TIME ZONE $4, 'YYYY-MM-DD') AS day, n, min, max, mean, sum, source_kind
       FROM wearable_rollup
       WHERE patient_id = $1 AND bucket = 'day' AND bucket_start >= ($2::date::timestamp AT TIME ZONE $4) AND bucket_start < (($3::date + 1)::timestamp AT TIME ZONE $4)
     )
     SELECT r.metric, r.day, r.n, r.min, r.max, r.mean, r.sum, s.first_start, s.last_end, s.sources, s.devices
     FROM r LEFT JOIN LATERAL (
       SELECT min(w.start_time) AS first_start, max(w.end_time) AS last_end,
              array_agg(DISTINCT w.source) AS sources, array_remove(array_agg(DISTINCT w.device), NULL) AS devices
       FROM wearable_sample w
       WHERE w.patient_id = $1 AND w.metric = r.metric AND w.source_kind = r.source_kind
         AND w.start_time >= r.bucket_start - interval '2 days' AND w.start_time < r.bucket_start + interval '2 days'
         AND (CASE WHEN r.metric = ANY($5::text[]) THEN w.end_time ELSE w.start_time END) >= r.bucket_start
         AND (CASE WHEN r.metric = ANY($5::text[]) THEN w.end_time ELSE w.start_time END) < ((r.day::date + 1)::timestamp AT TIME ZONE $4)
     ) s ON true
     ORDER BY r.day, r.metric`,
    [args.patientId, args.from, args.to, args.timeZone, endDated],
  );
  const out: DailyValue[] = [];
  const sleep = new Map<string, DailyValue>();
  for (const row of r.rows) {
    const def = catalog.byId.get(row.metric);
    if (!def) continue;
    const value = def.aggregation === 'sum' ? row.sum : def.aggregation === 'max' ? row.max : row.mean;
    const d: DailyValue = {
      date: row.day, metric: row.metric, value: round(value), unit: def.ucum, aggregation: def.aggregation, n: Number(row.n), min: row.min, max: row.max,
      start: ms(row.first_start), end: ms(row.last_end), sources: [...(row.sources ?? [])].sort(), devices: [...(row.devices ?? [])].sort(),
    };
    out.push(d);
    if (def.sleepStage && ASLEEP.has(def.sleepStage)) {
      const t = sleep.get(row.day);
      if (!t) sleep.set(row.day, { ...d, metric: SLEEP_TOTAL, value: round(row.sum), aggregation: 'sum' });
      else {
        t.value = round(t.value + row.sum);
        t.n += d.n;
        t.min = Math.min(t.min, d.min);
        t.max = Math.max(t.max, d.max);
        t.start = Math.min(t.start, d.start);
        t.end = Math.max(t.end, d.end);
        t.sources = [...new Set([...t.sources, ...d.sources])].sort();
        t.devices = [...new Set([...t.devices, ...d.devices])].sort();
      }
    }
  }
  out.push(...sleep.values());
  return out.filter((d) => Number.isFinite(d.start) && Number.isFinite(d.end));
}

/** The IANA time zone the patient's last import cut days in (UTC when none was given). */
export async function patientTimeZone(db: Queryable, patientId: string): Promise<string> {
  const r = await db.query<{ time_zone: string | null }>(`SELECT time_zone FROM wearable_import WHERE patient_id = $1 AND time_zone IS NOT NULL ORDER BY started_at DESC LIMIT 1`, [patientId]);
  return r.rows[0]?.time_zone ?? 'UTC';
}
