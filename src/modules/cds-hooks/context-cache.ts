// A per-process cache of each patient's CDS context (stored phenotypes, active medications), correct when several
// Flaura processes share one database. Every hook call first reads, in one statement, the tail of the event log
// (flaura_event rows of the resource types the context is built from, since the last seq this process applied), the
// head seq, and the patient's override/test memory. The event log's seqs become visible in commit order
// (docs/methods/event-log.md), so after applying the tail this process knows of every committed change; a change to
// a resource the cache holds drops its patient, and a created or updated resource it does not hold is looked up once
// to learn its patient. A context is cached with the head seq read before it was loaded and served only while no
// change of that patient has a higher seq. See docs/methods/cds-hooks.md, "Caching".
import type { Queryable } from '../../db/index.ts';
import type { PatientMemory } from './memory.ts';
import type { PatientData } from './patient-data.ts';

/** The resource types a patient's context is built from (and Patient itself: a deleted patient is dropped too). */
export const CONTEXT_RESOURCE_TYPES: readonly string[] = ['Observation', 'MedicationRequest', 'MedicationStatement', 'Patient'];

/** A changed resource the cache does not hold: the caller finds whose it is (`Type/id` → patient ids). */
export type OwnerLookup = (changed: readonly { type: string; id: string }[]) => Promise<string[]>;

interface Entry {
  data: PatientData;
  /** Head seq read before the data was loaded: every change up to it is in the data. */
  loadedAt: number;
  /** `Type/id` of the resources the data was built from. */
  resources: string[];
}

export interface CacheStart {
  memory: PatientMemory;
  /** The patient's context when the cache holds a current one. */
  cached?: PatientData;
  /** Stamp to `put` a context loaded after this call with. */
  seq: number;
}

/** More events than this since the last call: the whole cache is dropped instead of looking them up. */
const TAIL_LIMIT = 2000;
/** No call for this long: the whole cache is dropped (events this old may have been pruned from the log). */
const MAX_IDLE_MS = 10 * 60_000;

export class PatientContextCache {
  private cursor: number | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly owner = new Map<string, string>();
  /** patient → seq of the newest change of theirs this process has seen. */
  private readonly changedAt = new Map<string, number>();
  /** changedAt was cleared at this seq (bounded memory): contexts loaded before it are not trusted. */
  private forgottenUpTo = 0;
  /** Tails are applied one after the other, so no call reads an entry while a change to it is being looked up. */
  private applying: Promise<void> = Promise.resolve();
  private lastApplied = 0;
  readonly stats = { hits: 0, misses: 0, dropped: 0, lookups: 0 };

  constructor(
    private readonly db: Queryable,
    private readonly lookup: OwnerLookup,
    private readonly maxPatients = 5000,
  ) {}

  /** The one statement of a hook call: event tail, head seq and the patient's memory. */
  async start(patientId: string): Promise<CacheStart> {
    const from = this.cursor;
    const { rows } = await this.db.query<{ kind: string; seq: string | null; a: string | null; b: string | null; c: string | null }>(
      `WITH head AS (SELECT COALESCE(max(seq), 0) AS seq FROM flaura_event)
       SELECT 'h' AS kind, head.seq::text AS seq, NULL AS a, NULL AS b, NULL AS c FROM head
       UNION ALL (SELECT 'e', e.seq::text, e.resource_type, e.resource_id, e.action FROM flaura_event e, head
                  WHERE $2::bigint >= 0 AND e.seq > $2::bigint AND e.seq <= head.seq AND e.resource_type = ANY($3::text[]) ORDER BY e.seq LIMIT ${TAIL_LIMIT + 1})
       UNION ALL SELECT 'o', NULL, drug, issue_key, NULL FROM cds_decision WHERE patient_id = $1 AND outcome = 'overridden'
       UNION ALL SELECT 't', NULL, gene, NULL, NULL FROM cds_test_suggested WHERE patient_id = $1`,
      [patientId, from ?? -1, CONTEXT_RESOURCE_TYPES],
    );
    const memory: PatientMemory = { overridden: new Set(), testsSuggested: new Set() };
    const events: { seq: number; type: string; id: string; action: string }[] = [];
    let head = 0;
    for (const r of rows) {
      if (r.kind === 'h') head = Number(r.seq);
      else if (r.kind === 'e') events.push({ seq: Number(r.seq), type: r.a ?? '', id: r.b ?? '', action: r.c ?? '' });
      else if (r.kind === 'o') memory.overridden.add(`${r.a ?? ''}\u0000${r.b ?? ''}`);
      else memory.testsSuggested.add(r.a ?? '');
    }
    const step = this.applying.then(() => this.apply(from, head, events));
    this.applying = step.catch(() => undefined);
    await step;
    const entry = this.entries.get(patientId);
    if (entry && this.current(patientId, entry.loadedAt)) {
      // Most recently used last: eviction takes the first.
      this.entries.delete(patientId);
      this.entries.set(patientId, entry);
      this.stats.hits++;
      return { memory, cached: entry.data, seq: head };
    }
    this.stats.misses++;
    return { memory, seq: head };
  }

