// Illness windows a clinician declares for one patient (an operation, a fever, a course of treatment): days whose
// values must not enter the patient's baselines, exactly like the alert rules' own resolved episodes.
//
// Why a module setting and not FHIR Condition onset/abatement: a window is a statement about the measurements ("these
// days are not this person's ordinary physiology"), not a diagnosis. Deriving windows from Conditions would need a
// rule for which conditions disturb which metrics — a chronic Condition (diabetes, onset 2010, no abatement) would
// blank every baseline — and would make a clinician write a verified diagnosis to fix a baseline. So the window is
// kept beside the thresholds (`wearable_alert_settings`), with who, when and why, and the reason may name the
// Condition or procedure. Overlapping windows are refused (409): one window per stretch of days, edited in place,
// so the record says plainly which declaration covers a day.
import { randomUUID } from 'node:crypto';
import { FlauraError } from '../../../errors.ts';
import type { Db, Queryable } from '../../../db/index.ts';
import type { ExcludedWindow } from '../baselines/baseline.ts';

export interface IllnessWindow {
  id: string;
  patientId: string;
  /** First excluded day (`YYYY-MM-DD`, the patient's local day). */
  start: string;
  /** Last excluded day; null = open-ended (still ill, or recovery not yet known). */
  end: string | null;
  reason: string;
  recordedBy: string;
  recordedAt: string;
  removedBy?: string;
  removedAt?: string;
}

/** The fields a clinician sends. */
export interface IllnessWindowInput {
  start: string;
  end: string | null;
  reason: string;
}

const MAX_REASON = 1000;
/** An open-ended window excludes every day from its start on. */
const OPEN_END = '9999-12-31';
const FIELDS: ReadonlySet<string> = new Set(['start', 'end', 'reason']);

const bad = (message: string, field: string): FlauraError => new FlauraError('WEARABLES_BAD_ILLNESS_WINDOW', 400, message, { expression: [field] });

/** A real calendar day `YYYY-MM-DD` (2024-02-30 is refused, not rolled over). */
function isDay(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const t = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === value;
}

/** Checks a request body: `{ "start": "YYYY-MM-DD", "end"?: "YYYY-MM-DD" | null, "reason": "…" }`. */
export function parseIllnessWindow(body: unknown): IllnessWindowInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw bad('The body must be {"start": "YYYY-MM-DD", "end": "YYYY-MM-DD" | null, "reason": "..."}', 'body');
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => !FIELDS.has(k));
  if (unknown.length) throw bad(`Unknown field(s) ${unknown.join(', ')} (allowed: start, end, reason)`, unknown[0]!);
  if (!isDay(b.start)) throw bad('start must be a calendar date YYYY-MM-DD', 'start');
  const end = b.end === undefined || b.end === null ? null : b.end;
  if (end !== null && !isDay(end)) throw bad('end must be a calendar date YYYY-MM-DD, or null for a window still open', 'end');
  if (end !== null && end < b.start) throw bad(`end (${end}) is before start (${b.start})`, 'end');
  if (typeof b.reason !== 'string' || !b.reason.trim() || b.reason.length > MAX_REASON) throw bad(`reason must be a non-empty text of at most ${MAX_REASON} characters (what made these days unusual)`, 'reason');
  return { start: b.start, end, reason: b.reason.trim() };
}

interface WindowRow {
  id: string;
  patient_id: string;
  start_day: string;
  end_day: string | null;
  reason: string;
  recorded_by: string;
  recorded_at: Date | string;
  removed_by: string | null;
  removed_at: Date | string | null;
}

const COLUMNS = `id, patient_id, to_char(start_day, 'YYYY-MM-DD') AS start_day, to_char(end_day, 'YYYY-MM-DD') AS end_day, reason, recorded_by, recorded_at, removed_by, removed_at`;

function toWindow(r: WindowRow): IllnessWindow {
  return {
    id: r.id, patientId: r.patient_id, start: r.start_day, end: r.end_day, reason: r.reason, recordedBy: r.recorded_by, recordedAt: new Date(r.recorded_at).toISOString(),
    ...(r.removed_by ? { removedBy: r.removed_by } : {}), ...(r.removed_at ? { removedAt: new Date(r.removed_at).toISOString() } : {}),
  };
}

/** The patient's current (not removed) windows, oldest first. */
export async function listIllnessWindows(db: Queryable, patientId: string): Promise<IllnessWindow[]> {
  const r = await db.query<WindowRow>(`SELECT ${COLUMNS} FROM wearable_illness_window WHERE patient_id = $1 AND removed_at IS NULL ORDER BY start_day, id`, [patientId]);
  return r.rows.map(toWindow);
}

