// Delivery of the in-process event log on a real database: order, offsets, replay, retries, dead letters, pruning.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../test/test-db.ts';
import { migrate } from '../db/index.ts';
import { FlauraError } from '../errors.ts';
import {
  appendEvents,
  createEventLog,
  eventMigrations,
  listDeadLetters,
  OutboxEventLog,
  pruneEvents,
  waitForEvents,
  type FlauraEvent,
  type NewEvent,
} from './index.ts';

let t: TestDb;
const logs: OutboxEventLog[] = [];

function newLog(options: ConstructorParameters<typeof OutboxEventLog>[1] = {}): OutboxEventLog {
  const log = new OutboxEventLog(t.db, { backoffMs: 1, maxBackoffMs: 5, pollIntervalMs: 50, ...options });
  logs.push(log);
  return log;
}

const patient = (id: string, action = 'create', versionId = '1'): NewEvent => ({
  topic: `fhir.Patient.${action}`,
  resourceType: 'Patient',
  resourceId: id,
  versionId,
  action,
  actor: { reference: 'Practitioner/7' },
});

beforeEach(async () => {
  t = await createTestDb();
  await migrate(t.db, eventMigrations);
});

afterEach(async () => {
  for (const log of logs.splice(0)) await log.stop({ drain: false });
  await t.drop();
});

describe('appendEvents', () => {
  it('assigns seqs in the given order and rolls back with the writer', async () => {
    await t.db.transaction((tx) => appendEvents(tx, [patient('a'), patient('b'), { topic: 'access.Patient', payload: { q: 1 } }]));
    await expect(t.db.transaction(async (tx) => {
      await appendEvents(tx, [patient('lost')]);
      throw new Error('writer failed');
    })).rejects.toThrow('writer failed');
    const { rows } = await t.db.query<{ seq: number; resource_id: string | null; payload: unknown }>('SELECT seq, resource_id, payload FROM flaura_event ORDER BY seq');
    expect(rows.map((r) => r.resource_id)).toEqual(['a', 'b', null]);
    expect(rows[2]!.payload).toEqual({ q: 1 });
    expect(rows[0]!.seq).toBeLessThan(rows[1]!.seq);
  });

  it('rejects a malformed topic with a FlauraError', async () => {
    const failure = t.db.transaction((tx) => appendEvents(tx, [{ topic: 'fhir..create' }]));
    await expect(failure).rejects.toBeInstanceOf(FlauraError);
    await expect(t.db.transaction((tx) => appendEvents(tx, [{ topic: 'fhir.*.create' }]))).rejects.toThrow(/Invalid event topic/);
  });
});

