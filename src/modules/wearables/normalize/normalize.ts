// Turns a raw source measurement into a normalized sample (canonical UCUM unit, range check) or a reason.
import type { MetricCatalog } from '../metrics/catalog.ts';
import type { RawSample, Sample } from '../model.ts';
import { applyConversion, ucumConversion } from './units.ts';

/** A sample, or why the record was refused (unknown metric or unit, implausible value, bad interval). */
export type NormalizeResult = { ok: true; sample: Sample } | { ok: false; reason: string };

/**
 * Normalizes one raw sample: resolves the source unit to UCUM through the importer's alias table, converts it to
 * the metric's canonical unit, and checks the value against the metric's plausible range. Unknown units are
 * reported, never guessed.
 */
export function normalizeSample(raw: RawSample, catalog: MetricCatalog): NormalizeResult {
  const metric = catalog.byId.get(raw.metric);
  if (!metric) return { ok: false, reason: `unknown metric ${raw.metric}` };
  if (!Number.isFinite(raw.start) || !Number.isFinite(raw.end)) return { ok: false, reason: 'invalid date' };
  if (raw.end < raw.start) return { ok: false, reason: 'end date before start date' };
  if (!Number.isFinite(raw.value)) return { ok: false, reason: `value is not a number` };
  const ucumUnit = raw.unitSystem === 'ucum' ? raw.unit : catalog.unitAliases[raw.unitSystem]?.[raw.unit];
  if (ucumUnit === undefined || !(ucumUnit === metric.ucum || metric.acceptedUnits.includes(ucumUnit))) {
    return { ok: false, reason: `unit "${raw.unit}" is not accepted for ${metric.id} (expected one of ${[metric.ucum, ...metric.acceptedUnits].filter((u, i, a) => a.indexOf(u) === i).join(', ')})` };
  }
  const conversion = ucumConversion(ucumUnit, metric.ucum);
  if (!conversion) return { ok: false, reason: `unit ${ucumUnit} cannot be converted to ${metric.ucum}` };
  const value = applyConversion(raw.value, conversion);
  const [min, max] = metric.validRange;
  if (value < min || value > max) return { ok: false, reason: `${metric.id} value ${value} ${metric.ucum} outside the plausible range ${min}–${max}` };
  return {
    ok: true,
    sample: { metric: metric.id, start: raw.start, end: raw.end, value, unit: metric.ucum, source: raw.source, sourceKind: catalog.classifySource(raw.source, raw.device), device: raw.device, context: raw.context ?? null },
  };
}
