// Schema of the wearables time-series store: samples (range-partitioned by month), imports, rollups, retention.
import type { Migration } from '../../../db/index.ts';

/**
 * Samples live outside the FHIR resource tables (one FHIR resource per sample would not scale to minute data).
 * `wearable_sample` is declaratively range-partitioned on start_time; monthly partitions are created on demand by
 * `ensureMonthPartitions`. The primary key is the deduplication key: a re-import inserts nothing.
 */
// Each migration is one statement: the drivers run a migration as a single prepared statement.
export const wearablesMigrations: readonly Migration[] = [
  {
    id: 'wearables/001-import',
    sql: `
CREATE TABLE wearable_import (
  id text PRIMARY KEY,
  patient_id text NOT NULL,
  format text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  received integer NOT NULL DEFAULT 0,
  inserted integer NOT NULL DEFAULT 0,
  rejected integer NOT NULL DEFAULT 0,
  issues jsonb NOT NULL DEFAULT '[]'
)`,
  },
  {
    id: 'wearables/002-import-index',
    sql: `
CREATE INDEX wearable_import_patient ON wearable_import (patient_id, started_at)`,
  },
  {
    id: 'wearables/003-sample',
    sql: `
CREATE TABLE wearable_sample (
  patient_id text NOT NULL,
  metric text NOT NULL,
  start_time timestamptz NOT NULL,
  end_time timestamptz NOT NULL,
  value double precision NOT NULL,
  unit text NOT NULL,
  source text NOT NULL,
  source_kind text NOT NULL,
  device text,
  context text,
  import_id text NOT NULL,
  PRIMARY KEY (patient_id, metric, start_time, end_time, source)
) PARTITION BY RANGE (start_time)`,
  },
  {
    id: 'wearables/004-rollup',
    sql: `
CREATE TABLE wearable_rollup (
  patient_id text NOT NULL,
  metric text NOT NULL,
  bucket text NOT NULL CHECK (bucket IN ('hour', 'day')),
  bucket_start timestamptz NOT NULL,
  n integer NOT NULL,
  min double precision NOT NULL,
  max double precision NOT NULL,
  mean double precision NOT NULL,
  sum double precision NOT NULL,
  p5 double precision NOT NULL,
  p50 double precision NOT NULL,
  p95 double precision NOT NULL,
  source_kind text NOT NULL,
  PRIMARY KEY (patient_id, metric, bucket, bucket_start)
)`,
  },
  {
    id: 'wearables/005-retention',
    sql: `
CREATE TABLE wearable_retention (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  raw_days integer NOT NULL CHECK (raw_days > 0),
  hourly_days integer NOT NULL CHECK (hourly_days > 0)
)`,
  },
  {
    id: 'wearables/006-retention-default',
    sql: `
INSERT INTO wearable_retention (raw_days, hourly_days) VALUES (730, 1825)`,
  },
  {
    id: 'wearables/007-import-time-zone',
    sql: `
ALTER TABLE wearable_import ADD COLUMN time_zone text`,
  },
  {
    // What was last published as a daily summary Observation: a re-run skips unchanged days (no new versions).
    id: 'wearables/008-published-day',
    sql: `
CREATE TABLE wearable_published_day (
  patient_id text NOT NULL,
  metric text NOT NULL,
  day date NOT NULL,
  content_hash text NOT NULL,
  observation_id text NOT NULL,
  published_at timestamptz NOT NULL,
  PRIMARY KEY (patient_id, metric, day)
)`,
  },
  {
    // The alerts inbox: one row per alert episode (dedup key); the clinical record is the Flag + Communication.
    id: 'wearables/009-alert',
    sql: `
CREATE TABLE wearable_alert (
  dedup_key text PRIMARY KEY,
  patient_id text NOT NULL,
  rule_id text NOT NULL,
  metric text NOT NULL,
  title text NOT NULL,
  severity text NOT NULL,
  onset date NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'resolved')),
  resolved_on date,
  evidence jsonb NOT NULL,
  detail text NOT NULL,
  content_hash text NOT NULL,
  flag_id text NOT NULL,
  communication_id text NOT NULL,
  acknowledged_at timestamptz,
  acknowledged_by text,
  ack_note text,
  ack_communication_id text,
  updated_at timestamptz NOT NULL
)`,
  },
  {
    id: 'wearables/010-alert-index',
    sql: `
CREATE INDEX wearable_alert_inbox ON wearable_alert (status, patient_id, onset)`,
  },
  {
    id: 'wearables/011-alert-flag',
    sql: `
CREATE UNIQUE INDEX wearable_alert_flag ON wearable_alert (flag_id)`,
  },
  {
    // A clinician's per-patient alert thresholds: rule id → parameters; who changed them, when and why.
    id: 'wearables/012-alert-settings',
    sql: `
CREATE TABLE wearable_alert_settings (
  patient_id text PRIMARY KEY,
  overrides jsonb NOT NULL,
  reason text NOT NULL,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL
)`,
  },
  {
    // An open alert the re-evaluation no longer raises (looser thresholds, a declared illness window, changed data)
    // is withdrawn, not deleted: who withdrew it, when, why, and the Communication that says so.
    id: 'wearables/013-alert-withdrawn',
    sql: `
ALTER TABLE wearable_alert
  DROP CONSTRAINT wearable_alert_status_check,
  ADD CONSTRAINT wearable_alert_status_check CHECK (status IN ('active', 'resolved', 'withdrawn')),
  ADD COLUMN withdrawn_at timestamptz,
  ADD COLUMN withdrawn_by text,
  ADD COLUMN withdrawal_reason text,
  ADD COLUMN withdrawal_communication_id text`,
  },
  {
    // Illness windows a clinician declares (surgery, fever, …): kept out of every baseline of the patient. A removed
    // window stays as a row (removed_at/by) for the record.
    id: 'wearables/014-illness-window',
    sql: `
CREATE TABLE wearable_illness_window (
  id text PRIMARY KEY,
  patient_id text NOT NULL,
  start_day date NOT NULL,
  end_day date,
  reason text NOT NULL,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL,
  removed_at timestamptz,
  removed_by text,
  CHECK (end_day IS NULL OR end_day >= start_day)
)`,
  },
  {
    id: 'wearables/015-illness-window-index',
    sql: `
CREATE INDEX wearable_illness_window_patient ON wearable_illness_window (patient_id, start_day)`,
  },
];
