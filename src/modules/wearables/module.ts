// The wearables Lego block: its tables, a live ingest API for devices and phone apps, chart queries with the personal
// baseline band and alert markers, and the alerts inbox with acknowledgement.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FlauraError } from '../../errors.ts';
import type { Module, ModuleContext } from '../types.ts';
import { loadAlertRules } from './alerts/rules.ts';
import { loadMetricCatalog } from './metrics/catalog.ts';
import { importOmh } from './importers/omh.ts';
import { readJsonLines } from './importers/json-lines.ts';
import { detectFormat, IMPORT_FORMATS, openImport, type ImportFormat } from './importers/open-import.ts';
import { endDatedMetrics } from './pipeline.ts';
import { acknowledgeAlert, getAlert, INBOX_STATUSES, listAlerts, type InboxStatus } from './service/alert-store.ts';
import { actorOf, authorizeWearables, type WearablesAccess } from './service/authorize.ts';
import { chartWithBaseline } from './service/chart.ts';
import type { WearablesDeps } from './service/deps.ts';
import { patientRules, readAlertSettings, saveAlertSettings } from './service/alert-settings.ts';
import { processImport, reevaluateAlerts } from './service/process-import.ts';
import type { WithdrawalCause } from './service/alert-withdrawal.ts';
import { declareIllnessWindow, declaredExclusions, getIllnessWindow, listIllnessWindows, parseIllnessWindow, removeIllnessWindow, updateIllnessWindow, type IllnessWindow } from './service/illness-windows.ts';
import type { Principal } from '../../security/principal.ts';
import { addDays } from './baselines/baseline.ts';
import { evaluateAlerts } from './alerts/evaluate.ts';
import { applyOverrides } from './alerts/rules.ts';
import { readDailySeries } from './storage/daily-series.ts';
import { localDate } from './summaries/daily.ts';
import { weeklySummary } from './summaries/weekly.ts';
import { wearablesMigrations } from './storage/migrations.ts';
import { patientTimeZone } from './storage/daily-values.ts';
import { ingestImport, type ImportResult } from './storage/ingest.ts';

const ID = /^[A-Za-z0-9\-.]{1,64}$/;
/** Uploads above this are refused (413) while spooling. */
const MAX_UPLOAD_BYTES = 4 * 2 ** 30;

/** A pass-through that fails with a 413 once more than `limit` bytes went through. */
function capped(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > limit) cb(new FlauraError('WEARABLES_UPLOAD_TOO_LARGE', 413, `Uploads are limited to ${limit / 2 ** 30} GiB`));
      else cb(null, chunk);
    },
  });
}
const MAX_NOTE = 4000;

type WearablesContext = ModuleContext & WearablesAccess;

function patientParam(value: unknown): string {
  if (typeof value !== 'string' || !ID.test(value)) throw new FlauraError('WEARABLES_BAD_PATIENT', 400, 'patient must be a FHIR id');
  return value;
}

function dateParam(name: string, value: unknown): Date {
  const d = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new FlauraError('WEARABLES_BAD_DATE', 400, `${name} must be an ISO date-time`);
  return d;
}

function depsOf(ctx: ModuleContext): WearablesDeps {
  const transaction = ctx.transaction;
  if (!transaction) throw new FlauraError('WEARABLES_NO_TRANSACTION', 500, 'The wearables module needs the FHIR transaction entry point');
  return { db: ctx.db, store: ctx.store, transaction };
}