describe('OutboxEventLog', () => {
  it('delivers matching events in order, with every field, to each consumer independently', async () => {
    const log = newLog();
    const all: FlauraEvent[] = [];
    const observations: string[] = [];
    const access: string[] = [];
    log.subscribe('all', ['fhir.*.*'], (e) => void all.push(e));
    log.subscribe('obs', ['fhir.Observation.*'], (e) => void observations.push(`${e.resourceId}/${e.action}`));
    log.subscribe('audit', ['access.*'], (e) => void access.push(e.topic));
    await log.start();
    await log.publish([patient('p1'), { topic: 'fhir.Observation.create', resourceType: 'Observation', resourceId: 'o1', action: 'create' }]);
    await log.publish([{ topic: 'access.Patient', action: 'read', resourceType: 'Patient', resourceId: 'p1' }, { topic: 'fhir.Observation.delete', resourceType: 'Observation', resourceId: 'o1', action: 'delete' }]);
    await waitForEvents(log);
    expect(all.map((e) => e.topic)).toEqual(['fhir.Patient.create', 'fhir.Observation.create', 'fhir.Observation.delete']);
    expect(all[0]).toMatchObject({ resourceType: 'Patient', resourceId: 'p1', versionId: '1', action: 'create', actor: { reference: 'Practitioner/7' } });
    expect(Date.parse(all[0]!.occurredAt)).not.toBeNaN();
    expect(observations).toEqual(['o1/create', 'o1/delete']);
    expect(access).toEqual(['access.Patient']);
  });

  it('delivers events appended inside another writer transaction after commit, promptly', async () => {
    const log = newLog({ pollIntervalMs: 60_000 });
    const seen: string[] = [];
    log.subscribe('c', ['fhir.Patient.create'], (e) => void seen.push(e.resourceId ?? ''));
    await log.start();
    await t.db.transaction(async (tx) => {
      await tx.query('SELECT 1');
      await appendEvents(tx, [patient('x')]);
    });
    // No poll for a minute: only the in-process wake-up can deliver this in time.
    await log.waitForIdle(2000);
    expect(seen).toEqual(['x']);
  });

  it('resumes from the persisted offset after a graceful restart', async () => {
    const first = newLog();
    const seen: string[] = [];
    first.subscribe('counter', ['fhir.Patient.*'], (e) => void seen.push(e.resourceId ?? ''));
    await first.start();
    await first.publish([patient('1'), patient('2')]);
    await first.waitForIdle();
    await first.stop();
    await first.publish([patient('3')]);
    const second = newLog();
    second.subscribe('counter', ['fhir.Patient.*'], (e) => void seen.push(e.resourceId ?? ''));
    await second.start();
    await second.waitForIdle();
    expect(seen).toEqual(['1', '2', '3']);
  });

  it('writes delivered offsets at once, skips of other consumers\' events lazily, and loses nothing either way', async () => {
    const offset = async () => (await t.db.query<{ seq: number }>("SELECT seq FROM flaura_event_offset WHERE consumer = 'obs'")).rows[0]?.seq ?? 0;
    const observation = (id: string): NewEvent => ({ topic: 'fhir.Observation.create', resourceType: 'Observation', resourceId: id });
    const seen: string[] = [];
    const first = newLog();
    first.subscribe('obs', ['fhir.Observation.*'], (e) => void seen.push(`first:${e.resourceId}`));
    await first.start();
    await first.publish([observation('o1')]);
    await first.waitForIdle();
    const delivered = await offset();
    const { rows } = await t.db.query<{ seq: number }>("SELECT seq FROM flaura_event WHERE resource_id = 'o1'");
    expect(delivered).toBe(rows[0]!.seq);
    // Other consumers' events: passed in memory (waitForIdle returns), written to the table later or at stop.
    await first.publish([patient('p1'), patient('p2'), patient('p3')]);
    await first.waitForIdle();
    const head = (await t.db.query<{ seq: number }>('SELECT max(seq) AS seq FROM flaura_event')).rows[0]!.seq;
    expect(await offset()).toBeGreaterThanOrEqual(delivered);
    expect(await offset()).toBeLessThanOrEqual(head);
    // A crash now may lose the skip, never a delivery: the restarted consumer delivers only what is new.
    await first.stop({ drain: false });
    await first.publish([observation('o2')]);
    const second = newLog();
    second.subscribe('obs', ['fhir.Observation.*'], (e) => void seen.push(`second:${e.resourceId}`));
    await second.start();
    await second.waitForIdle();
    expect(seen).toEqual(['first:o1', 'second:o2']);
    await second.publish([patient('p4')]);
    await second.waitForIdle();
    await second.stop();
    expect(await offset()).toBe((await t.db.query<{ seq: number }>('SELECT max(seq) AS seq FROM flaura_event')).rows[0]!.seq);
  });

  it('replays an event whose handler finished but whose offset was not committed (crash)', async () => {
    const first = newLog();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const handledBy: string[] = [];
    first.subscribe('c', ['fhir.Patient.*'], async (e) => {
      handledBy.push(`first:${e.resourceId}`);
      await gate;
    });
    await first.start();
    await first.publish([patient('p')]);
    await expect.poll(() => handledBy.length).toBe(1);
    await first.stop({ drain: false });
    release();
    await new Promise((r) => setTimeout(r, 20));
    const second = newLog();
    second.subscribe('c', ['fhir.Patient.*'], (e) => void handledBy.push(`second:${e.resourceId}`));
    await second.start();
    await second.waitForIdle();
    expect(handledBy).toEqual(['first:p', 'second:p']);
  });

  it('a log restarted after a crash replays the abandoned event once and never commits for the old run', async () => {
    const log = newLog();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const handled: string[] = [];
    log.subscribe('c', ['fhir.Patient.*'], async (e) => {
      handled.push(e.resourceId ?? '');
      if (handled.length === 1) await gate;
    });
    await log.start();
    await log.publish([patient('p')]);
    await expect.poll(() => handled.length).toBe(1);
    await log.stop({ drain: false });
    await log.start();
    await log.waitForIdle();
    release();
    await log.publish([patient('q')]);
    await log.waitForIdle();
    await new Promise((r) => setTimeout(r, 30));
    expect(handled).toEqual(['p', 'p', 'q']);
  });

  it('graceful stop waits for the in-flight handler and commits it', async () => {
    const log = newLog();
    let started = false;
    let finished = false;
    log.subscribe('slow', ['fhir.Patient.*'], async () => {
      started = true;
      await new Promise((r) => setTimeout(r, 50));
      finished = true;
    });
    await log.start();
    await log.publish([patient('p')]);
    await expect.poll(() => started).toBe(true);
    await log.stop();
    expect(finished).toBe(true);
    const { rows } = await t.db.query<{ seq: number }>("SELECT seq FROM flaura_event_offset WHERE consumer = 'slow'");
    expect(rows[0]?.seq).toBeGreaterThan(0);
  });

  it('retries a failing handler and parks a poison event without stopping the stream', async () => {
    const log = newLog({ maxAttempts: 3 });
    const attempts = new Map<string, number>();
    const done: string[] = [];
    log.subscribe('flaky', ['fhir.Patient.*'], (e) => {
      const id = e.resourceId ?? '';
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      if (id === 'poison') throw new Error('cannot handle poison');
      if (id === 'flaky' && n < 2) throw new Error('transient');
      done.push(id);
    });
    await log.start();
    await log.publish([patient('flaky'), patient('poison'), patient('fine')]);
    await log.waitForIdle();
    expect(done).toEqual(['flaky', 'fine']);
    expect(attempts.get('flaky')).toBe(2);
    expect(attempts.get('poison')).toBe(3);
    const parked = await listDeadLetters(t.db, 'flaky');
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ consumer: 'flaky', topic: 'fhir.Patient.create', error: 'cannot handle poison', attempts: 3 });
    expect(parked[0]!.event.resourceId).toBe('poison');
  });

  it('delivers batches in order and isolates a poison event inside a batch', async () => {
    const log = newLog({ maxAttempts: 2 });
    const batches: string[][] = [];
    log.subscribe(
      'batcher',
      ['fhir.>'],
      (events) => {
        if (events.some((e) => e.resourceId === 'bad')) throw new Error('bad one');
        batches.push(events.map((e) => e.resourceId ?? ''));
      },
      { batch: true, batchSize: 10 },
    );
    await log.publish(['a', 'b', 'bad', 'c'].map((id) => patient(id)));
    await log.start();
    await log.waitForIdle();
    expect(batches.flat()).toEqual(['a', 'b', 'c']);
    expect((await listDeadLetters(t.db)).map((d) => d.event.resourceId)).toEqual(['bad']);
  });

  it('rejects bad consumer names, empty or malformed patterns and duplicates', () => {
    const log = newLog();
    expect(() => log.subscribe('bad name', ['fhir.*.*'], () => undefined)).toThrow(/Invalid consumer name/);
    expect(() => log.subscribe('c', [], () => undefined)).toThrow(/no topic/);
    expect(() => log.subscribe('c', ['fhir.>.x'], () => undefined)).toThrow(/Invalid topic pattern/);
    log.subscribe('c', ['fhir.*.*'], () => undefined);
    expect(() => log.subscribe('c', ['fhir.*.*'], () => undefined)).toThrow(/already subscribed/);
  });

  it('waitForIdle names the consumer that is behind when it times out', async () => {
    const log = newLog();
    log.subscribe('stuck', ['fhir.*.*'], () => new Promise(() => undefined));
    await log.start();
    await log.publish([patient('p')]);
    await expect(log.waitForIdle(100)).rejects.toThrow(/stuck at 0 still behind/);
  });
});

