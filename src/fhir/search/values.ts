// Pure value helpers of search: string normalization, date precision ranges, decimal precision deltas.

/** Lowercase, accents removed (https://hl7.org/fhir/R4/search.html#string: case- and accent-insensitive). */
export function normalizeString(text: string): string {
  // Printable ASCII has no accents to remove: skip the Unicode decomposition (most codes and names).
  if (/^[ -~]*$/.test(text)) return text.toLowerCase();
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Milliseconds of a UTC date-time; unlike Date.UTC, years 1-99 stay themselves (not 1901-1999). */
function utc(year: number, month: number, day: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  d.setUTCHours(h, mi, s, ms);
  return d.getTime();
}

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The instant range covered by a FHIR date/dateTime/instant at its precision
 * (https://hl7.org/fhir/R4/search.html#date): `2020-03` covers all of March. Values without a time zone are read
 * as UTC. Returns undefined for text that is not a FHIR date.
 */
export function dateRange(text: string): { low: string; high: string } | undefined {
  const m = DATE_RE.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const year = Number(y);
  if (year < 1) return undefined; // PostgreSQL has no year 0
  const month = mo === undefined ? undefined : Number(mo);
  const day = d === undefined ? undefined : Number(d);
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined && (day < 1 || day > 31)) return undefined;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59))) return undefined;
  let start: number;
  let end: number;
  if (month === undefined) {
    start = utc(year, 0, 1);
    end = utc(year + 1, 0, 1);
  } else if (day === undefined) {
    start = utc(year, month - 1, 1);
    end = utc(year, month, 1);
  } else if (h === undefined) {
    start = utc(year, month - 1, day);
    if (new Date(start).getUTCDate() !== day) return undefined;
    end = start + 86_400_000;
  } else {
    const offset = tz === undefined || tz === 'Z' ? 0 : (tz.startsWith('-') ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) * 60_000;
    const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
    start = utc(year, month - 1, day, Number(h), Number(mi), s === undefined ? 0 : Number(s), ms) - offset;
    // The precision of the last given time part sets the width of the range.
    const width = frac ? 10 ** (3 - Math.min(3, frac.length - 1)) : s !== undefined ? 1000 : 60_000;
    end = start + width;
  }
  return { low: new Date(start).toISOString(), high: new Date(end - 1).toISOString() };
}

const DECIMAL_RE = /^[+-]?(\d{1,100})(?:\.(\d{1,100}))?(?:[eE]([+-]?\d{1,3}))?$/;

/** True when `text` is a FHIR search number (decimal, optionally with an exponent). */
export function isDecimal(text: string): boolean {
  return DECIMAL_RE.test(text);
}

/**
 * Half of the last significant digit of a search number (https://hl7.org/fhir/R4/search.html#number):
 * `100` -> `0.5`, `100.00` -> `0.005`, `1e2` -> `50`. Returned as decimal text for exact SQL numeric arithmetic.
 */
export function decimalDelta(text: string): string {
  const m = DECIMAL_RE.exec(text);
  if (!m) throw new Error(`not a decimal: ${text}`);
  const decimals = m[2]?.length ?? 0;
  const exp = Number(m[3] ?? 0);
  const sigDigits = ((m[1] ?? '').replace(/^0+(?=\d)/, '') + (m[2] ?? '')).replace(/^0+/, '').length;
  if (m[3] !== undefined) {
    // 1e2 has one significant digit at 10^2: delta is 0.5 * 10^(exp - (sigDigits - 1) + integer digits - 1).
    const intDigits = (m[1] ?? '').length;
    const power = exp + intDigits - Math.max(sigDigits, 1);
    return `5e${power - 1}`;
  }
  return `5e-${decimals + 1}`;
}
