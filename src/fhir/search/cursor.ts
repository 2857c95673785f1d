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

export function decodeCursor(text: string, keyCount: number): Cursor {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if ((c.d === 'n' || c.d === 'p') && Array.isArray(c.v) && c.v.length === keyCount && Number.isSafeInteger(c.rid) && c.v.every((x) => x === null || typeof x === 'string')) return c;
  } catch {
    // fall through to the error below
  }
  throw new FlauraError('SEARCH_INVALID_VALUE', 400, "Invalid value for search parameter '_cursor': not a cursor of this search", { expression: ['_cursor'] });
}