describe('pruneEvents', () => {
  it('deletes only old events that every consumer has passed', async () => {
    const log = newLog();
    log.subscribe('fast', ['fhir.*.*'], () => undefined);
    await log.publish([patient('1'), patient('2'), patient('3')]);
    // No consumer has an offset yet: nothing is garbage.
    expect(await pruneEvents(t.db, { now: new Date(Date.now() + 3_600_000), olderThanMs: 0 })).toBe(0);
    await log.start();
    await log.waitForIdle();
    await log.stop();
    await t.db.query("INSERT INTO flaura_event_offset (consumer, seq) SELECT 'slow', min(seq) + 1 FROM flaura_event");
    expect(await pruneEvents(t.db, { now: new Date(), olderThanMs: 3_600_000 })).toBe(0);
    expect(await pruneEvents(t.db, { now: new Date(Date.now() + 7_200_000), olderThanMs: 3_600_000 })).toBe(2);
    const { rows } = await t.db.query<{ resource_id: string }>('SELECT resource_id FROM flaura_event');
    expect(rows.map((r) => r.resource_id)).toEqual(['3']);
  });
});

describe('createEventLog', () => {
  it('gives the in-process log without natsUrl', () => {
    expect(createEventLog(t.db)).toBeInstanceOf(OutboxEventLog);
  });
});
