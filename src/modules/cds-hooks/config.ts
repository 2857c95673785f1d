// Thresholds and limits of the CDS service. Defaults below; override with FLAURA_CDS_CONFIG (JSON, same shape) or
// the `cdsHooks` key of the Flaura config. Documented in docs/methods/cds-hooks.md.
export type Indicator = 'info' | 'warning' | 'critical';

export interface CdsConfig {
  /** Card indicator per kind of advice; `null` = no card (e.g. "use the standard dose" for every order). */
  indicators: {
    /** "Avoid"/"not recommended" with a Strong CPIC classification. */
    avoidStrong: Indicator;
    /** "Avoid" with a Moderate/Optional classification, or from DPWG only. */
    avoidOther: Indicator;
    /** Reduce or increase the dose. */
    doseChange: Indicator;
    /** Titrate / monitor levels: the prescription stays as it is. */
    monitor: Indicator | null;
    /** Standard dosing (e.g. normal metabolizers): nothing changes. */
    standard: Indicator | null;
    /** A drug–drug interaction (PDDI IG) card keeps the IG's own indicator unless this caps it. */
    drugDrugMax: Indicator;
    /** Advisory phenoconversion notes (CYP2C19/CYP2B6, no consensus method) when no other card is raised. */
    advisory: Indicator | null;
  };
  /** Offer the PGx test when a drug with actionable CPIC guidance is ordered for an untested gene. */
  suggestTests: boolean;
  /** After an override, the same issue (patient + drug + issue) is not raised again. */
  suppressOverridden: boolean;
  /** Outside-EHR JWTs: longest accepted lifetime (exp − iat) and clock skew, seconds. */
  jwtMaxLifetimeSeconds: number;
  clockSkewSeconds: number;
  /** Timeout of FHIR reads from an outside EHR's server. */
  fetchTimeoutMs: number;
  /** Keep patients' contexts (phenotypes, active medications) in a per-process cache (context-cache.ts). */
  cacheContexts: boolean;
}

export const DEFAULT_CDS_CONFIG: CdsConfig = {
  indicators: { avoidStrong: 'critical', avoidOther: 'warning', doseChange: 'warning', monitor: 'info', standard: null, drugDrugMax: 'critical', advisory: 'info' },
  suggestTests: true,
  suppressOverridden: true,
  jwtMaxLifetimeSeconds: 300,
  clockSkewSeconds: 30,
  fetchTimeoutMs: 5000,
  cacheContexts: true,
};

export function loadCdsConfig(config: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv = process.env): CdsConfig {
  const fromEnv = env.FLAURA_CDS_CONFIG ? (JSON.parse(env.FLAURA_CDS_CONFIG) as Partial<CdsConfig>) : {};
  const fromConfig = (config.cdsHooks ?? {}) as Partial<CdsConfig>;
  const merged = { ...DEFAULT_CDS_CONFIG, ...fromConfig, ...fromEnv };
  return { ...merged, indicators: { ...DEFAULT_CDS_CONFIG.indicators, ...fromConfig.indicators, ...fromEnv.indicators } };
}

const RANK: Record<Indicator, number> = { info: 0, warning: 1, critical: 2 };

export function maxIndicator(a: Indicator, b: Indicator): Indicator {
  return RANK[a] >= RANK[b] ? a : b;
}

export function indicatorRank(i: Indicator): number {
  return RANK[i];
}
