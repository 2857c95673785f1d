// Consumes events from JetStream with a durable consumer shared by every Flaura server: ack after the handler.
import type { NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages } from '@nats-io/jetstream';
import type { Db } from '../db/index.ts';
import { backoffDelay } from './consumer.ts';
import type { NatsStreamConfig } from './nats-relay.ts';
import { parkEvent } from './store.ts';
import { compileTopicPatterns, validateTopicPattern } from './topics.ts';
import type { EventHandler, FlauraEvent } from './types.ts';

export interface NatsConsumerOptions {
  /** Flaura consumer name; the durable JetStream name is derived from it. */
  consumer: string;
  topics: readonly string[];
  handler: EventHandler;
  /** Deliveries before the event is parked in the dead-letter table and acked (default 5). */
  maxAttempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Messages in flight across all servers (default 1). 1 keeps the stream order (and so per-resource order);
   * more trades order for throughput.
   */
  maxAckPending?: number;
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/** JetStream durable names allow no `.`, `*`, `>` or whitespace. */
export function durableName(consumer: string): string {
  return consumer.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
}

/** A running JetStream consumer; `stop()` lets the in-flight handler finish and ack. */
export interface NatsEventConsumer {
  stop(): Promise<void>;
  /** Messages handled (acked) so far by this process. */
  readonly handled: number;
}

/** Creates (or reuses) the durable consumer and starts handling messages. */
export async function startNatsConsumer(nc: NatsConnection, db: Db, stream: NatsStreamConfig, options: NatsConsumerOptions): Promise<NatsEventConsumer> {
  options.topics.forEach(validateTopicPattern);
  const durable = durableName(options.consumer);
  const maxAttempts = options.maxAttempts ?? 5;
  const jsm = await jetstreamManager(nc);
  // One pattern filters on the server; several need `filter_subjects` (NATS 2.10+), so filter here instead.
  const single = options.topics.length === 1 ? options.topics[0] : undefined;
  const matches = single ? () => true : compileTopicPatterns(options.topics);
  await jsm.consumers.add(stream.stream, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: `${stream.subjectPrefix}.${single ?? '>'}`,
    max_ack_pending: options.maxAckPending ?? 1,
    ack_wait: 30 * 1_000_000_000,
  });
  const consumer = await jetstream(nc).consumers.get(stream.stream, durable);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: Math.max(1, options.maxAckPending ?? 1) });
  const state = { handled: 0 };
  const loop = (async () => {
    for await (const msg of messages) {
      const event = msg.json<FlauraEvent>();
      if (!matches(event.topic)) {
        await msg.ackAck();
        continue;
      }
      try {
        await options.handler(event);
        await msg.ackAck();
        state.handled++;
      } catch (err) {
        const attempt = msg.info.deliveryCount;
        const message = err instanceof Error ? err.message : String(err);
        if (attempt >= maxAttempts) {
          options.log?.error({ err, consumer: options.consumer, seq: event.seq }, 'event parked in dead-letter table');
          await parkEvent(db, options.consumer, event, message, attempt);
          await msg.ackAck();
        } else {
          options.log?.warn({ err, consumer: options.consumer, seq: event.seq, attempt }, 'event handler failed; redelivery');
          msg.nak(backoffDelay(attempt, options.backoffMs ?? 50, options.maxBackoffMs ?? 5000));
        }
      }
    }
  })();
  return {
    get handled() {
      return state.handled;
    },
    async stop() {
      // close() stops pulling and ends the iterator once buffered messages are processed.
      await messages.close();
      await loop;
    },
  };
}
