// The event log contract: what writers append, what consumers receive, and what modules may ask of the log.
import type { Queryable } from '../db/index.ts';
import type { RequestActor } from '../fhir/store/types.ts';

/** An event to append. Topics: `fhir.<ResourceType>.<action>` for store changes, `access.<ResourceType>` for reads. */
export interface NewEvent {
  topic: string;
  resourceType?: string;
  resourceId?: string;
  versionId?: string;
  action?: 'create' | 'update' | 'delete' | 'read' | 'search' | string;
  actor?: RequestActor;
  payload?: unknown;
}

/** A committed event: `seq` grows in commit order (see docs/methods/event-log.md). */
export interface FlauraEvent extends NewEvent {
  seq: number;
  occurredAt: string;
}

/** Handles one event; resolving commits the consumer's offset past it, throwing retries it. */
export type EventHandler = (event: FlauraEvent) => Promise<void> | void;

/** Handles a batch of events in order; resolving commits the offset past the whole batch. */
export type BatchEventHandler = (events: readonly FlauraEvent[]) => Promise<void> | void;

export interface SubscribeOptions {
  /** Deliver batches (up to `batchSize`) instead of single events. */
  batch?: boolean;
  batchSize?: number;
  /** Attempts before an event is parked in the dead-letter table (default from the log options). */
  maxAttempts?: number;
}

export interface Subscription {
  readonly consumer: string;
  readonly topics: readonly string[];
}

/** What modules get: durable, ordered, at-least-once delivery with one persisted offset per consumer. */
export interface EventLog {
  /** Registers a consumer; `topics` are patterns (`fhir.*.*`, `fhir.Observation.*`, `access.*`, `>` = the rest). */
  subscribe(consumer: string, topics: readonly string[], handler: EventHandler, options?: SubscribeOptions & { batch?: false }): Subscription;
  subscribe(consumer: string, topics: readonly string[], handler: BatchEventHandler, options: SubscribeOptions & { batch: true }): Subscription;
  /** Appends events in a transaction of its own (or inside `tx` when given). */
  publish(events: readonly NewEvent[], tx?: Queryable): Promise<void>;
  /** Resolves when every consumer has handled (or parked) every event committed so far. For tests. */
  waitForIdle(timeoutMs?: number): Promise<void>;
  start(): Promise<void>;
  /** Stops consumers; `drain` (default true) lets in-flight handlers finish and commit first. */
  stop(options?: { drain?: boolean }): Promise<void>;
}

/** Tunables of delivery; every field has a sensible default. */
export interface EventLogOptions {
  /** NATS server URL: when set, the outbox is relayed to JetStream and consumers read from there. */
  natsUrl?: string;
  /** JetStream stream name (default `FLAURA_EVENTS`). */
  natsStream?: string;
  /** Subject prefix (default `flaura.events`). */
  natsSubjectPrefix?: string;
  /** Polling fallback interval when no wake-up arrives (default 1000 ms). */
  pollIntervalMs?: number;
  /** Events read per query (default 200). */
  readBatchSize?: number;
  /** Attempts before parking an event in `flaura_event_dead_letter` (default 5). */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt up to `maxBackoffMs` (defaults 50 ms, 5000 ms). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** PostgreSQL connection for LISTEN (a pooled Db cannot hold a listening session); omit to rely on polling. */
  listen?: { connectionString: string; schema?: string };
  /** Logger for handler failures; defaults to silence. */
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}
