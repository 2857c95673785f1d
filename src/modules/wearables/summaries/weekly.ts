// The weekly patient summary in plain language (pure): this week against the person's own usual values.
import { addDays, median } from '../baselines/baseline.ts';
import type { Alert } from '../alerts/evaluate.ts';
import type { DayPoint } from '../baselines/baseline.ts';
import { SLEEP_TOTAL } from './daily.ts';

export interface WeeklySummaryInput {
  /** Daily values per metric id (resting-heart-rate, steps, sleep-total, body-weight, …). */
  daily: ReadonlyMap<string, readonly DayPoint[]>;
  /** Last day of the week summarised (the week is the 7 days ending here). */
  weekEnd: string;
  /** Alerts of the patient; those active during the week are mentioned. */
  alerts: readonly Alert[];
}

/** Title plus one short sentence per topic; `text` joins them. */
export interface WeeklySummary {
  title: string;
  lines: string[];
  text: string;
}

const ALERT_PHRASES: Record<string, string> = {
  'rhr-rise': 'Your resting heart rate was higher than usual',
  'hrv-sdnn-drop': 'Your heart rate variability was lower than usual',
  'hrv-rmssd-drop': 'Your heart rate variability was lower than usual',
  'low-spo2': 'Your blood oxygen was lower than it should be',
  fever: 'You had a fever',
  'sleep-deficit': 'You slept much less than usual for several nights',
  'activity-decline': 'You were much less active than usual',
  'rapid-weight-gain': 'Your weight went up quickly',
};

function hoursMinutes(min: number): string {
  const h = Math.floor(min / 60), m = Math.round(min % 60);
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

function compare(now: number, usual: number, tolerance: number, higher: string, lower: string): string {
  if (now > usual + tolerance) return higher;
  if (now < usual - tolerance) return lower;
  return 'about the same as usual';
}

/**
 * A short summary for the patient: average sleep, steps and resting heart rate this week against the four weeks
 * before, weight change, and the alerts raised (in plain words, with what happens next). Pure.
 */
export function weeklySummary(input: WeeklySummaryInput): WeeklySummary {
  const weekStart = addDays(input.weekEnd, -6);
  const usualStart = addDays(weekStart, -28);
  const week = (m: string): number[] => (input.daily.get(m) ?? []).filter((p) => p.date >= weekStart && p.date <= input.weekEnd).map((p) => p.value);
  const usual = (m: string): number[] => (input.daily.get(m) ?? []).filter((p) => p.date >= usualStart && p.date < weekStart).map((p) => p.value);
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const lines: string[] = [];

  const sleep = week(SLEEP_TOTAL), sleepUsual = usual(SLEEP_TOTAL);
  if (sleep.length) {
    const s = `You slept ${hoursMinutes(mean(sleep))} a night on average`;
    lines.push(sleepUsual.length >= 7 ? `${s}, ${compare(mean(sleep), median(sleepUsual), 20, 'more than usual', 'less than usual')} (usually ${hoursMinutes(median(sleepUsual))}).` : `${s}.`);
  }
  const steps = week('steps'), stepsUsual = usual('steps');
  if (steps.length) {
    const s = `You walked about ${Math.round(mean(steps) / 100) * 100} steps a day`;
    lines.push(stepsUsual.length >= 7 ? `${s}, ${compare(mean(steps), median(stepsUsual), median(stepsUsual) * 0.15, 'more than usual', 'fewer than usual')}.` : `${s}.`);
  }
  const rhr = week('resting-heart-rate'), rhrUsual = usual('resting-heart-rate');
  if (rhr.length) {
    const s = `Your resting heart rate was ${Math.round(mean(rhr))} beats a minute`;
    lines.push(rhrUsual.length >= 7 ? `${s}, ${compare(mean(rhr), median(rhrUsual), 2, 'higher than usual', 'lower than usual')}.` : `${s}.`);
  }
  const weight = (input.daily.get('body-weight') ?? []).filter((p) => p.date >= weekStart && p.date <= input.weekEnd);
  if (weight.length >= 2) {
    const change = weight[weight.length - 1]!.value - weight[0]!.value;
    lines.push(Math.abs(change) < 0.5 ? 'Your weight stayed steady.' : `Your weight went ${change > 0 ? 'up' : 'down'} by ${Math.abs(Math.round(change * 10) / 10)} kg.`);
  }
  const seen = new Set<string>();
  for (const a of input.alerts) {
    const activeInWeek = a.onset <= input.weekEnd && (a.resolvedOn === undefined || a.resolvedOn >= weekStart);
    const phrase = ALERT_PHRASES[a.ruleId];
    if (!activeInWeek || !phrase || seen.has(phrase)) continue;
    seen.add(phrase);
    lines.push(a.status === 'resolved' ? `${phrase}, but it is back to normal now.` : `${phrase}. Your care team has been told and may contact you.`);
  }
  if (lines.length === 0) lines.push('We did not get enough data from your devices this week to say how it went.');
  const title = `Your week, ${weekStart} to ${input.weekEnd}`;
  return { title, lines, text: [title, ...lines].join('\n') };
}
