// Open mHealth importer: data points (header + body) checked against the schema shapes, then normalized.
import type { MetricCatalog } from '../metrics/catalog.ts';
import type { ImportItem } from '../model.ts';
import { issue, toItem } from './emit.ts';
import type { JsonLine } from './json-lines.ts';
import { checkDataPoint, checkTimeFrame, checkUnitValue } from './omh-shapes.ts';

/** Body property holding the measured value per schema name, and whether the schema requires a time interval. */
const BODY: Record<string, { property: string; interval: boolean; units?: string[] }> = {
  'heart-rate': { property: 'heart_rate', interval: false, units: ['beats/min'] },
  'step-count': { property: 'step_count', interval: true },
  'sleep-duration': { property: 'sleep_duration', interval: true, units: ['sec', 'min', 'h'] },
  'body-temperature': { property: 'body_temperature', interval: false, units: ['K', 'F', 'C'] },
  'respiratory-rate': { property: 'respiratory_rate', interval: false, units: ['breaths/min'] },
  'oxygen-saturation': { property: 'oxygen_saturation', interval: false, units: ['%'] },
  'body-weight': { property: 'body_weight', interval: false },
};

/** Reads OMH data points (e.g. from `readJsonLines`, or an array's items with their index as line) and yields items. */
export async function* importOmh(points: AsyncIterable<JsonLine> | Iterable<JsonLine>, catalog: MetricCatalog): AsyncGenerator<ImportItem> {
  for await (const p of points) {
    if ('error' in p) {
      yield issue(p.text, `invalid JSON: ${p.error}`, p.line);
      continue;
    }
    yield pointToItem(p.value, p.line, catalog);
  }
}

function pointToItem(value: unknown, line: number, catalog: MetricCatalog): ImportItem {
  const dp = checkDataPoint(value);
  if (typeof dp === 'string') return issue(`data point at line ${line}`, dp, line);
  const label = `${dp.schema.namespace}:${dp.schema.name}:${dp.schema.version} ${dp.id}`;
  const shape = BODY[dp.schema.name];
  const metric = catalog.byOmh.get(dp.schema.name);
  if (dp.schema.namespace !== 'omh' || !shape || !metric) return issue(label, `unsupported schema ${dp.schema.namespace}:${dp.schema.name}`, line);
  const frame = checkTimeFrame(dp.body.effective_time_frame, shape.interval);
  if (typeof frame === 'string') return issue(label, frame, line);
  const rawValue = dp.body[shape.property];
  // step-count 1.0/2.0 carry a bare number; 3.0 a unit value with unit "steps".
  const uv = typeof rawValue === 'number' && dp.schema.name === 'step-count' ? { value: rawValue, unit: 'steps' } : checkUnitValue(rawValue, `body.${shape.property}`);
  if (typeof uv === 'string') return issue(label, uv, line);
  if (shape.units && !shape.units.includes(uv.unit)) return issue(label, `unit "${uv.unit}" is not allowed by ${dp.schema.name} (${shape.units.join(', ')})`, line);
  return toItem({ metric: metric.id, start: frame.start, end: frame.end, value: uv.value, unit: uv.unit, unitSystem: 'omh', source: dp.sourceName ?? 'Open mHealth', device: null }, catalog, label, line);
}
