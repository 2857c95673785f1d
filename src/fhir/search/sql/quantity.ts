// SQL condition for one quantity value (https://hl7.org/fhir/R4/search.html#quantity): number plus system/code.
import type { QuantityValue } from '../types.ts';
import { numberCondition } from './number.ts';
import type { SqlParams } from './params.ts';

/** `[prefix]value|system|code`: the code matches the coded unit or, without a system, the human unit too. */
export function quantityCondition(cols: { low: string; high: string; system: string; code: string; unit: string }, v: QuantityValue, sql: SqlParams): string {
  const parts = [numberCondition(cols, v, sql)];
  if (v.system) parts.push(`${cols.system} = ${sql.add(v.system)}`);
  if (v.code) {
    const code = sql.add(v.code);
    parts.push(v.system ? `${cols.code} = ${code}` : `(${cols.code} = ${code} OR ${cols.unit} = ${code})`);
  }
  return `(${parts.join(' AND ')})`;
}
