// Chart data: the wearables chart answer read into points, baseline band and alert markers, and aligned on one time
// axis for uPlot.

export interface ChartData {
  resolution: string;
  /** UCUM unit of the values, when the server names it. */
  unit?: string;
  points: { t: number; v: number; min?: number; max?: number }[];
  /** Personal baseline: lower and upper edge over time (a constant band is two points). */
  baseline: { t: number; low: number; high: number; mid?: number }[];
  alerts: { t: number; title: string; severity: string; id?: string }[];
}

type Raw = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const time = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) || undefined : undefined);

export function readChart(raw: unknown, from: number, to: number): ChartData {
  const r = (raw ?? {}) as Raw;
  const points = (Array.isArray(r.points) ? r.points : []) as ChartData['points'];
  const baseline: ChartData['baseline'] = [];
  const b = r.baseline ?? r.band;
  const edge = (x: Raw) => ({ low: num(x.low) ?? num(x.lower) ?? num(x.min), high: num(x.high) ?? num(x.upper) ?? num(x.max), mid: num(x.median) ?? num(x.mid) ?? num(x.center) });
  if (Array.isArray(b)) {
    for (const x of b as Raw[]) {
      const e = edge(x);
      const t = time(x.t ?? x.day ?? x.date ?? x.time);
      if (t !== undefined && e.low !== undefined && e.high !== undefined) baseline.push({ t, low: e.low, high: e.high, mid: e.mid });
    }
  } else if (b && typeof b === 'object') {
    const e = edge(b as Raw);
    if (e.low !== undefined && e.high !== undefined) baseline.push({ t: from, low: e.low, high: e.high, mid: e.mid }, { t: to, low: e.low, high: e.high, mid: e.mid });
  }
  const alerts = (Array.isArray(r.alerts) ? r.alerts : Array.isArray(r.markers) ? r.markers : []).flatMap((a: unknown) => {
    const x = (a ?? {}) as Raw;
    const t = time(x.t ?? x.time ?? x.start ?? x.day ?? x.date);
    return t === undefined ? [] : [{ t, title: String(x.title ?? x.summary ?? x.rule ?? 'Alert'), severity: String(x.severity ?? 'warning'), id: typeof x.id === 'string' ? x.id : undefined }];
  });
  return { resolution: String(r.resolution ?? ''), ...(typeof r.unit === 'string' && r.unit ? { unit: r.unit } : {}), points, baseline, alerts };
}

export type Aligned = [number[], ...(number | null)[][]];

/** Aligns points, baseline edges and alert markers on one x axis (seconds), as uPlot needs. */
export function align(data: ChartData): Aligned {
  const xs = [...new Set([...data.points.map((p) => p.t), ...data.baseline.map((b) => b.t), ...data.alerts.map((a) => a.t)])].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const value: (number | null)[] = xs.map(() => null);
  const low: (number | null)[] = xs.map(() => null);
  const high: (number | null)[] = xs.map(() => null);
  const marker: (number | null)[] = xs.map(() => null);
  for (const p of data.points) value[at.get(p.t)!] = p.v;
  // The band is drawn between baseline edges; between two edge points it is interpolated linearly (spanGaps).
  for (const b of data.baseline) {
    low[at.get(b.t)!] = b.low;
    high[at.get(b.t)!] = b.high;
  }
  const nearest = (t: number) => data.points.reduce((best, p) => (Math.abs(p.t - t) < Math.abs(best.t - t) ? p : best), data.points[0] ?? { t, v: 0 });
  // A marker sits on the line at the alert's time (the nearest value).
  for (const a of data.alerts) marker[at.get(a.t)!] = nearest(a.t).v;
  return [xs.map((x) => x / 1000), value, low, high, marker];
}

