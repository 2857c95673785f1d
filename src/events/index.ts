// The event log's public surface: outbox append, in-process and NATS JetStream delivery, pruning, dead letters.
import type { Db } from '../db/index.ts';
import { OutboxEventLog } from './event-log.ts';
import { NatsEventLog } from './nats-event-log.ts';
import type { EventLog, EventLogOptions } from './types.ts';

export type { NewEvent, FlauraEvent, EventHandler, BatchEventHandler, EventLog, EventLogOptions, SubscribeOptions, Subscription } from './types.ts';
export { eventMigrations } from './migrations.ts';
export { appendEvents, EVENT_APPEND_LOCK, EVENT_CHANNEL } from './append.ts';
export { OutboxEventLog, waitForEvents, validateConsumerName, EVENT_LOG_DEFAULTS } from './event-log.ts';
export { NatsEventLog } from './nats-event-log.ts';
export { pruneEvents, listDeadLetters, headSeq, type DeadLetter } from './store.ts';
export { topicMatches, compileTopicPatterns, validateTopicPattern, validateTopic } from './topics.ts';
export { startNatsRelay, ensureNatsStream, natsMessageId, DEFAULT_NATS_STREAM, type NatsStreamConfig } from './nats-relay.ts';
export { startNatsConsumer, durableName, type NatsConsumerOptions, type NatsEventConsumer } from './nats-consumer.ts';

/** The event log for the configuration: in-process outbox consumers, or JetStream when `natsUrl` is set. */
export function createEventLog(db: Db, options: EventLogOptions = {}): EventLog {
  return options.natsUrl ? new NatsEventLog(db, { ...options, natsUrl: options.natsUrl }) : new OutboxEventLog(db, options);
}
