// UCUM unit conversion through @lhncbc/ucum-lhc, compiled once per unit pair into a linear function.
import ucum from '@lhncbc/ucum-lhc';

/** value_in_target = value * factor + offset (affine covers °F → Cel as well as lb → kg). */
export interface UnitConversion {
  factor: number;
  offset: number;
}

const utils = ucum.UcumLhcUtils.getInstance();
const conversions = new Map<string, UnitConversion | null>();

/**
 * The conversion from one UCUM code to another, or null when they are not commensurable or either is not UCUM.
 * Computed once per pair by asking ucum-lhc for the images of 0 and 1 (every UCUM conversion used here is affine).
 */
export function ucumConversion(from: string, to: string): UnitConversion | null {
  const key = `${from}\u0000${to}`;
  const hit = conversions.get(key);
  if (hit !== undefined) return hit;
  let result: UnitConversion | null = null;
  if (from === to) result = { factor: 1, offset: 0 };
  else {
    const at0 = utils.convertUnitTo(from, 0, to);
    const at1 = utils.convertUnitTo(from, 1, to);
    if (at0.status === 'succeeded' && at1.status === 'succeeded' && typeof at0.toVal === 'number' && typeof at1.toVal === 'number') {
      result = { factor: at1.toVal - at0.toVal, offset: at0.toVal };
    }
  }
  conversions.set(key, result);
  return result;
}

/** Applies a conversion, rounding away binary noise past 1e-9 relative precision. */
export function applyConversion(value: number, c: UnitConversion): number {
  const v = value * c.factor + c.offset;
  return Number.parseFloat(v.toPrecision(12));
}
