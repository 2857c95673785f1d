// Personal rolling robust baseline (pure): median and scaled MAD of the previous N days, illness windows excluded.

/** One day's value of one metric. */
export interface DayPoint {
  date: string;
  value: number;
}

/** A date range (inclusive, `YYYY-MM-DD`) whose values must not enter a baseline, e.g. a known illness. */
export interface ExcludedWindow {
  start: string;
  end: string;
}

export interface BaselineOptions {
  windowDays: number;
  minDays: number;
  /** 1.4826 makes the MAD estimate a standard deviation for normal data. */
  madScale: number;
  exclude?: readonly ExcludedWindow[];
}

/** The baseline for one day: robust centre and spread of the window before it. */
export interface Baseline {
  median: number;
  /** Scaled median absolute deviation (≈ SD for normal data). */
  mad: number;
  n: number;
  /** The window used, inclusive. */
  from: string;
  to: string;
}

/** `YYYY-MM-DD` plus `days` (may be negative). */
export function addDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The baseline for `day` from the `windowDays` days strictly before it (excluded windows skipped, the window
 * reaching back past them);
 * null when fewer than `minDays` values remain — a rule then stays silent rather than guessing. `series` must be
 * sorted by date with at most one value per date. Pure.
 */
export function baselineFor(series: readonly DayPoint[], day: string, o: BaselineOptions): Baseline | null {
  const excluded = (date: string) => o.exclude?.some((w) => date >= w.start && date <= w.end) ?? false;
  const to = addDays(day, -1);
  let from = addDays(day, -o.windowDays);
  if (o.exclude?.length) {
    // Excluded days do not count towards the window: it reaches back as many days further (up to 3 windows), so
    // after an illness the baseline is again a full window of ordinary days.
    const limit = addDays(day, -3 * o.windowDays);
    let counted = 0;
    let d = to;
    while (counted < o.windowDays && d > limit) {
      if (!excluded(d)) counted++;
      d = addDays(d, -1);
    }
    from = addDays(d, 1);
  }
  const values: number[] = [];
  for (const p of series) {
    if (p.date < from) continue;
    if (p.date > to) break;
    if (excluded(p.date)) continue;
    values.push(p.value);
  }
  if (values.length < o.minDays) return null;
  const m = median(values);
  return { median: m, mad: median(values.map((v) => Math.abs(v - m))) * o.madScale, n: values.length, from, to };
}
