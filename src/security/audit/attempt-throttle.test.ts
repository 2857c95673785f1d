import { describe, expect, it } from 'vitest';
import { AttemptThrottle } from './attempt-throttle.ts';

describe('AttemptThrottle', () => {
  it('records the first N per address and minute, summarizes once, then drops until the minute is over', () => {
    let now = 0;
    const t = new AttemptThrottle(3, () => now);
    expect([1, 2, 3, 4, 5].map(() => t.admit('10.0.0.1'))).toEqual(['record', 'record', 'record', 'summarize', 'drop']);
    expect(t.admit('10.0.0.2')).toBe('record');
    now = 60_000;
    expect(t.admit('10.0.0.1')).toBe('record');
  });
});
