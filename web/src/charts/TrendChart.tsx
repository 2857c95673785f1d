// One time-series chart (uPlot, loaded with the lifestyle screens only): values, the personal baseline band and
// alert markers. The canvas is described in text and the data is available as a table for screen readers.
import { useEffect, useRef } from 'react';
import uPlot, { type Options } from 'uplot';
import { align } from '../logic/chart.ts';
import 'uplot/dist/uPlot.min.css';
import type { ChartData } from '../api/wearables.ts';
import { formatDate } from '../components/format.ts';

export default function TrendChart({ data, label, unit, height = 240 }: { data: ChartData; label: string; unit: string; height?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const css = getComputedStyle(document.documentElement);
    const accent = css.getPropertyValue('--accent').trim() || '#0f5257';
    const alert = css.getPropertyValue('--critical').trim() || '#b42318';
    const opts: Options = {
      width: el.clientWidth || 600,
      height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [{ stroke: '#5b6b73', grid: { stroke: '#eef2f3' } }, { stroke: '#5b6b73', grid: { stroke: '#eef2f3' }, size: 48 }],
      series: [
        {},
        { label, stroke: accent, width: 2, spanGaps: true, points: { show: false } },
        { label: 'baseline low', stroke: 'rgba(15,82,87,0.25)', width: 1, spanGaps: true, points: { show: false } },
        { label: 'baseline high', stroke: 'rgba(15,82,87,0.25)', width: 1, spanGaps: true, points: { show: false } },
        { label: 'alerts', stroke: alert, width: 0, paths: () => null, points: { show: true, size: 11, fill: alert, stroke: '#fff', width: 2 } },
      ],
      bands: [{ series: [3, 2], fill: 'rgba(15,82,87,0.10)' }],
    };
    const plot = new uPlot(opts, align(data), el);
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [data, label, height]);

  const values = data.points.map((p) => p.v);
  const last = data.points.at(-1);
  const band = data.baseline[0];
  const summary = values.length
    ? `${label}: ${values.length} values from ${formatDate(new Date(data.points[0]!.t).toISOString())} to ${formatDate(new Date(last!.t).toISOString())}; latest ${last!.v.toFixed(1)} ${unit}` +
      (band ? `; personal baseline ${band.low.toFixed(1)}–${band.high.toFixed(1)} ${unit}` : '') +
      (data.alerts.length ? `; ${data.alerts.length} alert${data.alerts.length > 1 ? 's' : ''}` : '')
    : `${label}: no data in this window`;
  return (
    <figure className="trend" data-points={data.points.length} data-baseline={data.baseline.length} data-alerts={data.alerts.length}>
      <div ref={ref} className="trend-canvas" role="img" aria-label={summary} />
      <figcaption className="muted small">
        {summary}
        {band && (
          <span className="legend">
            <span className="swatch swatch-band" aria-hidden="true" /> personal baseline
          </span>
        )}
        {data.alerts.length > 0 && (
          <span className="legend">
            <span className="swatch swatch-alert" aria-hidden="true" /> alert
          </span>
        )}
      </figcaption>
      <details className="as-table">
        <summary>Show values as a table</summary>
        <table>
          <caption className="visually-hidden">{label}</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Value ({unit})</th>
            </tr>
          </thead>
          <tbody>
            {data.points.slice(-50).map((p) => (
              <tr key={p.t}>
                <td>{formatDate(new Date(p.t).toISOString())}</td>
                <td>{p.v.toFixed(1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
