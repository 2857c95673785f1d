// Alert evaluation (pure): each rule walks the person's daily series, compares each day with that person's own
// baseline (or a fixed threshold), raises an alert after N breaching days in a row and resolves it on recovery.
import { addDays, baselineFor, type Baseline, type DayPoint, type ExcludedWindow } from '../baselines/baseline.ts';
import type { AlertRule, AlertRuleSet } from './rules.ts';

/** One day of evidence: the value, the baseline it was compared with, and whether it breached. */
export interface AlertEvidence {
  date: string;
  value: number;
  baseline: Pick<Baseline, 'median' | 'mad' | 'n' | 'from' | 'to'> | null;
  /** For rise-within-days: the lowest value of the preceding window. */
  reference?: number;
}

/** An alert: a plain value the module stores, renders as FHIR and deduplicates by `dedupKey`. */
export interface Alert {
  dedupKey: string;
  patientId: string;
  ruleId: string;
  metric: string;
  title: string;
  severity: AlertRule['severity'];
  /** Day the rule's condition was first met (the last of the `consecutiveDays` breaching days). */
  onset: string;
  /** The breaching days that raised the alert. */
  evidence: AlertEvidence[];
  status: 'active' | 'resolved';
  /** Day recovery completed (the last of the `recoveryDays` normal days). */
  resolvedOn?: string;
  rule: { params: AlertRule['params']; sources: AlertRule['sources'] };
}

export interface EvaluateInput {
  patientId: string;
  /** Daily values per metric id, one value per date (order not required). */
  daily: ReadonlyMap<string, readonly DayPoint[]>;
  rules: readonly AlertRule[];
  baseline: AlertRuleSet['baseline'];
  /** Known illness or other windows kept out of every baseline. */
  exclude?: readonly ExcludedWindow[];
  /** Evaluate days up to and including this date. */
  asOf: string;
}

/** Every alert episode of every rule up to `asOf`, oldest first. Pure. */
export function evaluateAlerts(input: EvaluateInput): Alert[] {
  const alerts: Alert[] = [];
  for (const rule of input.rules) {
    const series = [...(input.daily.get(rule.metric) ?? [])].filter((p) => p.date <= input.asOf).sort((a, b) => (a.date < b.date ? -1 : 1));
    alerts.push(...evaluateRule(rule, series, input));
  }
  return alerts.sort((a, b) => (a.onset < b.onset ? -1 : a.onset > b.onset ? 1 : a.ruleId < b.ruleId ? -1 : 1));
}

function evaluateRule(rule: AlertRule, series: readonly DayPoint[], input: EvaluateInput): Alert[] {
  const need = rule.params.consecutiveDays ?? 1;
  const recover = rule.params.recoveryDays ?? 1;
  const out: Alert[] = [];
  let streak: AlertEvidence[] = [];
  let open: Alert | undefined;
  let normalRun = 0;
  // While a streak or an alert is open, the baseline stays frozen at the streak's first day, so the elevated days
  // themselves never pull the baseline up.
  let frozen: Baseline | null | undefined;
  // A resolved episode is an illness window: its days stay out of later baselines (with the caller's windows).
  const exclude: ExcludedWindow[] = [...(input.exclude ?? [])];
  let prevDate: string | undefined;
  for (const p of series) {
    const gap = prevDate !== undefined && p.date !== addDays(prevDate, 1);
    prevDate = p.date;
    if (gap && !open) streak = []; // breaching days must be consecutive calendar days
    const baseline = frozen !== undefined ? frozen : needsBaseline(rule) ? baselineFor(series, p.date, { ...input.baseline, exclude }) : null;
    const ev = check(rule, p, baseline, series);
    if (ev.breach) {
      normalRun = 0;
      if (frozen === undefined) frozen = baseline;
      if (open) continue;
      streak.push(ev.evidence);
      if (streak.length >= need) {
        open = {
          dedupKey: `${input.patientId}:${rule.id}:${streak[0]!.date}`,
          patientId: input.patientId, ruleId: rule.id, metric: rule.metric, title: rule.title, severity: rule.severity,
          onset: p.date, evidence: streak, status: 'active', rule: { params: rule.params, sources: rule.sources },
        };
        out.push(open);
      }
    } else {
      streak = [];
      if (!open) {
        frozen = undefined;
        continue;
      }
      normalRun++;
      if (normalRun >= recover) {
        open.status = 'resolved';
        open.resolvedOn = p.date;
        exclude.push({ start: open.evidence[0]!.date, end: p.date });
        open = undefined;
        frozen = undefined;
        normalRun = 0;
      }
    }
  }
  return out;
}

function needsBaseline(rule: AlertRule): boolean {
  return rule.kind !== 'below-absolute' && rule.kind !== 'above-absolute' && rule.kind !== 'rise-within-days';
}

function check(rule: AlertRule, p: DayPoint, b: Baseline | null, series: readonly DayPoint[]): { breach: boolean; evidence: AlertEvidence } {
  const k = rule.params;
  const evidence: AlertEvidence = { date: p.date, value: p.value, baseline: b };
  const needB = (f: (b: Baseline) => boolean): boolean => b !== null && f(b);
  switch (rule.kind) {
    case 'above-baseline':
      return { breach: needB((x) => p.value >= x.median + (k.delta ?? 0)), evidence };
    case 'below-baseline-z':
      // A spread floor of 1 % of the median keeps a perfectly flat history from turning noise into z = -∞.
      return { breach: needB((x) => (p.value - x.median) / Math.max(x.mad, Math.abs(x.median) * 0.01) <= (k.z ?? -2)), evidence };
    case 'below-absolute':
      return { breach: p.value < (k.threshold ?? -Infinity), evidence };
    case 'above-absolute':
      return { breach: p.value >= (k.threshold ?? Infinity), evidence };
    case 'below-baseline-and-absolute':
      return { breach: needB((x) => p.value < (k.threshold ?? -Infinity) && p.value <= x.median - (k.delta ?? 0)), evidence };
    case 'below-baseline-ratio':
      return { breach: needB((x) => p.value < x.median * (k.ratio ?? 0)), evidence };
    case 'rise-within-days': {
      const from = addDays(p.date, -(k.windowDays ?? 3));
      const prior = series.filter((q) => q.date >= from && q.date < p.date).map((q) => q.value);
      if (prior.length === 0) return { breach: false, evidence };
      const reference = Math.min(...prior);
      return { breach: p.value - reference > (k.delta ?? Infinity), evidence: { ...evidence, reference } };
    }
  }
}
