// SQL condition for one composite value (https://hl7.org/fhir/R4/search.html#composite): token$second on one row.
import type { CompositeValue } from '../types.ts';
import { dateCondition } from './date.ts';
import { numberCondition } from './number.ts';
import type { SqlParams } from './params.ts';
import { quantityCondition } from './quantity.ts';
import { stringCondition } from './string.ts';
import { tokenCondition } from './token.ts';

/** Both components must match the same element (same row), e.g. code-value-quantity=loinc|123$gt5. */
export function compositeCondition(a: string, v: CompositeValue, sql: SqlParams): string {
  const first = tokenCondition({ system: `${a}.t_system`, code: `${a}.t_code` }, v.first, sql);
  const s = v.second;
  let second: string;
  switch (s.kind) {
    case 'token': second = tokenCondition({ system: `${a}.v_system`, code: `${a}.v_code` }, s, sql); break;
    case 'string': second = stringCondition({ norm: `${a}.v_text`, exact: `${a}.v_text` }, s, undefined, sql); break;
    case 'date': second = dateCondition({ low: `${a}.v_start`, high: `${a}.v_end` }, s, sql); break;
    case 'number': second = numberCondition({ low: `${a}.v_low`, high: `${a}.v_high` }, s, sql); break;
    case 'quantity': second = quantityCondition({ low: `${a}.v_low`, high: `${a}.v_high`, system: `${a}.v_system`, code: `${a}.v_code`, unit: `${a}.v_text` }, s, sql); break;
    case 'reference': second = `${a}.v_code = ${sql.add(s.type && s.id ? `${s.type}/${s.id}` : s.url ?? s.id ?? '')}`; break;
    case 'uri': second = `${a}.v_code = ${sql.add(s.uri)}`; break;
  }
  return `(${first} AND ${second})`;
}
