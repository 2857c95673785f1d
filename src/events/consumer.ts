// One durable consumer: reads the outbox after its offset, runs its handler, commits, retries, parks poison events.
import type { Db } from '../db/index.ts';
import type { BatchEventHandler, FlauraEvent } from './types.ts';
import { commitOffset, parkEvent, readEvents, readOffset } from './store.ts';

export interface ConsumerSettings {
  name: string;
  topicRegex: string;
  handler: BatchEventHandler;
  batchSize: number;
  readBatchSize: number;
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
  pollIntervalMs: number;
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/** Retry delay for attempt `n` (1-based): doubling from `base`, capped. Pure. */
export function backoffDelay(attempt: number, base: number, cap: number): number {
  return Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
}

/**
 * Skipping past other consumers' events is written to the database at most this often (or after this many seqs):
 * every writer's commit used to cost each consumer an offset write of its own. Losing an unwritten skip in a crash
 * only makes the consumer re-read events it does not handle; delivered events are written at once, as before.
 */
const SKIP_PERSIST_MS = 1000;
const SKIP_PERSIST_SEQS = 10_000;

/** A consumer loop. `crash()` abandons it without committing anything more (tests of replay). */
export class OutboxConsumer {
  /** Everything up to this seq is handled (or not this consumer's); the database holds `persisted`. */
  committed = 0;
  private persisted = 0;
  private persistedAt = 0;
  private running = false;
  /** One per run: a crashed run keeps its own flag, so a restarted consumer never commits for it. */
  private run_ = { crashed: false };
  private loop: Promise<void> | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeResolve: (() => void) | undefined;
  private woken = false;

  constructor(private readonly db: Db, private readonly s: ConsumerSettings) {}

  get name(): string {
    return this.s.name;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.committed = await readOffset(this.db, this.s.name);
    this.persisted = this.committed;
    this.persistedAt = Date.now();
    this.running = true;
    this.run_ = { crashed: false };
    this.loop = this.run(this.run_);
  }

  /** Asks the loop to read again now. */
  wake(): void {
    this.woken = true;
    this.wakeResolve?.();
  }

  /** Stops after the in-flight handler (if any) finished and committed. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    if (!this.run_.crashed && this.committed > this.persisted) await this.persist(this.committed);
  }

  /** Stops at once; an in-flight handler's result is never committed, so its events replay on restart. */
  crash(): void {
    this.run_.crashed = true;
    this.running = false;
    this.wake();
  }

  private async run(token: { crashed: boolean }): Promise<void> {
    const live = () => this.running && !token.crashed;
    let quietReads = 0;
    while (live()) {
      this.woken = false;
      let progressed = false;
      try {
        const { events, head } = await readEvents(this.db, this.committed, this.s.topicRegex, this.s.readBatchSize);
        for (let i = 0; i < events.length && live(); i += this.s.batchSize) {
          const ok = await this.deliver(token, events.slice(i, i + this.s.batchSize));
          if (!ok) break;
          progressed = true;
        }
        // Nothing matching lies between the last event and `head` (same snapshot): skip the others' events.
        if (live() && events.length < this.s.readBatchSize && head > this.committed && (events.length === 0 || this.committed >= events[events.length - 1]!.seq)) {
          await this.commit(token, head, true);
        }
      } catch (err) {
        if (token.crashed) return;
        this.s.log?.error({ err, consumer: this.s.name }, 'event consumer read failed');
      }
      if (!live()) return;
      if (progressed) {
        quietReads = 0;
        continue;
      }
      // A wake-up may arrive before the writer committed: re-read quickly a few times, then fall back to polling.
      const delay = this.woken ? 0 : quietReads < 4 ? 2 * 4 ** quietReads : this.s.pollIntervalMs;
      quietReads = this.woken ? 0 : quietReads + 1;
      if (delay > 0) await this.sleep(delay);
    }
  }

  /** Moves the offset to `seq`; a `skip` (no event of ours in between) is written to the database lazily. */
  private async commit(token: { crashed: boolean }, seq: number, skip = false): Promise<void> {
    if (token.crashed) return;
    if (!skip || seq - this.persisted >= SKIP_PERSIST_SEQS || Date.now() - this.persistedAt >= SKIP_PERSIST_MS) await this.persist(seq);
    this.committed = Math.max(this.committed, seq);
  }

  private async persist(seq: number): Promise<void> {
    await commitOffset(this.db, this.s.name, seq);
    this.persisted = Math.max(this.persisted, seq);
    this.persistedAt = Date.now();
  }

  /** Delivers one batch with retries; returns false when stopped before it was committed. */
  private async deliver(token: { crashed: boolean }, batch: readonly FlauraEvent[]): Promise<boolean> {
    if (batch.length > 1) {
      try {
        await this.s.handler(batch);
        if (token.crashed) return false;
        await this.commit(token, batch[batch.length - 1]!.seq);
        return true;
      } catch (err) {
        if (token.crashed) return false;
        this.s.log?.warn({ err, consumer: this.s.name }, 'event batch failed; retrying one event at a time');
      }
      // Isolate a poison event: one at a time, so only it is retried and parked.
      for (const event of batch) if (!(await this.deliver(token, [event]))) return false;
      return true;
    }
    const event = batch[0]!;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.s.handler(batch);
        if (token.crashed) return false;
        await this.commit(token, event.seq);
        return true;
      } catch (err) {
        if (token.crashed) return false;
        const message = err instanceof Error ? err.message : String(err);
        if (attempt >= this.s.maxAttempts) {
          this.s.log?.error({ err, consumer: this.s.name, seq: event.seq }, 'event parked in dead-letter table');
          if (token.crashed) return false;
          await parkEvent(this.db, this.s.name, event, message, attempt);
          await this.commit(token, event.seq);
          return true;
        }
        this.s.log?.warn({ err, consumer: this.s.name, seq: event.seq, attempt }, 'event handler failed; retrying');
        // New events must not cut the backoff short; only stop does.
        const until = Date.now() + backoffDelay(attempt, this.s.backoffMs, this.s.maxBackoffMs);
        while (this.running && !token.crashed && Date.now() < until) await this.sleep(until - Date.now());
        if (!this.running || token.crashed) return false;
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeResolve = () => {
        clearTimeout(this.wakeTimer);
        this.wakeResolve = undefined;
        resolve();
      };
      this.wakeTimer = setTimeout(() => this.wakeResolve?.(), ms);
    });
  }
}
