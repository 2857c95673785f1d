// SQL condition for one date value (https://hl7.org/fhir/R4/search.html#date): range comparison by prefix.
import type { DateValue } from '../types.ts';
import type { SqlParams } from './params.ts';

const DAY = 86_400_000;

/** The range `ap` accepts: the value's range widened by 10% of its width, at least a day each side. */
export function approximateRange(v: DateValue): { low: string; high: string } {
  const low = Date.parse(v.low);
  const high = Date.parse(v.high);
  const margin = Math.max((high - low) * 0.1, DAY);
  return { low: new Date(low - margin).toISOString(), high: new Date(high + margin).toISOString() };
}

/**
 * Resource range [low, high] against search range [sl, sh]: eq = contained, gt/sa = after, lt/eb = before,
 * ge/le = overlapping the half-line, ap = overlapping the widened range. Redundant bounds keep index scans narrow.
 */
export function dateCondition(cols: { low: string; high: string }, v: DateValue, sql: SqlParams): string {
  const t = (x: string) => sql.add(x, 'timestamptz');
  const { low, high } = cols;
  switch (v.prefix) {
    case 'eq': { const sl = t(v.low); const sh = t(v.high); return `(${low} >= ${sl} AND ${low} <= ${sh} AND ${high} <= ${sh})`; }
    case 'ne': return `NOT (${low} >= ${t(v.low)} AND ${high} <= ${t(v.high)})`;
    case 'gt': return `${high} > ${t(v.high)}`;
    case 'sa': return `${low} > ${t(v.high)}`;
    case 'ge': return `${high} >= ${t(v.low)}`;
    case 'lt': return `${low} < ${t(v.low)}`;
    case 'eb': return `${high} < ${t(v.low)}`;
    case 'le': return `${low} <= ${t(v.high)}`;
    case 'ap': { const r = approximateRange(v); return `(${low} <= ${t(r.high)} AND ${high} >= ${t(r.low)})`; }
  }
}