  /** Keeps a context loaded after `start` returned `seq`, unless a change of the patient was seen since. */
  put(patientId: string, seq: number, data: PatientData, resources: readonly string[]): void {
    if (!this.current(patientId, seq)) return;
    this.forget(patientId);
    while (this.entries.size >= this.maxPatients) this.forget(this.entries.keys().next().value as string);
    this.entries.set(patientId, { data, loadedAt: seq, resources: [...resources] });
    for (const r of resources) this.owner.set(r, patientId);
  }

  private current(patientId: string, seq: number): boolean {
    return seq >= this.forgottenUpTo && seq >= (this.changedAt.get(patientId) ?? 0);
  }

  private forget(patientId: string): void {
    const entry = this.entries.get(patientId);
    if (!entry) return;
    this.entries.delete(patientId);
    for (const r of entry.resources) if (this.owner.get(r) === patientId) this.owner.delete(r);
  }

  private changed(patientId: string, seq: number): void {
    if ((this.changedAt.get(patientId) ?? 0) < seq) this.changedAt.set(patientId, seq);
    if (this.entries.has(patientId)) this.stats.dropped++;
    this.forget(patientId);
  }

  private dropAll(seq: number): void {
    this.entries.clear();
    this.owner.clear();
    this.changedAt.clear();
    this.forgottenUpTo = Math.max(this.forgottenUpTo, seq);
  }

  private async apply(from: number | undefined, head: number, events: readonly { seq: number; type: string; id: string; action: string }[]): Promise<void> {
    if (from === undefined) {
      // First call of this process: nothing is cached yet, so earlier events do not matter.
      this.forgottenUpTo = Math.max(this.forgottenUpTo, head);
    } else if (events.length > TAIL_LIMIT || Date.now() - this.lastApplied > MAX_IDLE_MS) {
      this.dropAll(head);
    } else if (events.length > 0) {
      const unknown: { type: string; id: string }[] = [];
      for (const e of events) {
        if (e.type === 'Patient') this.changed(e.id, e.seq);
        const holder = this.owner.get(`${e.type}/${e.id}`);
        if (holder) this.changed(holder, e.seq);
        // A resource may be new to a patient (created, or its subject changed): find whose it is now.
        if (e.type !== 'Patient' && e.action !== 'delete') unknown.push({ type: e.type, id: e.id });
      }
      if (unknown.length > 0) {
        this.stats.lookups++;
        const last = events.at(-1)!.seq;
        try {
          for (const p of await this.lookup(unknown)) this.changed(p, last);
        } catch {
          this.dropAll(last); // whose they are is unknown: trust nothing loaded before them
        }
      }
    }
    this.cursor = Math.max(this.cursor ?? 0, head);
    this.lastApplied = Date.now();
    if (this.changedAt.size > this.maxPatients * 4) this.dropAll(this.cursor);
  }
}
