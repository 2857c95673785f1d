// Precision ranges, decimal deltas and string normalization (search.html#date, #number, #string).
import { describe, expect, it } from 'vitest';
import { dateRange, decimalDelta, normalizeString } from './values.ts';

describe('search values', () => {
  it('gives dates the range of their precision', () => {
    expect(dateRange('2024')).toEqual({ low: '2024-01-01T00:00:00.000Z', high: '2024-12-31T23:59:59.999Z' });
    expect(dateRange('2024-02')).toEqual({ low: '2024-02-01T00:00:00.000Z', high: '2024-02-29T23:59:59.999Z' });
    expect(dateRange('2024-02-10')?.high).toBe('2024-02-10T23:59:59.999Z');
    expect(dateRange('2024-02-10T10:00+02:00')).toEqual({ low: '2024-02-10T08:00:00.000Z', high: '2024-02-10T08:00:59.999Z' });
    expect(dateRange('2024-02-10T10:00:05.5Z')).toEqual({ low: '2024-02-10T10:00:05.500Z', high: '2024-02-10T10:00:05.599Z' });
    expect(dateRange('0050-03')?.low).toBe('0050-03-01T00:00:00.000Z');
    for (const bad of ['0000', '2024-13', '2023-02-29', 'yesterday', '2024-01-01T25:00Z', '']) expect(dateRange(bad), bad).toBeUndefined();
  });

  it('gives numbers half their last significant digit', () => {
    expect(decimalDelta('100')).toBe('5e-1');
    expect(decimalDelta('100.00')).toBe('5e-3');
    expect(Number(decimalDelta('1e2'))).toBe(50);
    expect(Number(decimalDelta('1.5e2'))).toBe(5);
  });

  it('normalizes strings for case- and accent-insensitive matching', () => {
    expect(normalizeString('Müller-Ångström')).toBe('muller-angstrom');
  });
});
