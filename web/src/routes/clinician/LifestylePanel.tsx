// Lifestyle data for one patient: a metric and a window chosen by the user, the trend with the personal baseline
// band and alert markers, and the patient's open alerts.
import { lazy, Suspense, useState } from 'react';
import { chart, metrics, type MetricId } from '../../api/wearables.ts';
import { useLoad } from '../../components/useLoad.ts';
import { Loaded, Loading } from '../../components/States.tsx';
import { AlertList } from './AlertsInbox.tsx';

const TrendChart = lazy(() => import('../../charts/TrendChart.tsx'));

const windows = [
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
] as const;

export function MetricPicker({ metric, days, onMetric, onDays }: { metric: MetricId; days: number; onMetric: (m: MetricId) => void; onDays: (d: number) => void }) {
  return (
    <div className="pickers">
      <div>
        <label htmlFor="metric">Measure</label>
        <select id="metric" value={metric} onChange={(e) => onMetric(e.target.value as MetricId)}>
          {metrics.map((m) => (
            <option key={m.id} value={m.id}>
              {m.label}
            </option>
          ))}
        </select>
      </div>
      <fieldset className="segmented">
        <legend>Window</legend>
        {windows.map((w) => (
          <label key={w.days}>
            <input type="radio" name="window" value={w.days} checked={days === w.days} onChange={() => onDays(w.days)} />
            <span>{w.label}</span>
          </label>
        ))}
      </fieldset>
    </div>
  );
}

/** UCUM units as people read them; the screen's own unit when the server names none. */
function displayUnit(ucum: string | undefined, fallback: string): string {
  const words: Record<string, string> = { '/min': 'bpm', '{beats}/min': 'bpm', '{steps}': 'steps', min: 'min', kg: 'kg', '%': '%', ms: 'ms', h: 'h' };
  return ucum ? (words[ucum] ?? ucum) : fallback;
}

export function MetricChart({ patientId, metric, days }: { patientId: string; metric: MetricId; days: number }) {
  const m = metrics.find((x) => x.id === metric)!;
  const [load, retry] = useLoad(() => {
    const to = new Date();
    // Totals (steps, sleep) read as one value a day, so the points and the daily baseline band match.
    return chart(patientId, metric, new Date(to.getTime() - days * 86_400_000), to, 'daily' in m ? days : 400);
  }, [patientId, metric, days, m]);
  return (
    <Loaded load={load} retry={retry} label={`Loading ${m.label.toLowerCase()}`}>
      {(data) =>
        data.points.length === 0 ? (
          <p className="state state-empty">No {m.label.toLowerCase()} data in the last {days} days.</p>
        ) : (
          <Suspense fallback={<Loading label="Drawing the chart" />}>
            <TrendChart data={data} label={m.label} unit={displayUnit(data.unit, m.unit)} />
          </Suspense>
        )
      }
    </Loaded>
  );
}

export default function LifestylePanel({ patientId }: { patientId: string }) {
  const [metric, setMetric] = useState<MetricId>('resting-heart-rate');
  const [days, setDays] = useState(30);
  return (
    <div className="stack-lg">
      <section className="card" aria-labelledby="lifestyle-title">
        <h2 id="lifestyle-title">Lifestyle trends</h2>
        <MetricPicker metric={metric} days={days} onMetric={setMetric} onDays={setDays} />
        <MetricChart patientId={patientId} metric={metric} days={days} />
      </section>
      <section className="card" aria-labelledby="patient-alerts">
        <h2 id="patient-alerts">Open alerts</h2>
        <AlertList patientId={patientId} />
      </section>
    </div>
  );
}
