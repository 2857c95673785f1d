// Date parsing for the source formats: Apple Health's `yyyy-MM-dd HH:mm:ss ±hhmm` and ISO 8601 / RFC 3339.

const APPLE_DATE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Parses an Apple Health export date (`2024-03-01 07:15:22 -0500`) to epoch ms; NaN when malformed. */
export function parseAppleDate(text: string): number {
  const m = APPLE_DATE.exec(text);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s, sign, oh, om] = m;
  const month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return Number.NaN;
  const utc = Date.UTC(Number(y), month - 1, day, hour, minute, second);
  if (new Date(utc).getUTCDate() !== day) return Number.NaN;
  const offset = (Number(oh) * 60 + Number(om)) * (sign === '-' ? -1 : 1);
  return utc - offset * 60_000;
}

/** Parses an ISO 8601 date-time that carries a zone (`Z` or offset), as FHIR instants and OMH date_time do; NaN otherwise. */
export function parseIsoInstant(text: string): number {
  if (!ISO_WITH_ZONE.test(text)) return Number.NaN;
  return Date.parse(text);
}

/**
 * Parses a local date-time without zone (Fitbit's `2024-03-01T07:15:00.000`, or a date plus `07:15:00`) as if at
 * `utcOffsetMinutes` from UTC (Fitbit returns the user's local time; the caller passes the profile's offset).
 */
export function parseLocalDateTime(date: string, time: string, utcOffsetMinutes: number): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(time);
  if (!m || !t) return Number.NaN;
  const day = Number(m[3]);
  const hour = Number(t[1]), minute = Number(t[2]), second = Number(t[3] ?? 0);
  if (hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, day, hour, minute, second);
  if (new Date(utc).getUTCDate() !== day) return Number.NaN;
  return utc - utcOffsetMinutes * 60_000;
}
