// Wearables API: chart windows (points, personal baseline band, alert markers), alerts, acknowledgement.
import { api } from './http.ts';
import { readChart, type ChartData } from '../logic/chart.ts';

export type { ChartData };

type Raw = Record<string, unknown>;

export const metrics = [
  { id: 'heart-rate', label: 'Heart rate', unit: 'bpm' },
  { id: 'resting-heart-rate', label: 'Resting heart rate', unit: 'bpm' },
  { id: 'hrv-sdnn', label: 'Heart rate variability', unit: 'ms' },
  { id: 'sleep-asleep', label: 'Sleep', unit: 'min', daily: true },
  { id: 'steps', label: 'Steps', unit: 'steps', daily: true },
  { id: 'oxygen-saturation', label: 'Oxygen saturation (SpO₂)', unit: '%' },
  { id: 'body-weight', label: 'Weight', unit: 'kg' },
] as const;
export type MetricId = (typeof metrics)[number]['id'];

export async function chart(patientId: string, metric: string, from: Date, to: Date, points = 400): Promise<ChartData> {
  const q = new URLSearchParams({ patient: patientId, metric, from: from.toISOString(), to: to.toISOString(), points: String(points) });
  return readChart(await api<unknown>(`/wearables/chart?${q}`, { headers: { accept: 'application/json' } }), from.getTime(), to.getTime());
}

/** The plain-language weekly summary the server writes from the patient's daily values and own baselines. */
export interface WeeklySummary {
  weekStart: string;
  weekEnd: string;
  title: string;
  lines: string[];
}

export async function weeklySummary(patientId: string): Promise<WeeklySummary> {
  const raw = await api<Raw>(`/wearables/weekly-summary?${new URLSearchParams({ patient: patientId })}`, { headers: { accept: 'application/json' } });
  return { weekStart: String(raw.weekStart), weekEnd: String(raw.weekEnd), title: String(raw.title ?? ''), lines: Array.isArray(raw.lines) ? raw.lines.map(String) : [] };
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

/** Export files (Apple Health zip/XML, Fitbit, Open mHealth, FHIR) go to the importer, which detects the format. */
export function wearableEndpoint(_f: { name: string }, patientId: string): string {
  return `/wearables/import?patient=${encodeURIComponent(patientId)}`;
}
