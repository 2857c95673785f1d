// Parses the FHIR date/dateTime/instant forms accepted by _since and _at into the [low, high) range they denote.
import { errors } from '../../errors.ts';

const pattern = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** The instant range covered by a date value at its precision: `2024` covers the whole year. */
export function parseDateRange(value: string, parameter: string): { low: Date; high: Date } {
  const m = pattern.exec(value);
  if (!m) throw errors.badRequest('INVALID_DATE', `${parameter}: '${value}' is not a valid FHIR date, dateTime or instant`);
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  if (h !== undefined && !tz) {
    throw errors.badRequest('INVALID_DATE', `${parameter}: '${value}' has a time but no time zone`);
  }
  const year = Number(y);
  const month = mo ? Number(mo) - 1 : 0;
  const day = d ? Number(d) : 1;
  const offsetMin = tz && tz !== 'Z' ? (tz.startsWith('-') ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) : 0;
  const ms = frac ? Math.round(Number(frac) * 1000) : 0;
  const lowMs = Date.UTC(year, month, day, h ? Number(h) : 0, mi ? Number(mi) : 0, s ? Number(s) : 0, ms) - offsetMin * 60_000;
  const low = new Date(lowMs);
  if (Number.isNaN(lowMs) || (mo && low.getUTCMonth() !== month && offsetMin === 0)) {
    throw errors.badRequest('INVALID_DATE', `${parameter}: '${value}' is not a real calendar date`);
  }
  let high: Date;
  if (!mo) high = new Date(Date.UTC(year + 1, 0, 1));
  else if (!d) high = new Date(Date.UTC(year, month + 1, 1));
  else if (!h) high = new Date(Date.UTC(year, month, day + 1));
  else if (!s) high = new Date(lowMs + 60_000);
  else if (!frac) high = new Date(lowMs + 1000);
  else high = new Date(lowMs + 1);
  return { low, high };
}
