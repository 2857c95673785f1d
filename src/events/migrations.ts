// Tables of the event log: the outbox, per-consumer offsets, and parked (dead-letter) events.
import type { Migration } from '../db/index.ts';

/** Apply after the core migrations; ids are stable. */
export const eventMigrations: Migration[] = [
  {
    id: 'events/001-outbox',
    sql: `
CREATE TABLE flaura_event (
  seq bigserial PRIMARY KEY,
  topic text NOT NULL,
  resource_type text,
  resource_id text,
  version_id text,
  action text,
  actor jsonb,
  payload jsonb,
  occurred_at timestamptz NOT NULL DEFAULT now()
)`,
  },
  // One statement per migration: PGlite runs migrations as prepared statements.
  { id: 'events/002-occurred-at-index', sql: 'CREATE INDEX flaura_event_occurred_at ON flaura_event (occurred_at)' },
  {
    id: 'events/003-offsets',
    sql: `
CREATE TABLE flaura_event_offset (
  consumer text PRIMARY KEY,
  seq bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
)`,
  },
  {
    id: 'events/004-dead-letters',
    sql: `
CREATE TABLE flaura_event_dead_letter (
  id bigserial PRIMARY KEY,
  consumer text NOT NULL,
  seq bigint NOT NULL,
  topic text NOT NULL,
  event jsonb NOT NULL,
  error text NOT NULL,
  attempts integer NOT NULL,
  parked_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (consumer, seq)
);`,
  },
];
