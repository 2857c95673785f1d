// Tables of the CDS Hooks module: registered outside-EHR clients, seen JWT ids, issued cards, decisions and the
// "test already suggested" memory. One statement per migration (the drivers run each as one prepared statement).
import type { Migration } from '../../db/index.ts';

export const cdsMigrations: readonly Migration[] = [
  {
    id: 'cds-services/001-client',
    sql: `
CREATE TABLE cds_client (
  iss text PRIMARY KEY,
  name text NOT NULL,
  jwks jsonb,
  jwks_url text,
  tenant text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (jwks IS NOT NULL OR jwks_url IS NOT NULL)
)`,
  },
  {
    id: 'cds-services/002-jti',
    sql: `
CREATE TABLE cds_jti (
  iss text NOT NULL,
  jti text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (iss, jti)
)`,
  },
  {
    id: 'cds-services/003-card',
    sql: `
CREATE TABLE cds_card (
  uuid uuid PRIMARY KEY,
  service_id text NOT NULL,
  patient_id text NOT NULL,
  drug text NOT NULL,
  issue_key text NOT NULL,
  kind text NOT NULL,
  indicator text NOT NULL,
  summary text NOT NULL,
  suggestions jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now()
)`,
  },
  {
    id: 'cds-services/004-decision',
    sql: `
CREATE TABLE cds_decision (
  patient_id text NOT NULL,
  drug text NOT NULL,
  issue_key text NOT NULL,
  outcome text NOT NULL,
  card_uuid uuid NOT NULL,
  detected_issue_id text,
  decided_at timestamptz NOT NULL,
  PRIMARY KEY (patient_id, drug, issue_key, card_uuid)
)`,
  },
  {
    id: 'cds-services/005-test-suggested',
    sql: `
CREATE TABLE cds_test_suggested (
  patient_id text NOT NULL,
  gene text NOT NULL,
  card_uuid uuid NOT NULL,
  suggested_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (patient_id, gene)
)`,
  },
];
