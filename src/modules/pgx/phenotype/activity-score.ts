// Activity-score arithmetic in exact quarter steps, including CPIC's open-ended "≥" values for copy-number alleles.

/** A parsed activity value or score: `quarters` = value × 4, `atLeast` for `≥` (e.g. CYP2D6 `*1x≥3` = ≥3.0). */
export interface ActivityValue {
  quarters: number;
  atLeast: boolean;
}

const VALUE = /^(≥|>=)?\s*(\d+(?:\.\d+)?)$/;

/** Parses `1.0`, `0.25`, `≥3.0`; returns undefined for anything else (`n/a`, empty). */
export function parseActivity(text: string | null | undefined): ActivityValue | undefined {
  if (text === null || text === undefined) return undefined;
  const m = VALUE.exec(text.trim());
  if (!m || m[2] === undefined) return undefined;
  const quarters = Math.round(Number(m[2]) * 4);
  if (Math.abs(quarters / 4 - Number(m[2])) > 1e-9) return undefined;
  return { quarters, atLeast: m[1] !== undefined };
}

/** Sums activity values; one open-ended value makes the sum open-ended (CPIC: `*1/*1x≥3` = `≥4.0`). */
export function sumActivity(values: ActivityValue[]): ActivityValue {
  return {
    quarters: values.reduce((s, v) => s + v.quarters, 0),
    atLeast: values.some((v) => v.atLeast),
  };
}

/** Formats as CPIC writes scores: one decimal unless a quarter needs two (`1.0`, `1.5`, `1.25`, `≥3.0`). */
export function formatActivity(v: ActivityValue): string {
  const n = v.quarters / 4;
  const text = v.quarters % 2 === 0 ? n.toFixed(1) : n.toFixed(2);
  return (v.atLeast ? '≥' : '') + text;
}

/** The numeric value (the lower bound for `≥` values), used to place a score in a phenotype bin. */
export function activityNumber(v: ActivityValue): number {
  return v.quarters / 4;
}
