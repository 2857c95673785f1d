// Canonical UCUM forms of quantities (value in base units + base-unit expression), computed once per unit code.
import ucum from '@lhncbc/ucum-lhc';

export const UCUM_SYSTEM = 'http://unitsofmeasure.org';

// convertToBaseUnits exists in ucum-lhc 5 but is missing from its type declarations.
const utils = ucum.UcumLhcUtils.getInstance() as unknown as { convertToBaseUnits(unit: string, value: number): unknown };

interface Canonical { factor: number; unit: string }
const cache = new Map<string, Canonical | null>();

/**
 * The scale factor to base units and the base-unit expression of a UCUM code (`mg` -> 0.001, `g`), or null for
 * codes ucum-lhc does not know, arbitrary units, and special (non-linear) units such as Cel.
 */
function canonicalUnit(code: string): Canonical | null {
  const hit = cache.get(code);
  if (hit !== undefined) return hit;
  let result: Canonical | null = null;
  const r = utils.convertToBaseUnits(code, 1) as { status: string; magnitude?: number; fromUnitIsSpecial?: boolean; unitToExp?: Record<string, number> };
  if (r.status === 'succeeded' && !r.fromUnitIsSpecial && typeof r.magnitude === 'number' && Number.isFinite(r.magnitude) && r.magnitude !== 0) {
    const unit = Object.entries(r.unitToExp ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([u, e]) => `${u}${e}`).join('.') || '1';
    result = { factor: r.magnitude, unit };
  }
  cache.set(code, result);
  return result;
}

/** Decimal text of `value * factor`, rounded past 15 significant digits to drop binary noise. */
function scale(value: string, factor: number): string {
  return String(Number((Number(value) * factor).toPrecision(15)));
}

/** A value (and optional precision delta) in base units, with the canonical unit expression; null when not convertible. */
export function toCanonical(value: string, code: string, delta?: string): { value: string; delta?: string; unit: string } | null {
  const c = canonicalUnit(code);
  if (!c) return null;
  return { value: scale(value, c.factor), ...(delta !== undefined ? { delta: scale(delta, Math.abs(c.factor)) } : {}), unit: c.unit };
}