/** A stored import replayed for a retried Idempotency-Key. */
async function storedImport(ctx: ModuleContext, importId: string): Promise<ImportResult | undefined> {
  const r = await ctx.db.query<{ received: number; inserted: number; rejected: number; issues: ImportResult['issues'] | string; finished_at: Date | null }>(
    `SELECT received, inserted, rejected, issues, finished_at FROM wearable_import WHERE id = $1`,
    [importId],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  const issues = typeof row.issues === 'string' ? (JSON.parse(row.issues) as ImportResult['issues']) : row.issues;
  return { importId, received: row.received, inserted: row.inserted, duplicates: row.received - row.inserted, rejected: row.rejected, issues, window: null };
}

async function routes(app: FastifyInstance, ctx: WearablesContext): Promise<void> {
  const catalog = loadMetricCatalog();
  const rules = loadAlertRules();
  // Samples arrive as Open mHealth data points: a JSON array, or NDJSON (one data point per line).
  app.addContentTypeParser(['application/x-ndjson', 'application/json'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // Export files (zip, XML) stay a stream: an Apple Health export can be gigabytes.
  app.addContentTypeParser(['application/zip', 'application/xml', 'text/xml', 'application/octet-stream'], (_req, payload, done) => done(null, payload));

  /**
   * `POST /wearables/import?patient=ID[&format=F][&timeZone=IANA][&utcOffset=MIN]`: one export file as the body
   * (Apple Health zip/XML, Fitbit JSON, Open mHealth, FHIR), spooled to a temporary file and imported like the CLI
   * does (all or nothing, per-record issues in the answer). The patient's own app, a device client for the patient, or
   * the care team may import.
   */
  app.post('/import', async (request) => {
    const q = request.query as Record<string, unknown>;
    const patientId = patientParam(q.patient);
    await authorizeWearables(ctx, request.principal, 'import', patientId);
    const format = q.format === undefined ? undefined : String(q.format);
    if (format !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(format)) throw new FlauraError('WEARABLES_UNKNOWN_FORMAT', 400, `format must be one of ${IMPORT_FORMATS.join(', ')}`);
    const offset = q.utcOffset === undefined ? undefined : Number(q.utcOffset);
    if (offset !== undefined && !Number.isInteger(offset)) throw new FlauraError('WEARABLES_BAD_OFFSET', 400, 'utcOffset must be whole minutes');
    const timeZone = typeof q.timeZone === 'string' && q.timeZone ? q.timeZone : await patientTimeZone(ctx.db, patientId);
    try {
      new Intl.DateTimeFormat('en', { timeZone });
    } catch {
      throw new FlauraError('WEARABLES_BAD_TIME_ZONE', 400, `Unknown time zone '${timeZone}'`);
    }
    const dir = await mkdtemp(join(tmpdir(), 'flaura-wearables-upload-'));
    try {
      const file = join(dir, 'upload');
      const body = request.body;
      if (body instanceof Readable) await pipeline(body, capped(MAX_UPLOAD_BYTES), createWriteStream(file));
      else if (typeof body === 'string' && body.length > 0) await writeFile(file, body);
      else throw new FlauraError('WEARABLES_NO_FILE', 400, 'Send the export file as the request body (application/zip, application/xml, application/json or application/x-ndjson)');
      const chosen = (format as ImportFormat | undefined) ?? (await detectFormat(file));
      if (!chosen) throw new FlauraError('WEARABLES_UNKNOWN_FORMAT', 400, 'Cannot tell the format of the file; pass ?format=apple-health|fitbit|omh|fhir');
      const now = new Date();
      const items = await openImport(file, chosen, catalog, offset !== undefined ? { fitbit: { utcOffsetMinutes: offset } } : {});
      const result = await ingestImport(ctx.db, items, { patientId, importId: randomUUID(), format: chosen, now, timeZone, sourcePriority: catalog.defaultSourcePriority, endDatedMetrics: endDatedMetrics(catalog) });
      const actor = actorOf(request.principal, request);
      const processed = await processImport(depsOf(ctx), catalog, rules, result, { patientId, timeZone, importFormat: chosen, now, ...(actor ? { actor } : {}) });
      return { ...result, format: chosen, summaries: processed.summaries, alerts: processed.alerts };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  /**
   * `POST /wearables/samples?patient=ID`: stores a batch from the patient's phone app or a device client bound to
   * that patient; duplicates are dropped by the store's dedup key, and a retried `Idempotency-Key` answers the stored
   * result without storing again. The touched days are published as FHIR daily summaries and alerts re-evaluated.
   */
  app.post('/samples', async (request, reply) => {
    const patientId = patientParam((request.query as Record<string, unknown>).patient);
    await authorizeWearables(ctx, request.principal, 'ingest', patientId);
    const text = String(request.body ?? '').trim();
    if (!text) throw new FlauraError('WEARABLES_BAD_JSON', 400, 'The body must hold Open mHealth data points (JSON array or NDJSON)');
    let lines: string;
    if (text.startsWith('[')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new FlauraError('WEARABLES_BAD_JSON', 400, `The body is not valid JSON: ${(err as Error).message}`);
      }
      lines = (parsed as unknown[]).map((p) => JSON.stringify(p)).join('\n');
    } else lines = text;
    const key = request.headers['idempotency-key'];
    const importId = typeof key === 'string' && ID.test(key) ? `${patientId}-${key}` : randomUUID();
    const replay = await storedImport(ctx, importId);
    if (replay) return reply.code(200).header('idempotent-replayed', 'true').send(replay);
    const now = new Date();
    const timeZone = await patientTimeZone(ctx.db, patientId);
    const result = await ingestImport(ctx.db, importOmh(readJsonLines((async function* () { yield lines; })()), catalog), {
      patientId, importId, format: 'omh', now, timeZone, sourcePriority: catalog.defaultSourcePriority, endDatedMetrics: endDatedMetrics(catalog),
    });
    const actor = actorOf(request.principal, request);
    const processed = await processImport(depsOf(ctx), catalog, rules, result, { patientId, timeZone, importFormat: 'omh', now, ...(actor ? { actor } : {}) });
    return reply.code(result.rejected > 0 && result.inserted === 0 && result.duplicates === 0 ? 422 : 200).send({ ...result, summaries: processed.summaries, alerts: processed.alerts });
  });

  /**
   * `GET /wearables/chart?patient=ID&metric=M&from=…&to=…&points=N`: the window downsampled to N points, the
   * personal baseline band per day and the alert markers of the metric in the window.
   */
  app.get('/chart', async (request) => {
    const q = request.query as Record<string, unknown>;
    const patientId = patientParam(q.patient);
    await authorizeWearables(ctx, request.principal, 'read', patientId);
    const metric = String(q.metric ?? '');
    if (!catalog.metrics.some((m) => m.id === metric)) throw new FlauraError('WEARABLES_UNKNOWN_METRIC', 400, `Unknown metric '${metric}'`);
    return chartWithBaseline(ctx, catalog, rules, {
      patientId, metric, from: dateParam('from', q.from), to: dateParam('to', q.to),
      points: q.points === undefined ? 500 : Number(q.points), timeZone: await patientTimeZone(ctx.db, patientId),
    });
  });

  /** `GET /wearables/alerts?status=active|acknowledged|resolved|all[&patient=ID]`: the alerts inbox, newest first. */
  app.get('/alerts', async (request) => {
    const q = request.query as Record<string, unknown>;
    const status = (q.status ?? 'active') as InboxStatus;
    if (!INBOX_STATUSES.includes(status)) throw new FlauraError('WEARABLES_BAD_STATUS', 400, `status must be one of ${INBOX_STATUSES.join(', ')}`);
    const p = request.principal;
    // A patient's (or device's) own token sees its own patient; staff may list every patient's alerts.
    const patientId = q.patient !== undefined ? patientParam(q.patient) : p && (p.role === 'patient' || p.role === 'device') ? p.patientId : undefined;
    await authorizeWearables(ctx, p, 'read', patientId);
    const alerts = await listAlerts(ctx, { status, ...(patientId ? { patientId } : {}) });
    if (patientId || !p || !ctx.access) return { alerts };
    // Staff listing across patients: keep the patients the policy lets this caller read.
    const allowed = new Map<string, boolean>();
    for (const id of new Set(alerts.map((a) => a.patientId))) allowed.set(id, await authorizeWearables(ctx, p, 'read', id).then(() => true, () => false));
    return { alerts: alerts.filter((a) => allowed.get(a.patientId)) };
  });

  /** `POST /wearables/alerts/{id}/ack` `{ "note": "…" }`: the care team acknowledges an alert (recorded in FHIR). */
  app.post('/alerts/:id/ack', async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const id = request.params.id;
    if (!ID.test(id)) throw new FlauraError('WEARABLES_BAD_ALERT_ID', 400, 'The alert id must be a FHIR id');
    const note = (jsonBody(request.body) as { note?: unknown } | null)?.note;
    if (typeof note !== 'string' || !note.trim() || note.length > MAX_NOTE) throw new FlauraError('WEARABLES_BAD_NOTE', 400, `The body must be {"note": "..."} with a non-empty note of at most ${MAX_NOTE} characters`);
    const alert = await getAlert(ctx, id);
    await authorizeWearables(ctx, request.principal, 'acknowledge', alert.patientId);
    const p = request.principal;
    const actor = actorOf(p, request);
    const sender = senderOf(p);
    return acknowledgeAlert(depsOf(ctx), { flagId: id, note: note.trim(), by: whoOf(p), now: new Date(), ...(sender ? { sender } : {}), ...(actor ? { actor } : {}) });
  });
}

/** Who a change is recorded as made by: the caller's FHIR user, else the token subject; `operator` in-process. */
function whoOf(p: Principal | undefined): string {
  return p?.fhirUser ?? p?.subject ?? 'operator';
}

/** The caller as a Communication sender, when its FHIR user is a resource a sender may be. */
function senderOf(p: Principal | undefined): string | undefined {
  return p?.fhirUser && /^(Practitioner|PractitionerRole|RelatedPerson|Patient)\//.test(p.fhirUser) ? p.fhirUser : undefined;
}

/** The cause recorded on alerts a clinician's change withdraws. */
function causeOf(p: Principal | undefined, reason: string): WithdrawalCause {
  const sender = senderOf(p);
  return { by: whoOf(p), reason, ...(sender ? { sender } : {}) };
}

/** A JSON body that may arrive as text (the module's parser keeps JSON bodies as strings). */
function jsonBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return body.trim() ? JSON.parse(body) : {};
  } catch (err) {
    throw new FlauraError('WEARABLES_BAD_JSON', 400, `The body is not valid JSON: ${(err as Error).message}`);
  }
}

/** `YYYY-MM-DD` query value, or the patient's today. */
function dayParam(value: unknown, today: string): string {
  if (value === undefined) return today;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw new FlauraError('WEARABLES_BAD_DATE', 400, 'weekEnd must be a date YYYY-MM-DD');
  return value;
}

/** The per-patient alert thresholds and the patient's weekly summary. */
async function settingsRoutes(app: FastifyInstance, ctx: WearablesContext): Promise<void> {
  const catalog = loadMetricCatalog();
  const rules = loadAlertRules();

  /** `GET /wearables/alert-rules?patient=ID`: every rule as it applies to the patient (defaults, overrides, sources). */
  app.get('/alert-rules', async (request) => {
    const patientId = patientParam((request.query as Record<string, unknown>).patient);
    await authorizeWearables(ctx, request.principal, 'read', patientId);
    const settings = await readAlertSettings(ctx.db, patientId);
    return { ...settings, baseline: rules.baseline, rules: patientRules(rules, settings.overrides) };
  });

  /**
   * `PUT /wearables/alert-rules?patient=ID` `{ "overrides": { ruleId: { param: value, enabled? } }, "reason": "…" }`: a
   * clinician sets the patient's thresholds (replacing earlier ones; `{}` restores the defaults); the patient's alerts
   * are evaluated again at once, so a tightened threshold raises its alert now and an open, unacknowledged alert a
   * loosened one no longer raises is withdrawn (kept for the record, with who and why).
   */
  app.put('/alert-rules', async (request) => {
    const patientId = patientParam((request.query as Record<string, unknown>).patient);
    await authorizeWearables(ctx, request.principal, 'configure', patientId);
    const body = jsonBody(request.body) as { overrides?: unknown; reason?: unknown } | null;
    const p = request.principal;
    const now = new Date();
    const settings = await saveAlertSettings(ctx.db, rules, { patientId, overrides: body?.overrides, reason: body?.reason, by: whoOf(p), now });
    const timeZone = await patientTimeZone(ctx.db, patientId);
    const actor = actorOf(p, request);
    const cause = causeOf(p, `alert thresholds changed by ${whoOf(p)} ("${settings.reason}")`);
    const alerts = await reevaluateAlerts(depsOf(ctx), catalog, rules, { patientId, timeZone, now, cause, overrides: settings.overrides, ...(actor ? { actor } : {}) });
    return { ...settings, baseline: rules.baseline, rules: patientRules(rules, settings.overrides), alerts };
  });

  /**
   * `GET /wearables/weekly-summary?patient=ID[&weekEnd=YYYY-MM-DD]`: the plain-language summary of the 7 days ending
   * at weekEnd (default: the patient's today) against the four weeks before, from the same daily values and alerts.
   */
  app.get('/weekly-summary', async (request) => {
    const q = request.query as Record<string, unknown>;
    const patientId = patientParam(q.patient);
    await authorizeWearables(ctx, request.principal, 'read', patientId);
    const timeZone = await patientTimeZone(ctx.db, patientId);
    const weekEnd = dayParam(q.weekEnd, localDate(Date.now(), timeZone));
    const daily = await readDailySeries(ctx.db, catalog, { patientId, from: addDays(weekEnd, -400), to: weekEnd, timeZone });
    const { overrides } = await readAlertSettings(ctx.db, patientId);
    const exclude = await declaredExclusions(ctx.db, patientId);
    const alerts = evaluateAlerts({ patientId, daily, rules: applyOverrides(rules, overrides), baseline: rules.baseline, exclude, asOf: weekEnd });
    return { patientId, weekStart: addDays(weekEnd, -6), weekEnd, ...weeklySummary({ daily, weekEnd, alerts }) };
  });
}

/** 404 unless the patient exists: a window for a mistyped id would silently shape no one's baselines. */
async function requirePatient(ctx: ModuleContext, patientId: string): Promise<void> {
  try {
    await ctx.store.read('Patient', patientId);
  } catch (e) {
    if (e instanceof FlauraError && (e.status === 404 || e.status === 410)) throw new FlauraError('WEARABLES_UNKNOWN_PATIENT', 404, `There is no Patient/${patientId}`, { type: 'not-found' });
    throw e;
  }
}

/**
 * Illness windows a clinician declares (service/illness-windows.ts): days kept out of every baseline of the patient,
 * like the rules' own resolved episodes. Who may set thresholds may declare, change and remove them; the patient (and
 * the care team) may read them. Every change re-evaluates the patient's alerts at once.
 */
async function illnessWindowRoutes(app: FastifyInstance, ctx: WearablesContext): Promise<void> {
  const catalog = loadMetricCatalog();
  const rules = loadAlertRules();

  const reevaluate = async (request: FastifyRequest, w: IllnessWindow, what: string, now: Date) => {
    const p = request.principal;
    const timeZone = await patientTimeZone(ctx.db, w.patientId);
    const actor = actorOf(p, request);
    const cause = causeOf(p, `illness window ${w.start}…${w.end ?? 'open'} ${what} by ${whoOf(p)} ("${w.reason}")`);
    return reevaluateAlerts(depsOf(ctx), catalog, rules, { patientId: w.patientId, timeZone, now, cause, ...(actor ? { actor } : {}) });
  };
  const windowParam = (value: unknown): string => {
    if (typeof value !== 'string' || !ID.test(value)) throw new FlauraError('WEARABLES_BAD_ILLNESS_WINDOW_ID', 400, 'The illness window id must be an id as returned when it was declared');
    return value;
  };

  /** `GET /wearables/illness-windows?patient=ID`: the patient's current declared windows, oldest first. */
  app.get('/illness-windows', async (request) => {
    const patientId = patientParam((request.query as Record<string, unknown>).patient);
    await authorizeWearables(ctx, request.principal, 'read', patientId);
    return { patientId, windows: await listIllnessWindows(ctx.db, patientId) };
  });

  /** `POST /wearables/illness-windows?patient=ID` `{ "start": "YYYY-MM-DD", "end": "YYYY-MM-DD" | null, "reason": "…" }`. */
  app.post('/illness-windows', async (request, reply) => {
    const patientId = patientParam((request.query as Record<string, unknown>).patient);
    await authorizeWearables(ctx, request.principal, 'configure', patientId);
    const input = parseIllnessWindow(jsonBody(request.body));
    await requirePatient(ctx, patientId);
    const now = new Date();
    const window = await declareIllnessWindow(ctx.db, { patientId, window: input, by: whoOf(request.principal), now });
    const alerts = await reevaluate(request, window, 'declared', now);
    return reply.code(201).send({ window, alerts });
  });

  /** `PUT /wearables/illness-windows/{id}` (same body): changes the days or the reason, e.g. closes an open window. */
  app.put('/illness-windows/:id', async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const id = windowParam(request.params.id);
    const current = await getIllnessWindow(ctx.db, id);
    await authorizeWearables(ctx, request.principal, 'configure', current.patientId);
    const input = parseIllnessWindow(jsonBody(request.body));
    const now = new Date();
    const window = await updateIllnessWindow(ctx.db, { id, window: input, by: whoOf(request.principal), now });
    return { window, alerts: await reevaluate(request, window, 'changed', now) };
  });

  /** `DELETE /wearables/illness-windows/{id}`: the days count again in baselines; the window stays on record as removed. */
  app.delete('/illness-windows/:id', async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const id = windowParam(request.params.id);
    const current = await getIllnessWindow(ctx.db, id);
    await authorizeWearables(ctx, request.principal, 'configure', current.patientId);
    const now = new Date();
    const window = await removeIllnessWindow(ctx.db, { id, by: whoOf(request.principal), now });
    return { window, alerts: await reevaluate(request, window, 'removed', now) };
  });
}

export const wearablesModule: Module = {
  name: 'wearables',
  migrations: [...wearablesMigrations],
  routes: async (app, ctx: WearablesContext) => {
    await routes(app, ctx);
    await settingsRoutes(app, ctx);
    await illnessWindowRoutes(app, ctx);
  },
};
