// SQL condition for one number value (https://hl7.org/fhir/R4/search.html#number): precision-aware by prefix.
import type { NumberValue, QuantityValue } from '../types.ts';
import type { SqlParams } from './params.ts';

/**
 * Resource range [low, high] (null = unbounded) against value v ± delta: eq/ne use the implied precision range,
 * the ordering prefixes the exact value, ap a ±10% range. Arithmetic stays in SQL numeric, so no float rounding.
 */
export function numberCondition(cols: { low: string; high: string }, v: NumberValue | QuantityValue, sql: SqlParams): string {
  const { low, high } = cols;
  const value = sql.add(v.value, 'numeric');
  const delta = () => sql.add(v.delta, 'numeric');
  switch (v.prefix) {
    case 'eq': { const d = delta(); return `(${low} >= ${value} - ${d} AND ${high} < ${value} + ${d})`; }
    case 'ne': { const d = delta(); return `NOT COALESCE(${low} >= ${value} - ${d} AND ${high} < ${value} + ${d}, false)`; }
    case 'gt': return `(${high} IS NULL OR ${high} > ${value})`;
    case 'ge': return `(${high} IS NULL OR ${high} >= ${value})`;
    case 'lt': return `(${low} IS NULL OR ${low} < ${value})`;
    case 'le': return `(${low} IS NULL OR ${low} <= ${value})`;
    case 'sa': return `${low} > ${value}`;
    case 'eb': return `${high} < ${value}`;
    case 'ap': return `((${low} IS NULL OR ${low} <= ${value} + abs(${value}) * 0.1) AND (${high} IS NULL OR ${high} >= ${value} - abs(${value}) * 0.1))`;
  }
}
