// Daily values per metric from samples (pure): the patient's calendar day, the metric's aggregation, source priority.
import type { MetricCatalog } from '../metrics/catalog.ts';
import type { Sample } from '../model.ts';
import { resolveOverlaps, type SourcePriority } from '../normalize/source-priority.ts';

/** Derived metric: total sleep = asleep (unspecified) + core + deep + REM minutes, dated by the wake-up day. */
export const SLEEP_TOTAL = 'sleep-total';
const ASLEEP_STAGES = new Set(['asleep', 'core', 'deep', 'rem']);

/** One metric's value for one day, with what it was computed from. */
export interface DailyValue {
  /** Local calendar date `YYYY-MM-DD`. */
  date: string;
  metric: string;
  value: number;
  unit: string;
  aggregation: 'mean' | 'sum' | 'max';
  n: number;
  min: number;
  max: number;
  /** First sample start and last sample end (epoch ms). */
  start: number;
  end: number;
  sources: string[];
  devices: string[];
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of `ms` in IANA time zone `timeZone` (`YYYY-MM-DD`). */
export function localDate(ms: number, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f.format(ms);
}

/**
 * Aggregates samples into daily values: overlapping sources are first resolved by `priority`, then each metric is
 * reduced by its aggregation from metrics.json (mean for rates, sum for counts and durations, max for temperature).
 * Sleep samples are dated by their end (the morning after) and also summed into `sleep-total`. Pure.
 */
export function dailyValues(samples: readonly Sample[], catalog: MetricCatalog, options: { timeZone: string; priority: SourcePriority }): DailyValue[] {
  const groups = new Map<string, { metric: string; date: string; unit: string; aggregation: DailyValue['aggregation']; items: Sample[] }>();
  const add = (metric: string, date: string, unit: string, aggregation: DailyValue['aggregation'], s: Sample): void => {
    const key = `${metric}\u0000${date}`;
    const g = groups.get(key);
    if (g) g.items.push(s);
    else groups.set(key, { metric, date, unit, aggregation, items: [s] });
  };
  for (const s of resolveOverlaps(samples, options.priority)) {
    const def = catalog.byId.get(s.metric);
    if (!def) continue;
    const date = localDate(def.sleepStage ? s.end : s.start, options.timeZone);
    add(s.metric, date, s.unit, def.aggregation, s);
    if (def.sleepStage && ASLEEP_STAGES.has(def.sleepStage)) add(SLEEP_TOTAL, date, s.unit, 'sum', s);
  }
  const out: DailyValue[] = [];
  for (const g of groups.values()) {
    const values = g.items.map((s) => s.value);
    const sum = values.reduce((a, b) => a + b, 0);
    const min = Math.min(...values), max = Math.max(...values);
    const value = g.aggregation === 'sum' ? sum : g.aggregation === 'max' ? max : sum / values.length;
    out.push({
      date: g.date, metric: g.metric, value: round(value), unit: g.unit, aggregation: g.aggregation, n: values.length, min, max,
      start: Math.min(...g.items.map((s) => s.start)), end: Math.max(...g.items.map((s) => s.end)),
      sources: [...new Set(g.items.map((s) => s.source))].sort(),
      devices: [...new Set(g.items.map((s) => s.device).filter((d): d is string => d !== null))].sort(),
    });
  }
  return out.sort((a, b) => (a.date === b.date ? (a.metric < b.metric ? -1 : 1) : a.date < b.date ? -1 : 1));
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
