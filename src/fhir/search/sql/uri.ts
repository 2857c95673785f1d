// SQL condition for one uri value (https://hl7.org/fhir/R4/search.html#uri): exact, :below (prefix), :above.
import type { Modifier, UriValue } from '../types.ts';
import { escapeLike, type SqlParams } from './params.ts';

export function uriCondition(col: string, v: UriValue, modifier: Modifier | undefined, sql: SqlParams): string {
  if (modifier === 'below') return `${col} LIKE ${sql.add(escapeLike(v.uri) + '%')}`;
  // :above: the stored uri is a prefix of the searched one (a parent path).
  if (modifier === 'above') return `left(${sql.add(v.uri)}, length(${col})) = ${col}`;
  return `${col} = ${sql.add(v.uri)}`;
}
