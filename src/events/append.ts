// Appending to the outbox inside the writer's transaction, so commit order equals seq order.
import type { Queryable } from '../db/index.ts';
import type { NewEvent } from './types.ts';
import { validateTopic } from './topics.ts';
import { signalAppend } from './wakeup.ts';

/**
 * Transaction-level advisory lock that serializes appenders from their `nextval` to their commit. Why: a bigserial
 * taken in one transaction can become visible after a higher one committed elsewhere, and a consumer remembering
 * "last seq" would skip it. Holding this lock until commit means a transaction gets its seqs only after every
 * earlier appender committed (PostgreSQL releases locks after the commit is visible), so seqs become visible in
 * order and any gap is a rollback, never a late arrival. See docs/methods/event-log.md.
 */
export const EVENT_APPEND_LOCK = 7_301_946;

/** Channel notified at commit; listeners wake their consumers. */
export const EVENT_CHANNEL = 'flaura_events';

/**
 * Appends `events` in the caller's transaction. Call it as the transaction's last statement: the append lock
 * is held until commit, so anything after it lengthens the window in which other writers wait.
 */
export async function appendEvents(tx: Queryable, events: readonly NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e) => {
    validateTopic(e.topic);
    return {
      topic: e.topic,
      resource_type: e.resourceType ?? null,
      resource_id: e.resourceId ?? null,
      version_id: e.versionId ?? null,
      action: e.action ?? null,
      actor: e.actor ?? null,
      payload: e.payload ?? null,
    };
  });
  await tx.query('SELECT pg_advisory_xact_lock($1)', [EVENT_APPEND_LOCK]);
  // ORDER BY ordinality: nextval follows the order rows are produced, so seqs follow the caller's order. The
  // notification rides in the same statement (one round trip); LISTENers get it only at commit, nothing on rollback.
  await tx.query(
    `WITH appended AS (
       INSERT INTO flaura_event (topic, resource_type, resource_id, version_id, action, actor, payload, occurred_at)
       SELECT e->>'topic', e->>'resource_type', e->>'resource_id', e->>'version_id', e->>'action',
         NULLIF(e->'actor', 'null'::jsonb), NULLIF(e->'payload', 'null'::jsonb), clock_timestamp()
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, ord)
       ORDER BY x.ord)
     SELECT pg_notify('${EVENT_CHANNEL}', '')`,
    [JSON.stringify(rows)],
  );
  signalAppend();
}
