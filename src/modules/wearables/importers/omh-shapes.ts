// Structural checks of Open mHealth data points, written from the OMH schemas (data-point 1.0, header 1.x, time-frame 1.x).
// Returns a reason string when the shape is wrong; checks only what the schemas require.

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
// date-time-1.x: RFC 3339 date-time with a zone.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A checked data point: schema name and version, the body, provenance. */
export interface OmhDataPoint {
  id: string;
  schema: { namespace: string; name: string; version: string };
  sourceName: string | null;
  body: Json;
}

/** data-point-1.0: required header + body; header-1.x: required id, creation_date_time, schema_id (namespace, name, version). */
export function checkDataPoint(value: unknown): OmhDataPoint | string {
  if (!isObject(value)) return 'data point is not a JSON object';
  const { header, body } = value;
  if (!isObject(header)) return 'header is required (data-point-1.0)';
  if (!isObject(body)) return 'body is required and must be an object (data-point-1.0)';
  if (typeof header.id !== 'string') return 'header.id is required (header-1.x)';
  if (typeof header.creation_date_time !== 'string' || !DATE_TIME.test(header.creation_date_time)) return 'header.creation_date_time must be an RFC 3339 date-time (header-1.x)';
  const sid = header.schema_id;
  if (!isObject(sid) || typeof sid.namespace !== 'string' || typeof sid.name !== 'string' || typeof sid.version !== 'string') return 'header.schema_id needs namespace, name and version (schema-id-1.x)';
  if (!/^[0-9]+\.[0-9]+$/.test(sid.version)) return `header.schema_id.version "${sid.version}" is not major.minor`;
  const prov = header.acquisition_provenance;
  if (prov !== undefined && (!isObject(prov) || typeof prov.source_name !== 'string')) return 'header.acquisition_provenance.source_name is required when provenance is given (header-1.x)';
  return { id: header.id, schema: { namespace: sid.namespace, name: sid.name, version: sid.version }, sourceName: isObject(prov) ? (prov.source_name as string) : null, body };
}

/** unit-value-1.x: `{ value: number, unit: string }`. */
export function checkUnitValue(v: unknown, path: string): { value: number; unit: string } | string {
  if (!isObject(v) || typeof v.value !== 'number' || typeof v.unit !== 'string') return `${path} must be a unit value { value: number, unit: string }`;
  return { value: v.value, unit: v.unit };
}

const DURATION_MS: Record<string, number> = { ms: 1, sec: 1000, min: 60_000, h: 3_600_000, d: 86_400_000, wk: 604_800_000 };

/**
 * time-frame-1.x: exactly one of `date_time` or `time_interval`; time-interval-1.x: start+end, start+duration or
 * end+duration (the date + part_of_day form has no instant and is refused). Returns epoch ms bounds.
 */
export function checkTimeFrame(v: unknown, requireInterval: boolean): { start: number; end: number } | string {
  if (!isObject(v)) return 'body.effective_time_frame is required';
  const hasDt = v.date_time !== undefined, hasTi = v.time_interval !== undefined;
  if (hasDt === hasTi) return 'effective_time_frame must have exactly one of date_time or time_interval (time-frame-1.x)';
  if (hasDt) {
    if (requireInterval) return 'effective_time_frame must be a time_interval for this schema';
    if (typeof v.date_time !== 'string' || !DATE_TIME.test(v.date_time)) return `effective_time_frame.date_time "${String(v.date_time)}" is not an RFC 3339 date-time`;
    const t = Date.parse(v.date_time);
    return { start: t, end: t };
  }
  const ti = v.time_interval;
  if (!isObject(ti)) return 'time_interval must be an object';
  const at = (x: unknown, name: string): number | string => (typeof x === 'string' && DATE_TIME.test(x) ? Date.parse(x) : `time_interval.${name} "${String(x)}" is not an RFC 3339 date-time`);
  let duration: number | undefined;
  if (ti.duration !== undefined) {
    const d = checkUnitValue(ti.duration, 'time_interval.duration');
    if (typeof d === 'string') return d;
    const ms = DURATION_MS[d.unit];
    if (ms === undefined) return `time_interval.duration unit "${d.unit}" is not supported`;
    duration = d.value * ms;
  }
  if (ti.start_date_time !== undefined && ti.end_date_time !== undefined) {
    const s = at(ti.start_date_time, 'start_date_time'), e = at(ti.end_date_time, 'end_date_time');
    return typeof s === 'string' ? s : typeof e === 'string' ? e : { start: s, end: e };
  }
  if (ti.start_date_time !== undefined && duration !== undefined) {
    const s = at(ti.start_date_time, 'start_date_time');
    return typeof s === 'string' ? s : { start: s, end: s + duration };
  }
  if (ti.end_date_time !== undefined && duration !== undefined) {
    const e = at(ti.end_date_time, 'end_date_time');
    return typeof e === 'string' ? e : { start: e - duration, end: e };
  }
  return 'time_interval needs start_date_time and end_date_time, or one of them with duration (time-interval-1.x)';
}
