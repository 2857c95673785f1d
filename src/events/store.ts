// SQL of the event log: reading after an offset, committing offsets, parking events, pruning.
import type { Queryable } from '../db/index.ts';
import type { FlauraEvent } from './types.ts';

interface EventRow {
  head: number;
  seq: number | null;
  topic: string | null;
  resource_type: string | null;
  resource_id: string | null;
  version_id: string | null;
  action: string | null;
  actor: FlauraEvent['actor'] | null;
  payload: unknown;
  occurred_at: Date | string | null;
}

/** Events after `offset` matching `topicRegex`, plus the highest committed seq seen by the same snapshot. */
export async function readEvents(q: Queryable, offset: number, topicRegex: string, limit: number): Promise<{ events: FlauraEvent[]; head: number }> {
  // One statement = one snapshot: when fewer than `limit` rows come back, nothing matching lies in (offset, head].
  const { rows } = await q.query<EventRow>(
    `SELECT h.head, e.* FROM (SELECT coalesce(max(seq), 0) AS head FROM flaura_event) h
     LEFT JOIN LATERAL (
       SELECT seq, topic, resource_type, resource_id, version_id, action, actor, payload, occurred_at
       FROM flaura_event WHERE seq > $1 AND topic ~ $2 ORDER BY seq LIMIT $3
     ) e ON true ORDER BY e.seq`,
    [offset, topicRegex, limit],
  );
  const head = Number(rows[0]?.head ?? 0);
  const events: FlauraEvent[] = [];
  for (const r of rows) {
    if (r.seq === null || r.topic === null) continue;
    const event: FlauraEvent = { seq: Number(r.seq), topic: r.topic, occurredAt: new Date(r.occurred_at ?? 0).toISOString() };
    if (r.resource_type !== null) event.resourceType = r.resource_type;
    if (r.resource_id !== null) event.resourceId = r.resource_id;
    if (r.version_id !== null) event.versionId = r.version_id;
    if (r.action !== null) event.action = r.action;
    if (r.actor !== null) event.actor = r.actor;
    if (r.payload !== null) event.payload = r.payload;
    events.push(event);
  }
  return { events, head };
}

/** The consumer's committed offset (0 when it never ran). */
export async function readOffset(q: Queryable, consumer: string): Promise<number> {
  const { rows } = await q.query<{ seq: number }>('SELECT seq FROM flaura_event_offset WHERE consumer = $1', [consumer]);
  return Number(rows[0]?.seq ?? 0);
}

/** Moves the consumer's offset forward to `seq` (never backward). */
export async function commitOffset(q: Queryable, consumer: string, seq: number): Promise<void> {
  await q.query(
    `INSERT INTO flaura_event_offset (consumer, seq) VALUES ($1, $2)
     ON CONFLICT (consumer) DO UPDATE SET seq = GREATEST(flaura_event_offset.seq, excluded.seq), updated_at = now()`,
    [consumer, seq],
  );
}

/** Records an event the consumer gave up on, with the last error. */
export async function parkEvent(q: Queryable, consumer: string, event: FlauraEvent, error: string, attempts: number): Promise<void> {
  await q.query(
    `INSERT INTO flaura_event_dead_letter (consumer, seq, topic, event, error, attempts) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (consumer, seq) DO UPDATE SET error = excluded.error, attempts = excluded.attempts, parked_at = now()`,
    [consumer, event.seq, event.topic, JSON.stringify(event), error, attempts],
  );
}

/** A parked event, as listed for operators. */
export interface DeadLetter {
  consumer: string;
  seq: number;
  topic: string;
  event: FlauraEvent;
  error: string;
  attempts: number;
}

/** Parked events, oldest first (optionally of one consumer). */
export async function listDeadLetters(q: Queryable, consumer?: string): Promise<DeadLetter[]> {
  const { rows } = await q.query<DeadLetter>(
    `SELECT consumer, seq, topic, event, error, attempts FROM flaura_event_dead_letter
     WHERE $1::text IS NULL OR consumer = $1 ORDER BY id`,
    [consumer ?? null],
  );
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

/** The highest committed seq. */
export async function headSeq(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ head: number }>('SELECT coalesce(max(seq), 0) AS head FROM flaura_event');
  return Number(rows[0]?.head ?? 0);
}

/**
 * Deletes events older than `olderThanMs` (relative to `now`) that every known consumer has passed.
 * With no consumer registered nothing is deleted: an outbox nobody read is not garbage. Returns the count.
 */
export async function pruneEvents(q: Queryable, options: { now: Date; olderThanMs: number }): Promise<number> {
  const cutoff = new Date(options.now.getTime() - options.olderThanMs);
  const { rowCount } = await q.query(
    `DELETE FROM flaura_event WHERE occurred_at < $1
       AND seq <= (SELECT coalesce(min(seq), 0) FROM flaura_event_offset)`,
    [cutoff.toISOString()],
  );
  return rowCount;
}
