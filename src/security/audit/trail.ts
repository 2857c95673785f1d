// The audit trail: requests hand their AuditEvent to an in-memory queue (no I/O on the request path); the queue is
// flushed in batches into the event log (topic `audit.record`, one transaction per batch); one consumer stores the
// AuditEvents in the FHIR store and extends the hash chain, in batches, in one transaction with the chain lock.
// Stored AuditEvents are written through the store directly, never through the audited REST path: no recursion.
import { randomUUID } from 'node:crypto';
import type { AuditEvent, Resource } from '@medplum/fhirtypes';
import type { EventLog, FlauraEvent } from '../../events/index.ts';
import type { SqlFhirStore } from '../../fhir/store/sql-store.ts';
import { buildAuditEvent, type AuditInput } from './audit-event.ts';
import { chainHead, insertLinks, nextLinks } from './chain.ts';
import type { AuditJournal } from './journal.ts';

export const AUDIT_TOPIC = 'audit.record';
export const AUDIT_CONSUMER = 'security:audit-store';

/** What modules and the REST layer use. */
export interface AuditRecorder {
  /** Queues one access for the audit trail; returns at once. */
  record(input: AuditInput): void;
}

export interface AuditTrailOptions {
  /** Flush the queue after this long (default 200 ms) or at `maxBatch` records (default 500). */
  flushMs?: number;
  maxBatch?: number;
  log?: { error(obj: object, msg: string): void };
  /** Write-ahead journal: records survive a killed process until they are in the event log. */
  journal?: AuditJournal;
}

export class AuditTrail implements AuditRecorder {
  private queue: AuditEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** Turned off only by the benchmark's baseline run. */
  enabled = true;

  constructor(private readonly events: EventLog, private readonly store: SqlFhirStore, private readonly options: AuditTrailOptions = {}) {}

  record(input: AuditInput): void {
    if (!this.enabled) return;
    const event = buildAuditEvent(input);
    this.options.journal?.append(event);
    this.queue.push(event);
    if (this.queue.length >= (this.options.maxBatch ?? 500)) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.flushMs ?? 200);
  }

  /** Publishes everything queued so far (in order); resolves when it is in the event log. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    // The batch's records are in the journal's segments up to this one; later records go to the next.
    const segment = this.options.journal?.rotate();
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.events.publish(batch.map((payload) => ({ topic: AUDIT_TOPIC, action: 'audit', payload })));
        if (segment !== undefined) this.options.journal?.settle(segment);
      } catch (err) {
        // Never lose the records: put them back in front and retry with the next flush. A later batch may settle
        // their segment first, so they are journalled again.
        for (const r of batch) this.options.journal?.append(r);
        this.queue.unshift(...batch);
        this.options.log?.error({ err, records: batch.length }, 'audit trail: publishing failed; will retry');
        this.timer ??= setTimeout(() => void this.flush(), 1000);
      }
    });
    return this.flushing;
  }

  /** Queues the records a killed process left in its journal (at start, before requests). */
  recoverJournal(): number {
    const orphans = this.options.journal?.adoptOrphans() ?? [];
    if (orphans.length === 0) return 0;
    this.queue.unshift(...orphans);
    void this.flush();
    return orphans.length;
  }

  /** Publishes what is queued and removes the journal (clean shutdown). */
  async close(): Promise<void> {
    await this.flush();
    this.options.journal?.close();
  }

  /** Registers the consumer that stores records and chains them (before the event log starts). */
  subscribe(): void {
    this.events.subscribe(AUDIT_CONSUMER, [AUDIT_TOPIC], (batch) => this.storeBatch(batch), { batch: true, batchSize: 500 });
  }

  /** Stores a batch of audit records with their chain links, once each (redelivered events are skipped). */
  async storeBatch(batch: readonly FlauraEvent[]): Promise<void> {
    if (batch.length === 0) return;
    await this.store.transaction(async (t) => {
      const head = await chainHead(t.q);
      const { rows } = await t.q.query<{ event_seq: string | number }>('SELECT event_seq FROM security_audit_chain WHERE event_seq = ANY($1::bigint[])', [batch.map((e) => e.seq)]);
      const done = new Set(rows.map((r) => Number(r.event_seq)));
      const fresh = batch.filter((e) => !done.has(e.seq));
      if (fresh.length === 0) return;
      const stored = await t.createMany(fresh.map((e) => ({ resource: e.payload as Resource, assignedId: randomUUID() })));
      const links = nextLinks(head, stored.map((s) => ({ auditId: s.resource.id!, content: s.resource as unknown as Record<string, unknown> })));
      await insertLinks(t.q, links, fresh.map((e) => e.seq));
    });
  }
}
