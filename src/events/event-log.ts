// The in-process event log: subscriptions are outbox consumers in this process, woken by appends and LISTEN.
import type { Db, Queryable } from '../db/index.ts';
import { FlauraError } from '../errors.ts';
import { appendEvents, EVENT_CHANNEL } from './append.ts';
import { OutboxConsumer } from './consumer.ts';
import { headSeq } from './store.ts';
import { topicPatternsRegex } from './topics.ts';
import type { BatchEventHandler, EventHandler, EventLog, EventLogOptions, NewEvent, SubscribeOptions, Subscription } from './types.ts';
import { listenPostgres, onAppend } from './wakeup.ts';

const CONSUMER_NAME = /^[A-Za-z0-9_.:*>-]{1,200}$/;

/** Default delivery settings (overridable per log and per subscription). */
export const EVENT_LOG_DEFAULTS = { pollIntervalMs: 1000, readBatchSize: 200, maxAttempts: 5, backoffMs: 50, maxBackoffMs: 5000, batchSize: 100 };

/** Checks a consumer name: letters, digits and `_ . : - * >`, at most 200 characters. */
export function validateConsumerName(consumer: string): void {
  if (!CONSUMER_NAME.test(consumer)) {
    throw new FlauraError('EVENT_CONSUMER_INVALID', 400, `Invalid consumer name '${consumer}': 1-200 of letters, digits, '_', '.', ':', '-', '*', '>'`);
  }
}

/** Event log whose consumers read the database outbox in this process (single-server mode). */
export class OutboxEventLog implements EventLog {
  private readonly consumers = new Map<string, OutboxConsumer>();
  private readonly settings: typeof EVENT_LOG_DEFAULTS;
  private started = false;
  private unlisten: (() => void) | undefined;
  private unlistenPg: (() => Promise<void>) | undefined;

  constructor(private readonly db: Db, private readonly options: EventLogOptions = {}) {
    this.settings = { ...EVENT_LOG_DEFAULTS, ...definedOnly(options) };
  }

  subscribe(consumer: string, topics: readonly string[], handler: EventHandler, options?: SubscribeOptions & { batch?: false }): Subscription;
  subscribe(consumer: string, topics: readonly string[], handler: BatchEventHandler, options: SubscribeOptions & { batch: true }): Subscription;
  subscribe(consumer: string, topics: readonly string[], handler: EventHandler | BatchEventHandler, options: SubscribeOptions = {}): Subscription {
    validateConsumerName(consumer);
    if (this.consumers.has(consumer)) throw new FlauraError('EVENT_CONSUMER_DUPLICATE', 409, `Consumer '${consumer}' is already subscribed`);
    if (topics.length === 0) throw new FlauraError('EVENT_TOPIC_INVALID', 400, `Consumer '${consumer}' subscribes to no topic`);
    const batchHandler: BatchEventHandler = options.batch
      ? (handler as BatchEventHandler)
      : async (events) => {
          for (const event of events) await (handler as EventHandler)(event);
        };
    const c = new OutboxConsumer(this.db, {
      name: consumer,
      topicRegex: topicPatternsRegex(topics),
      handler: batchHandler,
      batchSize: options.batch ? (options.batchSize ?? this.settings.batchSize) : 1,
      readBatchSize: this.settings.readBatchSize,
      maxAttempts: options.maxAttempts ?? this.settings.maxAttempts,
      backoffMs: this.settings.backoffMs,
      maxBackoffMs: this.settings.maxBackoffMs,
      pollIntervalMs: this.settings.pollIntervalMs,
      log: this.options.log,
    });
    this.consumers.set(consumer, c);
    if (this.started) void c.start().catch((err: unknown) => this.options.log?.error({ err, consumer }, 'event consumer failed to start'));
    return { consumer, topics: [...topics] };
  }

  async publish(events: readonly NewEvent[], tx?: Queryable): Promise<void> {
    if (tx) return appendEvents(tx, events);
    await this.db.transaction((t) => appendEvents(t, events));
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.unlisten = onAppend(() => this.wakeAll());
    if (this.options.listen && this.db.kind === 'postgres') {
      this.unlistenPg = await listenPostgres(this.options.listen.connectionString, EVENT_CHANNEL, () => this.wakeAll());
    }
    await Promise.all([...this.consumers.values()].map((c) => c.start()));
  }

  async stop(options: { drain?: boolean } = {}): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.unlisten?.();
    await this.unlistenPg?.();
    if (options.drain === false) for (const c of this.consumers.values()) c.crash();
    else await Promise.all([...this.consumers.values()].map((c) => c.stop()));
  }

  async waitForIdle(timeoutMs = 10_000): Promise<void> {
    const target = await headSeq(this.db);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const behind = [...this.consumers.values()].filter((c) => c.committed < target);
      if (behind.length === 0) return;
      if (!this.started) throw new FlauraError('EVENT_LOG_STOPPED', 503, 'waitForIdle: the event log is not started');
      if (Date.now() > deadline) {
        throw new FlauraError('EVENT_LOG_TIMEOUT', 504, `waitForIdle: ${behind.map((c) => `${c.name} at ${c.committed}`).join(', ')} still behind seq ${target} after ${timeoutMs} ms`);
      }
      behind.forEach((c) => c.wake());
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private wakeAll(): void {
    for (const c of this.consumers.values()) c.wake();
  }
}

function definedOnly(options: EventLogOptions): Partial<typeof EVENT_LOG_DEFAULTS> {
  const out: Partial<typeof EVENT_LOG_DEFAULTS> = {};
  for (const key of Object.keys(EVENT_LOG_DEFAULTS) as (keyof typeof EVENT_LOG_DEFAULTS)[]) {
    const value = (options as Partial<Record<string, unknown>>)[key];
    if (typeof value === 'number') out[key] = value;
  }
  return out;
}

/** Test helper: resolves when every consumer of `eventLog` has handled everything committed so far. */
export function waitForEvents(eventLog: EventLog, timeoutMs?: number): Promise<void> {
  return eventLog.waitForIdle(timeoutMs);
}
