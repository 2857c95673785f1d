// Unit conversion through UCUM, refusal of unknown units and implausible values, source priority.
import { describe, expect, it } from 'vitest';
import { loadMetricCatalog } from '../metrics/catalog.ts';
import type { RawSample, Sample } from '../model.ts';
import { parseAppleDate, parseLocalDateTime } from './dates.ts';
import { normalizeSample } from './normalize.ts';
import { resolveOverlaps } from './source-priority.ts';
import { ucumConversion } from './units.ts';

const catalog = loadMetricCatalog();
const raw = (o: Partial<RawSample>): RawSample => ({ metric: 'heart-rate', start: 0, end: 0, value: 60, unit: '/min', unitSystem: 'ucum', source: 'x', device: null, ...o });

describe('normalizeSample', () => {
  it.each([
    ['body-temperature', 98.6, 'degF', 'healthkit', 37, 'Cel'],
    ['body-temperature', 310.15, 'K', 'omh', 37, 'Cel'],
    ['body-weight', 150, 'lb', 'healthkit', 68.0388555, 'kg'],
    ['heart-rate', 72, 'count/min', 'healthkit', 72, '/min'],
    ['oxygen-saturation', 0.95, '%', 'healthkit', 95, '%'],
    ['oxygen-saturation', 95, '%', 'omh', 95, '%'],
    ['hrv-sdnn', 0.045, 's', 'ucum', 45, 'ms'],
    ['sleep-deep', 5400, 's', 'fitbit', 90, 'min'],
  ] as const)('%s %s %s (%s) → %s %s', (metric, value, unit, unitSystem, expected, ucum) => {
    const r = normalizeSample(raw({ metric, value, unit, unitSystem }), catalog);
    expect(r.ok && r.sample.unit).toBe(ucum);
    expect(r.ok && r.sample.value).toBeCloseTo(expected, 6);
  });

  it('reports unknown units and metrics, negative or implausible values, bad intervals', () => {
    expect(normalizeSample(raw({ unit: 'Hz' }), catalog)).toEqual({ ok: false, reason: expect.stringContaining('unit "Hz" is not accepted for heart-rate') });
    expect(normalizeSample(raw({ metric: 'body-weight', unit: 'stone', unitSystem: 'healthkit' }), catalog)).toMatchObject({ ok: false });
    expect(normalizeSample(raw({ metric: 'glucose' }), catalog)).toEqual({ ok: false, reason: 'unknown metric glucose' });
    expect(normalizeSample(raw({ value: -5 }), catalog)).toEqual({ ok: false, reason: expect.stringContaining('outside the plausible range') });
    expect(normalizeSample(raw({ start: 10, end: 5 }), catalog)).toEqual({ ok: false, reason: 'end date before start date' });
    expect(normalizeSample(raw({ value: Number.NaN }), catalog)).toMatchObject({ ok: false });
  });

  it('never pools SDNN and RMSSD: a FHIR SDNN code maps to hrv-sdnn only', () => {
    expect(catalog.byLoinc.get('80404-7')?.id).toBe('hrv-sdnn');
    expect(catalog.byId.get('hrv-rmssd')?.loinc).toBeNull();
    expect(catalog.byLoinc.get('8867-4')?.id).toBe('heart-rate');
    expect(catalog.byLoinc.get('40443-4')?.id).toBe('resting-heart-rate');
    expect(catalog.byLoinc.get('59408-5')?.id).toBe('oxygen-saturation');
  });

  it('compiles a UCUM conversion once and refuses incommensurable units', () => {
    expect(ucumConversion('[degF]', 'Cel')).toBe(ucumConversion('[degF]', 'Cel'));
    expect(ucumConversion('kg', '/min')).toBeNull();
  });
});

describe('dates', () => {
  it('parses Apple and local dates and rejects impossible ones', () => {
    expect(parseAppleDate('2024-03-01 07:15:22 -0500')).toBe(Date.parse('2024-03-01T12:15:22Z'));
    expect(parseAppleDate('2024-02-30 07:15:22 -0500')).toBeNaN();
    expect(parseAppleDate('2024-03-01T07:15:22Z')).toBeNaN();
    expect(parseLocalDateTime('2024-03-01', '23:59:00', 60)).toBe(Date.parse('2024-03-01T22:59:00Z'));
  });
});

describe('resolveOverlaps', () => {
  const s = (source: string, kind: Sample['sourceKind'], start: number, end: number, value: number): Sample => ({ metric: 'steps', start, end, value, unit: '{steps}', source, sourceKind: kind, device: null, context: null });

  it('keeps the watch over the phone where they overlap, and the phone where the watch was off', () => {
    const out = resolveOverlaps([s('iPhone', 'phone', 0, 600, 640), s('Watch', 'watch', 60, 540, 702), s('iPhone', 'phone', 1000, 1600, 300)], ['chest-strap', 'watch', 'phone']);
    expect(out.map((x) => [x.source, x.value])).toEqual([['Watch', 702], ['iPhone', 300]]);
  });

  it('follows a configured priority and keeps touching intervals', () => {
    const out = resolveOverlaps([s('iPhone', 'phone', 0, 600, 640), s('Watch', 'watch', 60, 540, 702), s('Watch', 'watch', 540, 600, 5)], ['phone', 'watch']);
    expect(out.map((x) => x.source)).toEqual(['iPhone']);
    expect(resolveOverlaps([s('a', 'watch', 0, 10, 1), s('b', 'phone', 10, 20, 2)], ['watch', 'phone'])).toHaveLength(2);
  });
});
