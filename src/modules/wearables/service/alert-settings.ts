// A clinician's per-patient alert thresholds (the rule file's values are population defaults; a clinician may tune
// them for one person, e.g. a wider resting-heart-rate delta for an athlete). Stored with who, when and why, and
// used by every later evaluation of that patient's alerts.
import { FlauraError } from '../../../errors.ts';
import type { Queryable } from '../../../db/index.ts';
import { applyOverrides, type AlertRule, type AlertRuleSet, type RuleOverrides, type RuleParams } from '../alerts/rules.ts';

export interface AlertSettings {
  patientId: string;
  overrides: RuleOverrides;
  reason?: string;
  updatedBy?: string;
  updatedAt?: string;
}

/** One rule as it applies to the patient: effective parameters beside the defaults, with its sources. */
export interface PatientRule extends Omit<AlertRule, 'params'> {
  enabled: boolean;
  params: RuleParams;
  defaults: RuleParams;
  overridden: boolean;
}

const PARAMS: ReadonlySet<string> = new Set(['delta', 'z', 'threshold', 'ratio', 'windowDays', 'consecutiveDays', 'recoveryDays']);
const WHOLE_DAYS: ReadonlySet<string> = new Set(['windowDays', 'consecutiveDays', 'recoveryDays']);
const MAX_REASON = 1000;

const bad = (message: string): FlauraError => new FlauraError('WEARABLES_BAD_RULE_OVERRIDE', 400, message);

/** Checks the shape a clinician sent: known rules, known parameter names, numbers where numbers belong. */
export function parseOverrides(set: AlertRuleSet, value: unknown): RuleOverrides {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw bad('overrides must be an object: rule id → { parameter: value }');
  const out: RuleOverrides = {};
  for (const [ruleId, params] of Object.entries(value as Record<string, unknown>)) {
    if (!params || typeof params !== 'object' || Array.isArray(params)) throw bad(`overrides.${ruleId} must be an object of parameters`);
    for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
      if (k !== 'enabled' && !PARAMS.has(k)) throw bad(`overrides.${ruleId}.${k} is not a rule parameter (allowed: enabled, ${[...PARAMS].join(', ')})`);
      if (WHOLE_DAYS.has(k) && !(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 365)) throw bad(`overrides.${ruleId}.${k} must be a whole number of days from 1 to 365`);
    }
    out[ruleId] = params as RuleOverrides[string];
  }
  applyOverrides(set, out); // unknown rule ids, non-numeric values → 400
  return out;
}

export async function readAlertSettings(db: Queryable, patientId: string): Promise<AlertSettings> {
  const r = await db.query<{ overrides: RuleOverrides | string; reason: string; updated_by: string; updated_at: Date | string }>(
    `SELECT overrides, reason, updated_by, updated_at FROM wearable_alert_settings WHERE patient_id = $1`,
    [patientId],
  );
  const row = r.rows[0];
  if (!row) return { patientId, overrides: {} };
  const overrides = typeof row.overrides === 'string' ? (JSON.parse(row.overrides) as RuleOverrides) : row.overrides;
  return { patientId, overrides, reason: row.reason, updatedBy: row.updated_by, updatedAt: new Date(row.updated_at).toISOString() };
}

/** Replaces the patient's overrides (an empty object returns them to the defaults). */
export async function saveAlertSettings(db: Queryable, set: AlertRuleSet, input: { patientId: string; overrides: unknown; reason: unknown; by: string; now: Date }): Promise<AlertSettings> {
  const overrides = parseOverrides(set, input.overrides);
  if (typeof input.reason !== 'string' || !input.reason.trim() || input.reason.length > MAX_REASON) throw bad(`reason must be a non-empty text of at most ${MAX_REASON} characters (why these thresholds suit this patient)`);
  const reason = input.reason.trim();
  await db.query(
    `INSERT INTO wearable_alert_settings (patient_id, overrides, reason, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (patient_id) DO UPDATE SET overrides = excluded.overrides, reason = excluded.reason, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    [input.patientId, JSON.stringify(overrides), reason, input.by, input.now.toISOString()],
  );
  return { patientId: input.patientId, overrides, reason, updatedBy: input.by, updatedAt: input.now.toISOString() };
}

/** Every rule of the file as it applies to the patient (disabled ones included, marked). */
export function patientRules(set: AlertRuleSet, overrides: RuleOverrides): PatientRule[] {
  return set.rules.map((r) => {
    const o = overrides[r.id];
    const { enabled, ...params } = o ?? {};
    return { ...r, enabled: enabled !== false, params: { ...r.params, ...params }, defaults: r.params, overridden: o !== undefined };
  });
}
