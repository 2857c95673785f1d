// Alert rules on synthetic trajectories with known onset: fired on the right day with evidence, resolved on
// recovery, silent on a year of normal variation; baselines exclude illness windows; per-patient overrides.
import { describe, expect, it } from 'vitest';
import { addDays, baselineFor, type DayPoint } from '../baselines/baseline.ts';
import { loadMetricCatalog } from '../metrics/catalog.ts';
import { evaluateAlerts, type Alert } from './evaluate.ts';
import { renderAlert } from './render.ts';
import { applyOverrides, loadAlertRules } from './rules.ts';
import { series } from './synthetic-series.ts';
import { r4ShapeProblems } from '../summaries/r4-shape.ts';

const set = loadAlertRules();
const rules = applyOverrides(set);
const START = '2024-01-01';
const day = (i: number) => addDays(START, i);

function run(daily: Record<string, DayPoint[]>, asOf: string, opts: { rules?: typeof rules; exclude?: { start: string; end: string }[] } = {}): Alert[] {
  return evaluateAlerts({ patientId: 'p1', daily: new Map(Object.entries(daily)), rules: opts.rules ?? rules, baseline: set.baseline, exclude: opts.exclude, asOf });
}

describe('alert rules data', () => {
  it('cites a literature source for every rule', () => {
    for (const r of set.rules) expect(r.sources.length, r.id).toBeGreaterThan(0);
    expect(set.rules.find((r) => r.id === 'rhr-rise')?.params).toMatchObject({ delta: 4, consecutiveDays: 2 });
  });
});

describe('evaluateAlerts', () => {
  it('raises the resting-heart-rate alert on the second consecutive elevated night, with evidence, then resolves', () => {
    // 60 days around 60 bpm, then +7 bpm on days 60–64, back to normal from day 65.
    const rhr = series(START, 80, 60, 1, 11, (i) => (i >= 60 && i < 65 ? 7 : 0));
    const alerts = run({ 'resting-heart-rate': rhr }, day(79));
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a).toMatchObject({ ruleId: 'rhr-rise', onset: day(61), status: 'resolved', resolvedOn: day(66), dedupKey: `p1:rhr-rise:${day(60)}` });
    expect(a.evidence.map((e) => e.date)).toEqual([day(60), day(61)]);
    expect(a.evidence[0]!.baseline!.median).toBeCloseTo(60, 0);
    expect(a.evidence[0]!.baseline!.n).toBe(28);
    expect(a.evidence[0]!.value).toBeGreaterThanOrEqual(a.evidence[0]!.baseline!.median + 4);
  });

  it('is still active when evaluated during the episode, and silent before the second night', () => {
    const rhr = series(START, 80, 60, 1, 11, (i) => (i >= 60 ? 7 : 0));
    expect(run({ 'resting-heart-rate': rhr }, day(60))).toEqual([]);
    expect(run({ 'resting-heart-rate': rhr }, day(63))[0]).toMatchObject({ status: 'active', onset: day(61) });
  });

  it('stays silent on a year of noisy normal data for every rule', () => {
    const daily = {
      'resting-heart-rate': series(START, 365, 60, 1.5, 1),
      'hrv-sdnn': series(START, 365, 45, 6, 2),
      'hrv-rmssd': series(START, 365, 38, 5, 3),
      'oxygen-saturation': series(START, 365, 96.5, 0.7, 4),
      'body-temperature': series(START, 365, 36.8, 0.25, 5),
      'sleep-total': series(START, 365, 450, 30, 6),
      steps: series(START, 365, 8000, 1200, 7),
      'body-weight': series(START, 365, 80, 0.3, 8),
    };
    expect(run(daily, day(364))).toEqual([]);
  });

  it('keeps SDNN and RMSSD apart: an RMSSD drop raises only the RMSSD rule', () => {
    const alerts = run({ 'hrv-sdnn': series(START, 60, 45, 5, 2), 'hrv-rmssd': series(START, 60, 38, 3, 3, (i) => (i >= 40 && i < 45 ? -15 : 0)) }, day(59));
    expect(alerts.map((a) => [a.ruleId, a.onset])).toEqual([['hrv-rmssd-drop', day(42)]]);
  });

  it('fires absolute, ratio and within-window rules on their onset day', () => {
    const alerts = run({
      'oxygen-saturation': series(START, 40, 96.5, 0.4, 4, (i) => (i >= 30 ? -5 : 0)),
      'body-temperature': series(START, 40, 36.8, 0.1, 5, (i) => (i === 33 ? 1.8 : 0)),
      steps: series(START, 40, 8000, 500, 7, (i) => (i >= 32 ? -6000 : 0)),
      'sleep-total': series(START, 40, 460, 15, 6, (i) => (i >= 35 ? -150 : 0)),
      'body-weight': series(START, 40, 80, 0.1, 8, (i) => (i >= 36 ? (i - 35) * 0.9 : 0)),
    }, day(39));
    expect(alerts.map((a) => [a.ruleId, a.onset])).toEqual([
      ['low-spo2', day(31)], ['fever', day(33)], ['activity-decline', day(34)], ['sleep-deficit', day(37)], ['rapid-weight-gain', day(38)],
    ]);
    expect(alerts.find((a) => a.ruleId === 'fever')).toMatchObject({ status: 'resolved', resolvedOn: day(34) });
    expect(alerts.find((a) => a.ruleId === 'rapid-weight-gain')!.evidence[0]!.reference).toBeCloseTo(80, 0); // lowest weight of the 3 days before
  });

  it('needs enough history: no baseline, no baseline-relative alert', () => {
    expect(run({ 'resting-heart-rate': series(START, 12, 60, 1, 11, (i) => (i >= 8 ? 10 : 0)) }, day(11))).toEqual([]);
  });

  it('applies per-patient overrides and refuses unknown ones', () => {
    const rhr = series(START, 80, 60, 0.3, 11, (i) => (i >= 60 && i < 65 ? 3 : 0));
    expect(run({ 'resting-heart-rate': rhr }, day(79))).toEqual([]);
    expect(run({ 'resting-heart-rate': rhr }, day(79), { rules: applyOverrides(set, { 'rhr-rise': { delta: 2 } }) }).map((a) => a.onset)).toEqual([day(61)]);
    expect(applyOverrides(set, { fever: { enabled: false } }).map((r) => r.id)).not.toContain('fever');
    expect(() => applyOverrides(set, { nope: {} })).toThrow(expect.objectContaining({ code: 'WEARABLES_UNKNOWN_RULE', status: 400 }));
    expect(() => applyOverrides(set, { fever: { threshold: Number.NaN } })).toThrow(expect.objectContaining({ code: 'WEARABLES_BAD_RULE_OVERRIDE' }));
  });
});

