// The chart answer for the web app: the downsampled window, the person's baseline band per day and the alert markers.
import { addDays, baselineFor, type ExcludedWindow } from '../baselines/baseline.ts';
import type { AlertRuleSet } from '../alerts/rules.ts';
import type { MetricCatalog } from '../metrics/catalog.ts';
import { readDailySeries } from '../storage/daily-series.ts';
import { queryChart, type ChartPoint, type ChartResult } from '../storage/query.ts';
import { localDate } from '../summaries/daily.ts';
import { listAlerts } from './alert-store.ts';
import type { WearablesDeps } from './deps.ts';
import { declaredExclusions } from './illness-windows.ts';

/** One day of the personal baseline: centre (median of the 28 days before) ± 2 × scaled MAD. */
export interface BaselineBandDay {
  date: string;
  /** Local midnight of the day (epoch ms), the x of the band. */
  t: number;
  median: number;
  low: number;
  high: number;
  /** Days the baseline was computed from. */
  n: number;
}

export interface AlertMarker {
  id: string;
  /** Local midnight of the onset day (epoch ms). */
  t: number;
  day: string;
  title: string;
  severity: string;
  status: string;
  ruleId: string;
}

export interface ChartAnswer extends ChartResult {
  metric: string;
  unit: string;
  timeZone: string;
  baseline: BaselineBandDay[];
  alerts: AlertMarker[];
}

/** Half-width of the band in scaled MADs (≈ SDs): the same robust z of 2 the HRV rules use. */
export const BAND_MADS = 2;

const wallClocks = new Map<string, Intl.DateTimeFormat>();
/** `zone|YYYY-MM` → the zone's offset (ms) when it is the same on the 1st of that month and of the next. */
const monthOffsets = new Map<string, number | null>();

/** Epoch ms of local midnight of `day` in `timeZone`. */
export function zonedMidnight(day: string, timeZone: string): number {
  // Offsets change at most twice a year (DST): a month whose ends agree needs no per-day lookup.
  const month = day.slice(0, 7);
  const key = `${timeZone}|${month}`;
  let offset = monthOffsets.get(key);
  if (offset === undefined) {
    const first = `${month}-01`;
    const next = new Date(Date.parse(`${first}T00:00:00Z`) + 32 * 86_400_000).toISOString().slice(0, 7) + '-01';
    const a = Date.parse(`${first}T00:00:00Z`) - exactMidnight(first, timeZone);
    const b = Date.parse(`${next}T00:00:00Z`) - exactMidnight(next, timeZone);
    offset = a === b ? a : null;
    monthOffsets.set(key, offset);
  }
  return offset === null ? exactMidnight(day, timeZone) : Date.parse(`${day}T00:00:00Z`) - offset;
}

function exactMidnight(day: string, timeZone: string): number {
  const guess = Date.parse(`${day}T00:00:00Z`);
  // Building a DateTimeFormat costs ~0.1 ms: one per zone, not one per day of a year-long chart.
  let f = wallClocks.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    wallClocks.set(timeZone, f);
  }
  const parts = f.formatToParts(guess);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return guess - (asUtc - guess);
}

/**
 * Reads the chart window, then the metric's daily series from 28 days before the window (for the first day's
 * baseline; 84 when past alert episodes must be skipped) to its end, the baseline of every day in the window (days
 * without enough history have none; resolved episodes of the metric and the illness windows a clinician declared
 * excluded, as the alert rules do), and the alerts of this metric that overlap the window (withdrawn ones left out).
 */
export async function chartWithBaseline(
  deps: Pick<WearablesDeps, 'db'>,
  catalog: MetricCatalog,
  rules: AlertRuleSet,
  q: { patientId: string; metric: string; from: Date; to: Date; points: number; timeZone: string },
): Promise<ChartAnswer> {
  const def = catalog.byId.get(q.metric);
  const chart = await queryChart(deps.db, { patientId: q.patientId, metric: q.metric, from: q.from, to: q.to, points: q.points, sourcePriority: catalog.defaultSourcePriority, sumBuckets: def?.aggregation === 'sum' });
  const firstDay = localDate(q.from.getTime(), q.timeZone);
  const lastDay = localDate(q.to.getTime() - 1, q.timeZone);
  // Past illness episodes of this metric and declared windows stay out of the band, as out of the rules' baselines.
  const exclude: ExcludedWindow[] = (await listAlerts(deps, { status: 'resolved', patientId: q.patientId }))
    .filter((a) => a.metric === q.metric && a.resolvedOn && a.evidence[0])
    .map((a) => ({ start: a.evidence[0]!.date, end: a.resolvedOn! }));
  exclude.push(...(await declaredExclusions(deps.db, q.patientId)));
  const reach = (exclude.length > 0 ? 3 : 1) * rules.baseline.windowDays;
  const daily = await readDailySeries(deps.db, catalog, { patientId: q.patientId, from: addDays(firstDay, -reach), to: lastDay, timeZone: q.timeZone });
  const series = daily.get(q.metric) ?? [];
  const baseline: BaselineBandDay[] = [];
  // Sum metrics (steps, sleep) have a daily-total baseline: it only matches points that are daily totals too.
  const bandFits = def?.aggregation !== 'sum' || chart.resolution === 'day';
  // The window of each day starts where the previous one did or later: walk it instead of rescanning the series.
  let lo = 0;
  for (let day = firstDay; bandFits && day <= lastDay; day = addDays(day, 1)) {
    const from = addDays(day, -rules.baseline.windowDays);
    while (lo < series.length && series[lo]!.date < from) lo++;
    const b = exclude.length > 0 ? baselineFor(series, day, { ...rules.baseline, exclude }) : baselineFor(series.slice(lo, lo + rules.baseline.windowDays + 1), day, rules.baseline);
    if (!b) continue;
    const half = BAND_MADS * b.mad;
    baseline.push({ date: day, t: zonedMidnight(day, q.timeZone), median: round(b.median), low: round(b.median - half), high: round(b.median + half), n: b.n });
  }
  const alerts = (await listAlerts(deps, { status: 'all', patientId: q.patientId, from: firstDay, to: lastDay }))
    .filter((a) => a.metric === q.metric && a.status !== 'withdrawn')
    .map((a) => ({ id: a.id, t: zonedMidnight(a.start, q.timeZone), day: a.start, title: a.title, severity: a.severity, status: a.status, ruleId: a.ruleId }));
  return { ...chart, metric: q.metric, unit: def?.ucum ?? '', timeZone: q.timeZone, baseline, alerts };
}

const round = (v: number): number => Math.round(v * 100) / 100;
export type { ChartPoint };