/** One current window by id (404 when unknown or removed). */
export async function getIllnessWindow(db: Queryable, id: string): Promise<IllnessWindow> {
  const r = await db.query<WindowRow>(`SELECT ${COLUMNS} FROM wearable_illness_window WHERE id = $1 AND removed_at IS NULL`, [id]);
  if (!r.rows[0]) throw new FlauraError('WEARABLES_ILLNESS_WINDOW_NOT_FOUND', 404, `No illness window '${id}'`);
  return toWindow(r.rows[0]);
}

/** The windows as the baselines take them (an open-ended one reaches to the end of time). */
export function excludedWindows(windows: readonly IllnessWindow[]): ExcludedWindow[] {
  return windows.map((w) => ({ start: w.start, end: w.end ?? OPEN_END }));
}

/** The patient's declared windows, ready for `baselineFor`/`evaluateAlerts`. */
export async function declaredExclusions(db: Queryable, patientId: string): Promise<ExcludedWindow[]> {
  return excludedWindows(await listIllnessWindows(db, patientId));
}

/** Refuses a window that shares a day with another current window of the patient (409, naming it). */
async function refuseOverlap(tx: Queryable, patientId: string, w: IllnessWindowInput, exceptId?: string): Promise<void> {
  const r = await tx.query<WindowRow>(
    `SELECT ${COLUMNS} FROM wearable_illness_window
     WHERE patient_id = $1 AND removed_at IS NULL AND ($2::text IS NULL OR id <> $2) AND start_day <= $4::date AND (end_day IS NULL OR end_day >= $3::date)
     ORDER BY start_day LIMIT 1`,
    [patientId, exceptId ?? null, w.start, w.end ?? OPEN_END],
  );
  const other = r.rows[0];
  if (other) {
    const o = toWindow(other);
    throw new FlauraError('WEARABLES_ILLNESS_WINDOW_OVERLAP', 409, `The window ${w.start}…${w.end ?? 'open'} overlaps illness window ${o.id} (${o.start}…${o.end ?? 'open'}, "${o.reason}"): change or remove that one instead`, { type: 'conflict' });
  }
}

/** Serializes window changes of one patient, so two overlapping declarations cannot both pass the overlap check. */
const lockPatient = (tx: Queryable, patientId: string) => tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`wearable_illness_window:${patientId}`]);

export async function declareIllnessWindow(db: Db, input: { patientId: string; window: IllnessWindowInput; by: string; now: Date }): Promise<IllnessWindow> {
  const id = randomUUID();
  await db.transaction(async (tx) => {
    await lockPatient(tx, input.patientId);
    await refuseOverlap(tx, input.patientId, input.window);
    await tx.query(
      `INSERT INTO wearable_illness_window (id, patient_id, start_day, end_day, reason, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, input.patientId, input.window.start, input.window.end, input.window.reason, input.by, input.now.toISOString()],
    );
  });
  return getIllnessWindow(db, id);
}

/** Replaces a window's days and reason (e.g. closes an open-ended one); the recorder becomes the one who changed it. */
export async function updateIllnessWindow(db: Db, input: { id: string; window: IllnessWindowInput; by: string; now: Date }): Promise<IllnessWindow> {
  const current = await getIllnessWindow(db, input.id);
  await db.transaction(async (tx) => {
    await lockPatient(tx, current.patientId);
    await refuseOverlap(tx, current.patientId, input.window, input.id);
    const r = await tx.query(
      `UPDATE wearable_illness_window SET start_day = $2, end_day = $3, reason = $4, recorded_by = $5, recorded_at = $6 WHERE id = $1 AND removed_at IS NULL`,
      [input.id, input.window.start, input.window.end, input.window.reason, input.by, input.now.toISOString()],
    );
    if (r.rowCount === 0) throw new FlauraError('WEARABLES_ILLNESS_WINDOW_NOT_FOUND', 404, `No illness window '${input.id}'`);
  });
  return getIllnessWindow(db, input.id);
}

/** Takes a window out of the baselines; the row stays with who removed it and when. */
export async function removeIllnessWindow(db: Queryable, input: { id: string; by: string; now: Date }): Promise<IllnessWindow> {
  const r = await db.query<WindowRow>(
    `UPDATE wearable_illness_window SET removed_at = $2, removed_by = $3 WHERE id = $1 AND removed_at IS NULL RETURNING ${COLUMNS}`,
    [input.id, input.now.toISOString(), input.by],
  );
  if (!r.rows[0]) throw new FlauraError('WEARABLES_ILLNESS_WINDOW_NOT_FOUND', 404, `No illness window '${input.id}'`);
  return toWindow(r.rows[0]);
}
