// Distributed mode: the outbox is relayed to JetStream and subscriptions are durable JetStream consumers.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { Db, Queryable } from '../db/index.ts';
import { FlauraError } from '../errors.ts';
import { OutboxEventLog, validateConsumerName } from './event-log.ts';
import { durableName, startNatsConsumer, type NatsEventConsumer } from './nats-consumer.ts';
import { DEFAULT_NATS_STREAM, ensureNatsStream, startNatsRelay, type NatsStreamConfig } from './nats-relay.ts';
import { validateTopicPattern } from './topics.ts';
import type { BatchEventHandler, EventHandler, EventLog, EventLogOptions, NewEvent, SubscribeOptions, Subscription } from './types.ts';

interface NatsSubscription {
  consumer: string;
  topics: readonly string[];
  handler: EventHandler;
  options: SubscribeOptions;
}

/** Event log of one server in distributed mode; any number of servers share each consumer's work. */
export class NatsEventLog implements EventLog {
  private readonly outbox: OutboxEventLog;
  private readonly stream: NatsStreamConfig;
  private readonly subs = new Map<string, NatsSubscription>();
  private readonly running: NatsEventConsumer[] = [];
  private nc: NatsConnection | undefined;

  constructor(private readonly db: Db, private readonly options: EventLogOptions & { natsUrl: string }) {
    this.outbox = new OutboxEventLog(db, options);
    this.stream = { stream: options.natsStream ?? DEFAULT_NATS_STREAM.stream, subjectPrefix: options.natsSubjectPrefix ?? DEFAULT_NATS_STREAM.subjectPrefix };
  }

  subscribe(consumer: string, topics: readonly string[], handler: EventHandler, options?: SubscribeOptions & { batch?: false }): Subscription;
  subscribe(consumer: string, topics: readonly string[], handler: BatchEventHandler, options: SubscribeOptions & { batch: true }): Subscription;
  subscribe(consumer: string, topics: readonly string[], handler: EventHandler | BatchEventHandler, options: SubscribeOptions = {}): Subscription {
    validateConsumerName(consumer);
    topics.forEach(validateTopicPattern);
    if (this.subs.has(consumer)) throw new FlauraError('EVENT_CONSUMER_DUPLICATE', 409, `Consumer '${consumer}' is already subscribed`);
    if (this.nc) throw new FlauraError('EVENT_LOG_STARTED', 409, `Subscribe '${consumer}' before starting the distributed event log`);
    const single: EventHandler = options.batch ? (event) => (handler as BatchEventHandler)([event]) : (handler as EventHandler);
    this.subs.set(consumer, { consumer, topics: [...topics], handler: single, options });
    return { consumer, topics: [...topics] };
  }

  publish(events: readonly NewEvent[], tx?: Queryable): Promise<void> {
    return this.outbox.publish(events, tx);
  }

  async start(): Promise<void> {
    if (this.nc) return;
    this.nc = await connect({ servers: this.options.natsUrl, name: 'flaura' });
    await ensureNatsStream(this.nc, this.stream);
    startNatsRelay(this.outbox, this.nc, this.stream);
    await this.outbox.start();
    for (const sub of this.subs.values()) {
      this.running.push(
        await startNatsConsumer(this.nc, this.db, this.stream, {
          consumer: sub.consumer,
          topics: sub.topics,
          handler: sub.handler,
          maxAttempts: sub.options.maxAttempts ?? this.options.maxAttempts,
          backoffMs: this.options.backoffMs,
          maxBackoffMs: this.options.maxBackoffMs,
          log: this.options.log,
        }),
      );
    }
  }

  async stop(options: { drain?: boolean } = {}): Promise<void> {
    const nc = this.nc;
    if (!nc) return;
    this.nc = undefined;
    await Promise.all(this.running.splice(0).map((c) => c.stop()));
    await this.outbox.stop(options);
    await nc.drain();
  }

  async waitForIdle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await this.outbox.waitForIdle(timeoutMs);
    if (!this.nc) throw new FlauraError('EVENT_LOG_STOPPED', 503, 'waitForIdle: the event log is not started');
    const jsm = await jetstreamManager(this.nc);
    for (const sub of this.subs.values()) {
      for (;;) {
        const info = await jsm.consumers.info(this.stream.stream, durableName(sub.consumer));
        if (info.num_pending === 0 && info.num_ack_pending === 0) break;
        if (Date.now() > deadline) throw new FlauraError('EVENT_LOG_TIMEOUT', 504, `waitForIdle: JetStream consumer ${sub.consumer} still has ${info.num_pending + info.num_ack_pending} messages after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }
}
