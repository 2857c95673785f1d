// The tamper-evidence of the audit trail: every stored AuditEvent gets a link in security_audit_chain that carries
// the hash of its content and of the previous link. Changing, removing or reordering a record (or a link) breaks
// the chain at that point; `flaura audit verify` walks it.
import { createHash } from 'node:crypto';
import type { Queryable } from '../../db/index.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with keys sorted at every level: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj).filter((k) => obj[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Hash of an AuditEvent's content; meta (version, lastUpdated) is the store's and not part of the record. */
export function recordHash(auditEvent: Record<string, unknown>): string {
  const { meta: _meta, ...content } = auditEvent;
  return sha256(canonicalJson(content));
}

export function linkHash(seq: number, auditId: string, record: string, prev: string): string {
  return sha256(`${seq}|${auditId}|${record}|${prev}`);
}

export interface ChainLink { seq: number; auditId: string; recordHash: string; prevHash: string; hash: string }

/** Serialises appenders (one chain, several nodes) for the rest of the transaction. */
export const AUDIT_CHAIN_LOCK = 7_301_947;

/** The last link, read under the chain lock (call inside the transaction that appends). */
export async function chainHead(tx: Queryable): Promise<{ seq: number; hash: string }> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
  const { rows } = await tx.query<{ seq: string | number; hash: string }>('SELECT seq, hash FROM security_audit_chain ORDER BY seq DESC LIMIT 1');
  return rows[0] ? { seq: Number(rows[0].seq), hash: rows[0].hash } : { seq: 0, hash: GENESIS_HASH };
}

/** Links for new records after `head`, in order. Pure. */
export function nextLinks(head: { seq: number; hash: string }, records: readonly { auditId: string; content: Record<string, unknown> }[]): ChainLink[] {
  const out: ChainLink[] = [];
  let prev = head.hash;
  let seq = head.seq;
  for (const r of records) {
    seq += 1;
    const rh = recordHash(r.content);
    const hash = linkHash(seq, r.auditId, rh, prev);
    out.push({ seq, auditId: r.auditId, recordHash: rh, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

export async function insertLinks(tx: Queryable, links: readonly ChainLink[], eventSeqs: readonly number[]): Promise<void> {
  if (links.length === 0) return;
  await tx.query(
    `INSERT INTO security_audit_chain (seq, audit_id, record_hash, prev_hash, hash, event_seq)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])`,
    [links.map((l) => l.seq), links.map((l) => l.auditId), links.map((l) => l.recordHash), links.map((l) => l.prevHash), links.map((l) => l.hash), eventSeqs],
  );
}

export type VerifyResult = { ok: true; links: number } | { ok: false; links: number; seq: number; auditId: string; problem: string };

/**
 * Walks the chain in order and checks each link against the previous one and against the stored AuditEvent.
 * Returns the first broken link.
 */
export async function verifyChain(db: Queryable, open: (content: Record<string, unknown>) => Record<string, unknown> = (c) => c, pageSize = 1000): Promise<VerifyResult> {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (;;) {
    const { rows } = await db.query<{ seq: string | number; audit_id: string; record_hash: string; prev_hash: string; hash: string; content: Record<string, unknown> | null; deleted: boolean | null; version_id: number | null }>(
      `SELECT c.seq, c.audit_id, c.record_hash, c.prev_hash, c.hash, r.content, r.deleted, r.version_id
       FROM security_audit_chain c LEFT JOIN fhir_resource r ON r.resource_type = 'AuditEvent' AND r.id = c.audit_id
       WHERE c.seq >= $1 ORDER BY c.seq LIMIT $2`,
      [expectedSeq, pageSize],
    );
    if (rows.length === 0) return { ok: true, links: count };
    for (const row of rows) {
      const seq = Number(row.seq);
      const broken = (problem: string): VerifyResult => ({ ok: false, links: count, seq, auditId: row.audit_id, problem });
      if (seq !== expectedSeq) return broken(`link ${expectedSeq} is missing (the next link is ${seq})`);
      if (row.prev_hash !== prev) return broken('the link does not carry the hash of the previous link');
      if (linkHash(seq, row.audit_id, row.record_hash, row.prev_hash) !== row.hash) return broken('the link hash does not match its content');
      if (!row.content || row.deleted) return broken(`AuditEvent/${row.audit_id} is missing or deleted`);
      if (row.version_id !== 1) return broken(`AuditEvent/${row.audit_id} was changed after it was recorded (version ${row.version_id})`);
      if (recordHash(open(row.content)) !== row.record_hash) return broken(`AuditEvent/${row.audit_id} differs from what was recorded`);
      prev = row.hash;
      expectedSeq = seq + 1;
      count += 1;
    }
  }
}
