// The audit chain and break-the-glass grants. AuditEvents themselves are FHIR resources in the store (searchable);
// this table holds their hash chain.
import type { Migration } from '../../db/index.ts';

export const securityMigrations: Migration[] = [
  {
    id: 'security/001-audit-chain-break-glass',
    sql: `
      CREATE TABLE security_audit_chain (
        seq bigint PRIMARY KEY,
        audit_id text NOT NULL UNIQUE,
        record_hash text NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        -- The event-log event the record came from: redelivery after a crash stores it once.
        event_seq bigint NOT NULL UNIQUE
      );

      CREATE TABLE security_break_glass (
        id text PRIMARY KEY,
        subject text NOT NULL,
        fhir_user text,
        role text NOT NULL,
        patient_id text NOT NULL,
        reason text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX security_break_glass_subject ON security_break_glass (subject, expires_at);
    `,
  },
];
