// Canonical UCUM forms: linear units to base units, special and unknown units left alone.
import { describe, expect, it } from 'vitest';
import { toCanonical } from './ucum.ts';

describe('toCanonical', () => {
  it('scales values and precision deltas to base units', () => {
    expect(toCanonical('80', 'kg')).toEqual({ value: '80000', unit: 'g1' });
    expect(toCanonical('5', 'mg', '0.5')).toEqual({ value: '0.005', delta: '0.0005', unit: 'g1' });
    expect(toCanonical('60', '/min')?.value).toBe('1');
    expect(toCanonical('1', '/min')?.unit).toBe(toCanonical('1', '{beats}/min')?.unit);
  });
  it('returns null for special (Cel) and unknown units', () => {
    expect(toCanonical('37', 'Cel')).toBeNull();
    expect(toCanonical('1', 'not-a-unit')).toBeNull();
  });
});