describe('illness windows', () => {
  it('keeps a resolved episode out of later baselines, so a second illness soon after is still seen', () => {
    // An 18-day illness (+8 bpm, days 40–57), two normal days, then a milder one (+5 bpm from day 62). Had the first
    // illness stayed in the 28-day window, the baseline median would be ~68 and the second rise would go unseen.
    const rhr = series(START, 70, 60, 0.5, 5, (i) => (i >= 40 && i < 58 ? 8 : i >= 62 ? 5 : 0));
    const alerts = run({ 'resting-heart-rate': rhr }, day(69));
    expect(alerts.map((a) => [a.onset, a.status])).toEqual([[day(41), 'resolved'], [day(63), 'active']]);
    const second = alerts[1]!.evidence[0]!.baseline!;
    expect(second.median).toBeCloseTo(60, 0);
    expect(second.n).toBe(28);
    expect(second.from < day(40)).toBe(true);
  });
});

describe('baselineFor', () => {
  it('uses the 28 days before, drops illness windows, and needs 14 values', () => {
    const s = series(START, 40, 60, 0, 1, (i) => (i >= 20 && i < 25 ? 20 : 0));
    expect(baselineFor(s, day(30), set.baseline)!.median).toBe(60);
    const b = baselineFor(s, day(30), { ...set.baseline, exclude: [{ start: day(20), end: day(24) }] });
    // The 5 excluded days do not count: the window reaches 5 days further back (to before the first value).
    expect(b).toMatchObject({ median: 60, mad: 0, n: 25, from: day(-3), to: day(29) });
    expect(baselineFor(s, day(10), set.baseline)).toBeNull();
  });
});

describe('renderAlert', () => {
  it('renders an active alert as an active Flag and an urgent Communication carrying the evidence', () => {
    const catalog = loadMetricCatalog();
    const alert = run({ 'resting-heart-rate': series(START, 70, 60, 1, 11, (i) => (i >= 60 ? 7 : 0)) }, day(69))[0]!;
    const { flag, communication } = renderAlert({ alert, recipients: [{ reference: 'CareTeam/ct1' }], unitOf: (m) => catalog.byId.get(m)!.ucum, now: new Date('2024-03-11T08:00:00Z') });
    expect(flag).toMatchObject({ resourceType: 'Flag', status: 'active', period: { start: day(61) }, subject: { reference: 'Patient/p1' } });
    expect(flag.identifier![0]!.value).toBe(alert.dedupKey);
    expect(communication).toMatchObject({ status: 'completed', priority: 'urgent', recipient: [{ reference: 'CareTeam/ct1' }] });
    expect(communication.payload![0]!.contentString).toContain(`${day(60)}: `);
    expect(communication.payload![0]!.contentString).toContain('baseline median');
    expect(communication.payload![0]!.contentString).toContain('Mishra');
    expect([...r4ShapeProblems(flag as unknown as { resourceType: string }), ...r4ShapeProblems(communication as unknown as { resourceType: string })]).toEqual([]);
  });
});
