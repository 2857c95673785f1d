// Alert rules: data/wearables/alert-rules.json loaded once, with per-patient parameter overrides.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlauraError } from '../../../errors.ts';
import { DEFAULT_WEARABLES_DATA_DIR } from '../metrics/catalog.ts';

/** How a rule compares a day with the person's baseline or a fixed threshold. */
export type RuleKind = 'above-baseline' | 'below-baseline-z' | 'below-absolute' | 'above-absolute' | 'below-baseline-and-absolute' | 'below-baseline-ratio' | 'rise-within-days';

/** Numeric parameters of a rule; which ones apply depends on the kind. */
export interface RuleParams {
  delta?: number;
  z?: number;
  threshold?: number;
  ratio?: number;
  windowDays?: number;
  /** Breaching days in a row needed to raise the alert (default 1). */
  consecutiveDays?: number;
  /** Non-breaching days in a row after which the alert is resolved (default 1). */
  recoveryDays?: number;
}

/** One rule of alert-rules.json, with its literature sources. */
export interface AlertRule {
  id: string;
  metric: string;
  kind: RuleKind;
  title: string;
  params: RuleParams;
  severity: 'information' | 'warning';
  rationale: string;
  sources: { citation: string; doi?: string; url?: string }[];
}

/** The rule file: baseline settings and rules. */
export interface AlertRuleSet {
  version: number;
  baseline: { windowDays: number; minDays: number; madScale: number };
  rules: AlertRule[];
}

/** Per-patient overrides: rule id → parameters replacing the defaults (`enabled: false` switches a rule off). */
export type RuleOverrides = Record<string, RuleParams & { enabled?: boolean }>;

let cached: AlertRuleSet | undefined;

/** Loads data/wearables/alert-rules.json once per process. */
export function loadAlertRules(dir: string = DEFAULT_WEARABLES_DATA_DIR): AlertRuleSet {
  if (dir === DEFAULT_WEARABLES_DATA_DIR && cached) return cached;
  const set = JSON.parse(readFileSync(join(dir, 'alert-rules.json'), 'utf8')) as AlertRuleSet;
  if (dir === DEFAULT_WEARABLES_DATA_DIR) cached = set;
  return set;
}

/** The rules with a patient's overrides applied; unknown rule ids or non-numeric values are refused (400). */
export function applyOverrides(set: AlertRuleSet, overrides: RuleOverrides = {}): AlertRule[] {
  for (const [id, o] of Object.entries(overrides)) {
    if (!set.rules.some((r) => r.id === id)) throw new FlauraError('WEARABLES_UNKNOWN_RULE', 400, `Unknown alert rule ${id}`);
    for (const [k, v] of Object.entries(o)) {
      if (k === 'enabled' ? typeof v !== 'boolean' : typeof v !== 'number' || !Number.isFinite(v)) throw new FlauraError('WEARABLES_BAD_RULE_OVERRIDE', 400, `Override ${id}.${k} must be ${k === 'enabled' ? 'a boolean' : 'a finite number'}`);
    }
  }
  return set.rules
    .filter((r) => overrides[r.id]?.enabled !== false)
    .map((r) => {
      const o = overrides[r.id];
      if (!o) return r;
      const { enabled: _enabled, ...params } = o;
      return { ...r, params: { ...r.params, ...params } };
    });
}
