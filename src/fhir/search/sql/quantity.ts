// SQL condition for one quantity value (https://hl7.org/fhir/R4/search.html#quantity): number plus system/code.
import type { QuantityValue } from '../types.ts';
import { numberCondition } from './number.ts';
import type { SqlParams } from './params.ts';
import { toCanonical, UCUM_SYSTEM } from '../ucum.ts';

export interface QuantityColumns { low: string; high: string; system: string; code: string; unit: string; canonical?: { low: string; high: string; unit: string } }

/**
 * `[prefix]value|system|code`: the code matches the coded unit or, without a system, the human unit too. A UCUM
 * unit ucum-lhc can convert is compared in base units, so `1|http://unitsofmeasure.org|g` finds `1000 mg`.
 */
export function quantityCondition(cols: QuantityColumns, v: QuantityValue, sql: SqlParams): string {
  const canonical = cols.canonical && v.system === UCUM_SYSTEM && v.code ? toCanonical(v.value, v.code, v.delta) : null;
  if (cols.canonical && canonical) {
    const range = numberCondition(cols.canonical, { ...v, value: canonical.value, delta: canonical.delta ?? v.delta }, sql);
    return `(${cols.canonical.unit} = ${sql.add(canonical.unit)} AND ${range})`;
  }
  const parts = [numberCondition(cols, v, sql)];
  if (v.system) parts.push(`${cols.system} = ${sql.add(v.system)}`);
  if (v.code) {
    const code = sql.add(v.code);
    parts.push(v.system ? `${cols.code} = ${code}` : `(${cols.code} = ${code} OR ${cols.unit} = ${code})`);
  }
  return `(${parts.join(' AND ')})`;
}
