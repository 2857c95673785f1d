// LTTB keeps endpoints, point budget and peaks.
import { describe, expect, it } from 'vitest';
import { lttb } from './lttb.ts';

describe('lttb', () => {
  const flat = Array.from({ length: 10_000 }, (_, i) => ({ t: i, v: 60 + Math.sin(i / 50) }));

  it('returns exactly the threshold, with the first and last points', () => {
    const out = lttb(flat, 100);
    expect(out).toHaveLength(100);
    expect(out[0]).toBe(flat[0]);
    expect(out[99]).toBe(flat[9999]);
    expect(out.every((p, i) => i === 0 || p.t > out[i - 1]!.t)).toBe(true);
  });

  it('keeps isolated peaks and dips', () => {
    const series = flat.map((p) => ({ ...p }));
    series[3333]!.v = 180;
    series[7777]!.v = 20;
    const out = lttb(series, 50);
    expect(out.map((p) => p.t)).toContain(3333);
    expect(out.map((p) => p.t)).toContain(7777);
  });

  it('returns a copy of short series and handles tiny thresholds', () => {
    expect(lttb(flat.slice(0, 5), 10)).toEqual(flat.slice(0, 5));
    expect(lttb(flat, 2)).toEqual([flat[0], flat[9999]]);
  });
});
