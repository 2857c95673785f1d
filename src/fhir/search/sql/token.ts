// SQL condition for one token value (https://hl7.org/fhir/R4/search.html#token) on token-shaped columns.
import type { StringValue, TokenValue } from '../types.ts';
import { normalizeString } from '../values.ts';
import { escapeLike, type SqlParams } from './params.ts';

export interface TokenColumns { system: string; code: string; text?: string; typeSystem?: string; typeCode?: string }

/** `code`, `system|code`, `|code` (no system), `system|`; `:of-type` on identifiers; `:text` on display/text. */
export function tokenCondition(cols: TokenColumns, v: TokenValue | StringValue, sql: SqlParams): string {
  if (v.kind === 'string') {
    if (!cols.text) return 'FALSE';
    return `${cols.text} LIKE ${sql.add(escapeLike(normalizeString(v.text)) + '%')}`;
  }
  const parts: string[] = [];
  if (v.typeSystem !== undefined || v.typeCode !== undefined) {
    if (!cols.typeSystem || !cols.typeCode) return 'FALSE';
    if (v.typeSystem) parts.push(`${cols.typeSystem} = ${sql.add(v.typeSystem)}`);
    if (v.typeCode) parts.push(`${cols.typeCode} = ${sql.add(v.typeCode)}`);
  }
  if (v.code !== undefined) parts.push(`${cols.code} = ${sql.add(v.code)}`);
  if (v.system === '') parts.push(`${cols.system} IS NULL`);
  else if (v.system !== undefined) parts.push(`${cols.system} = ${sql.add(v.system)}`);
  return parts.length === 0 ? 'TRUE' : `(${parts.join(' AND ')})`;
}
