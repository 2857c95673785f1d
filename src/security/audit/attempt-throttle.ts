// Refused requests are audited, but a flood of bad tokens from one address must not turn into a flood of stored
// AuditEvents (refusals happen before the per-client rate limit, which needs a principal). Per address and minute:
// the first `perMinute` are recorded one by one, then a single "suppressed" note, then nothing until the next minute.
export class AttemptThrottle {
  private windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly perMinute = 60, private readonly now: () => number = Date.now) {}

  /** 'record' the attempt, 'summarize' it (the first one over the limit), or 'drop' it. */
  admit(address: string): 'record' | 'summarize' | 'drop' {
    const t = this.now();
    let w = this.windows.get(address);
    if (!w || t - w.start >= 60_000) {
      if (this.windows.size > 10_000) this.sweep(t);
      w = { start: t, count: 0 };
      this.windows.set(address, w);
    }
    w.count++;
    if (w.count <= this.perMinute) return 'record';
    return w.count === this.perMinute + 1 ? 'summarize' : 'drop';
  }

  private sweep(t: number): void {
    for (const [k, w] of this.windows) if (t - w.start >= 60_000) this.windows.delete(k);
  }
}
