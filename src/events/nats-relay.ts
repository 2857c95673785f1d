// Relays the database outbox to a JetStream stream, in seq order, exactly once per seq thanks to Nats-Msg-Id dedup.
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { EventLog, FlauraEvent, Subscription } from './types.ts';

/** Where events go in JetStream. */
export interface NatsStreamConfig {
  /** Stream name (default `FLAURA_EVENTS`). */
  stream: string;
  /** Subject prefix (default `flaura.events`); an event's subject is `<prefix>.<topic>`. */
  subjectPrefix: string;
}

export const DEFAULT_NATS_STREAM: NatsStreamConfig = { stream: 'FLAURA_EVENTS', subjectPrefix: 'flaura.events' };

/** Message id that makes JetStream drop a re-publish of the same outbox row (within the stream's dedup window). */
export function natsMessageId(stream: string, seq: number): string {
  return `${stream}:${seq}`;
}

/** Creates the stream when missing (limits retention, file storage, 10-minute dedup window). */
export async function ensureNatsStream(nc: NatsConnection, config: NatsStreamConfig): Promise<void> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(config.stream);
  } catch {
    await jsm.streams.add({
      name: config.stream,
      subjects: [`${config.subjectPrefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      duplicate_window: 10 * 60 * 1_000_000_000,
    });
  }
}

/**
 * Subscribes the relay as an outbox consumer (`nats-relay:<stream>`): each batch is published in order and the
 * offset moves only after JetStream acknowledged every message. A crash between publish and offset commit
 * re-publishes the batch, which the Nats-Msg-Id dedup window absorbs.
 */
export function startNatsRelay(events: EventLog, nc: NatsConnection, config: NatsStreamConfig = DEFAULT_NATS_STREAM): Subscription {
  const js = jetstream(nc);
  return events.subscribe(
    `nats-relay:${config.stream}`,
    ['>'],
    async (batch: readonly FlauraEvent[]) => {
      // Sequential publishes keep the stream in seq order.
      for (const event of batch) {
        const h = natsHeaders();
        h.set('Flaura-Seq', String(event.seq));
        await js.publish(`${config.subjectPrefix}.${event.topic}`, JSON.stringify(event), {
          msgID: natsMessageId(config.stream, event.seq),
          headers: h,
        });
      }
    },
    { batch: true, batchSize: 100 },
  );
}
