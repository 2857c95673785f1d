// Keyset paging cursors: the sort-key values and rid of a page edge, base64url JSON, opaque to clients.
import { FlauraError } from '../../errors.ts';

export interface Cursor {
  /** n = rows after this edge (next page), p = rows before it (previous page). */
  d: 'n' | 'p';
  /** Sort-key values (null when the row had no value for that key). */
  v: (string | null)[];
  rid: number;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

const NUMERIC = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** True when `value` can be cast to the SQL type of its sort key, so a forged cursor cannot cause a 500. */
function castable(value: string | null, type: string): boolean {
  if (value === null || type === 'text') return true;
  if (type === 'numeric') return NUMERIC.test(value);
  if (type === 'timestamptz') return value === 'infinity' || value === '-infinity' || !Number.isNaN(Date.parse(value));
  return false;
}

/** Decodes a cursor of a search whose sort keys have the given SQL types; 400 for anything else. */
export function decodeCursor(text: string, keyTypes: readonly string[]): Cursor {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if ((c.d === 'n' || c.d === 'p') && Array.isArray(c.v) && c.v.length === keyTypes.length && Number.isSafeInteger(c.rid)
      && c.v.every((x, i) => (x === null || typeof x === 'string') && castable(x, keyTypes[i]!))) return c;
  } catch {
    // fall through to the error below
  }
  throw new FlauraError('SEARCH_INVALID_VALUE', 400, "Invalid value for search parameter '_cursor': not a cursor of this search", { expression: ['_cursor'] });
}
