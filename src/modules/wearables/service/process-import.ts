// After samples are stored: publish the touched days as FHIR daily summaries, re-evaluate the alert rules against
// the person's baselines, and store new or changed alerts. The same call serves the CLI, the ingest API and seeding.
import { addDays } from '../baselines/baseline.ts';
import { evaluateAlerts } from '../alerts/evaluate.ts';
import { applyOverrides, type AlertRuleSet, type RuleOverrides } from '../alerts/rules.ts';
import type { MetricCatalog } from '../metrics/catalog.ts';
import type { RequestActor } from '../../../fhir/store/types.ts';
import { latestDailyDay, readDailySeries } from '../storage/daily-series.ts';
import type { ImportResult } from '../storage/ingest.ts';
import { localDate } from '../summaries/daily.ts';
import { readAlertSettings } from './alert-settings.ts';
import { syncAlerts, type SyncAlertsResult } from './alert-store.ts';
import { withdrawUnsupportedAlerts, type WithdrawalCause } from './alert-withdrawal.ts';
import { declaredExclusions } from './illness-windows.ts';
import type { WearablesDeps } from './deps.ts';
import { publishDailySummaries, type PublishDailyResult } from './publish-daily.ts';

export interface ProcessImportOptions {
  patientId: string;
  timeZone: string;
  importFormat: string;
  now: Date;
  actor?: RequestActor;
  /** The patient's thresholds; read from the clinician's stored settings when absent. */
  overrides?: RuleOverrides;
}

export interface ProcessImportResult {
  days: { from: string; to: string } | null;
  summaries: PublishDailyResult;
  alerts: SyncAlertsResult;
}

/**
 * Publishes the days the import touched (sleep ends a day later, hence +1) and evaluates the alerts over the 400 days
 * up to the patient's latest day with data — not up to the last day the import touched: an import of old days (a
 * watch that synced late) changes the baselines of every later day, and an evaluation cut at its last day would see
 * a later episode as still open (re-storing a resolved alert as active) and would not re-judge an alert raised after
 * it.
 */
export async function processImport(deps: WearablesDeps, catalog: MetricCatalog, rules: AlertRuleSet, result: Pick<ImportResult, 'importId' | 'window'>, o: ProcessImportOptions): Promise<ProcessImportResult> {
  if (!result.window) return { days: null, summaries: { published: 0, unchanged: 0 }, alerts: { written: 0, unchanged: 0, withdrawn: 0 } };
  const from = localDate(Date.parse(result.window.from), o.timeZone);
  const to = addDays(localDate(Date.parse(result.window.to), o.timeZone), 1);
  const summaries = await publishDailySummaries(deps, catalog, { patientId: o.patientId, from, to, timeZone: o.timeZone, importId: result.importId, importFormat: o.importFormat, now: o.now, ...(o.actor ? { actor: o.actor } : {}) });
  const by = o.actor?.reference ?? (o.actor?.clientId ? `client ${o.actor.clientId}` : 'system');
  const cause: WithdrawalCause = { by, reason: `re-evaluated after an import (${o.importFormat}) changed the daily values` };
  const alerts = await reevaluateAlerts(deps, catalog, rules, { ...o, cause });
  return { days: { from, to }, summaries, alerts };
}

/** How many days an evaluation reads, ending at the patient's latest day with data. */
export const EVALUATION_DAYS = 400;

/**
 * Evaluates the patient's alert rules (the clinician's thresholds and declared illness windows applied) and stores
 * what changed: after an import, after a clinician changes the patient's thresholds, and after an illness window is
 * declared, changed or removed. Every caller evaluates the same window: the 400 days up to the patient's latest day
 * with data on or before the patient's today (`now` in `timeZone`), whatever days the caller touched. The cost is
 * bounded by that window (400 daily values per metric, one index probe per metric to find its end), not by the
 * import or the length of the history. Open alerts the evaluation no longer raises are withdrawn for `cause` — only
 * those it fully re-judged: first breaching day at least three baseline windows after the first day read (an episode
 * near the start lacks the history its baseline had).
 */
export async function reevaluateAlerts(
  deps: WearablesDeps,
  catalog: MetricCatalog,
  rules: AlertRuleSet,
  o: { patientId: string; timeZone: string; now: Date; cause: WithdrawalCause; actor?: RequestActor; overrides?: RuleOverrides },
): Promise<SyncAlertsResult> {
  const asOf = await latestDailyDay(deps.db, catalog, { patientId: o.patientId, notAfter: localDate(o.now.getTime(), o.timeZone), timeZone: o.timeZone });
  if (!asOf) return { written: 0, unchanged: 0, withdrawn: 0 }; // no data: nothing raises or supports an alert
  const overrides = o.overrides ?? (await readAlertSettings(deps.db, o.patientId)).overrides;
  const from = addDays(asOf, -EVALUATION_DAYS);
  const daily = await readDailySeries(deps.db, catalog, { patientId: o.patientId, from, to: asOf, timeZone: o.timeZone });
  const exclude = await declaredExclusions(deps.db, o.patientId);
  const alerts = evaluateAlerts({ patientId: o.patientId, daily, rules: applyOverrides(rules, overrides), baseline: rules.baseline, exclude, asOf });
  const actor = o.actor ? { actor: o.actor } : {};
  const stored = await syncAlerts(deps, catalog, { patientId: o.patientId, alerts, now: o.now, ...actor });
  const withdrawn = await withdrawUnsupportedAlerts(deps, {
    patientId: o.patientId, raised: new Set(alerts.map((a) => a.dedupKey)), from: addDays(from, 3 * rules.baseline.windowDays), asOf, cause: o.cause, now: o.now, ...actor,
  });
  return { ...stored, withdrawn };
}
