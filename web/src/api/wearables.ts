// Wearables API: chart windows (points, personal baseline band, alert markers), alerts, acknowledgement.
import { api } from './http.ts';

export const metrics = [
  { id: 'heart-rate', label: 'Heart rate', unit: 'bpm' },
  { id: 'resting-heart-rate', label: 'Resting heart rate', unit: 'bpm' },
  { id: 'hrv-sdnn', label: 'Heart rate variability', unit: 'ms' },
  { id: 'sleep-asleep', label: 'Sleep', unit: 'h' },
  { id: 'steps', label: 'Steps', unit: 'steps' },
  { id: 'oxygen-saturation', label: 'Oxygen saturation (SpO₂)', unit: '%' },
  { id: 'body-weight', label: 'Weight', unit: 'kg' },
] as const;
export type MetricId = (typeof metrics)[number]['id'];

export interface ChartData {
  resolution: string;
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
  return { resolution: String(r.resolution ?? ''), points, baseline, alerts };
}

export async function chart(patientId: string, metric: string, from: Date, to: Date, points = 400): Promise<ChartData> {
  const q = new URLSearchParams({ patient: patientId, metric, from: from.toISOString(), to: to.toISOString(), points: String(points) });
  return readChart(await api<unknown>(`/wearables/chart?${q}`, { headers: { accept: 'application/json' } }), from.getTime(), to.getTime());
}

export interface WearableAlert {
  id: string;
  patientId: string;
  metric?: string;
  title: string;
  detail?: string;
  severity: string;
  status: string;
  start?: string;
  acknowledgedBy?: string;
  note?: string;
}

export async function alerts(status: 'active' | 'acknowledged' = 'active', patientId?: string): Promise<WearableAlert[]> {
  const q = new URLSearchParams({ status, ...(patientId ? { patient: patientId } : {}) });
  const raw = await api<unknown>(`/wearables/alerts?${q}`, { headers: { accept: 'application/json' } });
  const list = (Array.isArray(raw) ? raw : ((raw as Raw)?.alerts ?? (raw as Raw)?.items ?? [])) as Raw[];
  return list.map((a) => ({
    id: String(a.id),
    patientId: String(a.patientId ?? a.patient ?? '').replace(/^Patient\//, ''),
    metric: typeof a.metric === 'string' ? a.metric : undefined,
    title: String(a.title ?? a.summary ?? a.rule ?? 'Alert'),
    detail: typeof a.detail === 'string' ? a.detail : typeof a.rationale === 'string' ? a.rationale : undefined,
    severity: String(a.severity ?? 'warning'),
    status: String(a.status ?? status),
    start: typeof a.start === 'string' ? a.start : typeof a.day === 'string' ? a.day : typeof a.createdAt === 'string' ? a.createdAt : undefined,
    acknowledgedBy: typeof a.acknowledgedBy === 'string' ? a.acknowledgedBy : undefined,
    note: typeof a.note === 'string' ? a.note : undefined,
  }));
}

export function acknowledge(id: string, note: string): Promise<unknown> {
  return api<unknown>(`/wearables/alerts/${encodeURIComponent(id)}/ack`, { method: 'POST', json: { note }, headers: { accept: 'application/json' } });
}
