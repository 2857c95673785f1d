// SQL condition for one string value (https://hl7.org/fhir/R4/search.html#string): prefix, :exact, :contains.
import type { Modifier, StringValue } from '../types.ts';
import { normalizeString } from '../values.ts';
import { escapeLike, type SqlParams } from './params.ts';

/** Default: normalized prefix match (uses the text_pattern_ops index); `:exact` compares the original text. */
export function stringCondition(cols: { norm: string; exact: string }, v: StringValue, modifier: Modifier | undefined, sql: SqlParams): string {
  if (modifier === 'exact') return `${cols.exact} = ${sql.add(v.text)}`;
  const needle = escapeLike(normalizeString(v.text));
  if (modifier === 'contains') return `${cols.norm} LIKE ${sql.add(`%${needle}%`)}`;
  return `${cols.norm} LIKE ${sql.add(`${needle}%`)}`;
}
