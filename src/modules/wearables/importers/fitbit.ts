// Fitbit Web API JSON importer: heart-rate intraday and daily resting HR, steps, sleep stages, HRV (daily RMSSD).
import type { MetricCatalog } from '../metrics/catalog.ts';
import type { ImportItem, RawSample } from '../model.ts';
import { parseLocalDateTime } from '../normalize/dates.ts';
import { issue, toItem } from './emit.ts';

/** Fitbit returns local times without a zone: the caller gives the profile's UTC offset. */
export interface FitbitImportOptions {
  utcOffsetMinutes: number;
  /** Device name for provenance (e.g. from the Devices endpoint: `Charge 6`). */
  device?: string;
}

const DAY_MS = 86_400_000;
type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads Fitbit Web API responses (one parsed JSON document each) and yields items. Recognised documents:
 * `activities-heart` (+ `activities-heart-intraday`), `activities-steps` (+ intraday), `sleep`, `hrv`.
 */
export async function* importFitbit(documents: AsyncIterable<unknown> | Iterable<unknown>, catalog: MetricCatalog, options: FitbitImportOptions): AsyncGenerator<ImportItem> {
  const ctx = { catalog, options, source: 'Fitbit', device: options.device ?? null };
  let n = 0;
  for await (const doc of documents) {
    n++;
    if (!isObject(doc)) {
      yield issue(`document ${n}`, 'not a JSON object');
      continue;
    }
    let known = false;
    if ('activities-heart' in doc) {
      known = true;
      yield* heart(doc, ctx);
    }
    if ('activities-steps' in doc) {
      known = true;
      yield* steps(doc, ctx);
    }
    if ('sleep' in doc) {
      known = true;
      yield* sleep(doc.sleep, ctx);
    }
    if ('hrv' in doc) {
      known = true;
      yield* hrv(doc.hrv, ctx);
    }
    if (!known) yield issue(`document ${n}`, `unrecognised Fitbit document (keys: ${Object.keys(doc).slice(0, 5).join(', ')})`);
  }
}

interface Ctx {
  catalog: MetricCatalog;
  options: FitbitImportOptions;
  source: string;
  device: string | null;
}

function raw(ctx: Ctx, metric: string, start: number, end: number, value: number, unit: string): RawSample {
  return { metric, start, end, value, unit, unitSystem: 'fitbit', source: ctx.source, device: ctx.device };
}

function dayStart(date: unknown, ctx: Ctx): number {
  return typeof date === 'string' ? parseLocalDateTime(date, '00:00:00', ctx.options.utcOffsetMinutes) : Number.NaN;
}

function* heart(doc: Json, ctx: Ctx): Generator<ImportItem> {
  const days = Array.isArray(doc['activities-heart']) ? doc['activities-heart'] : [];
  for (const d of days) {
    if (!isObject(d)) continue;
    const rhr = isObject(d.value) ? d.value.restingHeartRate : undefined;
    if (rhr === undefined) continue; // days without enough wear have no resting HR; not an error
    const start = dayStart(d.dateTime, ctx);
    const label = `activities-heart ${String(d.dateTime)}`;
    if (Number.isNaN(start)) yield issue(label, `invalid date "${String(d.dateTime)}"`);
    else yield toItem(raw(ctx, 'resting-heart-rate', start, start + DAY_MS, Number(rhr), 'bpm'), ctx.catalog, label);
  }
  const intraday = doc['activities-heart-intraday'];
  if (!isObject(intraday)) return;
  const first = days[0];
  const date = isObject(first) ? first.dateTime : undefined;
  yield* intradaySeries(intraday, date, 'heart-rate', 'bpm', 'activities-heart-intraday', ctx, false);
}

function* steps(doc: Json, ctx: Ctx): Generator<ImportItem> {
  const days = Array.isArray(doc['activities-steps']) ? doc['activities-steps'] : [];
  const intraday = doc['activities-steps-intraday'];
  if (isObject(intraday)) {
    // The intraday series already holds the day's steps minute by minute; the daily total would double them.
    const first = days[0];
    yield* intradaySeries(intraday, isObject(first) ? first.dateTime : undefined, 'steps', 'steps', 'activities-steps-intraday', ctx, true);
    return;
  }
  for (const d of days) {
    if (!isObject(d)) continue;
    const start = dayStart(d.dateTime, ctx);
    const label = `activities-steps ${String(d.dateTime)}`;
    if (Number.isNaN(start)) yield issue(label, `invalid date "${String(d.dateTime)}"`);
    else yield toItem(raw(ctx, 'steps', start, start + DAY_MS, Number(d.value), 'steps'), ctx.catalog, label);
  }
}

function* intradaySeries(intraday: Json, date: unknown, metric: string, unit: string, label: string, ctx: Ctx, interval: boolean): Generator<ImportItem> {
  const dataset = Array.isArray(intraday.dataset) ? intraday.dataset : [];
  const stepMs = (Number(intraday.datasetInterval) || 1) * (intraday.datasetType === 'second' ? 1000 : 60_000);
  for (const p of dataset) {
    const time = isObject(p) ? p.time : undefined;
    const at = typeof date === 'string' && typeof time === 'string' ? parseLocalDateTime(date, time, ctx.options.utcOffsetMinutes) : Number.NaN;
    const record = `${label} ${String(date)} ${String(time)}`;
    if (Number.isNaN(at)) yield issue(record, `invalid date or time "${String(date)} ${String(time)}"`);
    else yield toItem(raw(ctx, metric, at, interval ? at + stepMs : at, Number(isObject(p) ? p.value : Number.NaN), unit), ctx.catalog, record);
  }
}

function* sleep(list: unknown, ctx: Ctx): Generator<ImportItem> {
  for (const log of Array.isArray(list) ? list : []) {
    if (!isObject(log) || !isObject(log.levels)) continue;
    // `levels.shortData` marks short wakes inside `levels.data` segments; reading both would count them twice.
    const data = Array.isArray(log.levels.data) ? log.levels.data : [];
    for (const seg of data) {
      if (!isObject(seg)) continue;
      const label = `sleep ${String(log.dateOfSleep)} ${String(seg.dateTime)}`;
      const [date, time] = typeof seg.dateTime === 'string' ? seg.dateTime.split('T') : [];
      const start = date && time ? parseLocalDateTime(date, time, ctx.options.utcOffsetMinutes) : Number.NaN;
      const metric = ctx.catalog.byFitbit.get(`sleep.${String(seg.level)}`);
      const seconds = Number(seg.seconds);
      if (Number.isNaN(start)) yield issue(label, `invalid date "${String(seg.dateTime)}"`);
      else if (!metric) yield issue(label, `unknown sleep level "${String(seg.level)}"`);
      else if (!Number.isFinite(seconds) || seconds < 0) yield issue(label, `invalid duration "${String(seg.seconds)}"`);
      else yield toItem(raw(ctx, metric.id, start, start + seconds * 1000, seconds, 's'), ctx.catalog, label);
    }
  }
}

function* hrv(list: unknown, ctx: Ctx): Generator<ImportItem> {
  for (const d of Array.isArray(list) ? list : []) {
    if (!isObject(d)) continue;
    const label = `hrv ${String(d.dateTime)}`;
    const start = dayStart(d.dateTime, ctx);
    const value = isObject(d.value) ? d.value.dailyRmssd : undefined;
    if (Number.isNaN(start)) yield issue(label, `invalid date "${String(d.dateTime)}"`);
    else yield toItem(raw(ctx, 'hrv-rmssd', start, start + DAY_MS, Number(value), 'ms'), ctx.catalog, label);
  }
}
