// Distributed mode against the real NATS JetStream server: relay order and dedup, durable consumers shared by servers.
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../test/test-db.ts';
import { migrate } from '../db/index.ts';
import { eventMigrations, listDeadLetters, NatsEventLog, OutboxEventLog, startNatsRelay, ensureNatsStream, type FlauraEvent, type NatsStreamConfig } from './index.ts';

const NATS_URL = process.env.FLAURA_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
let nc: NatsConnection | undefined;
try {
  nc = await connect({ servers: NATS_URL, timeout: 2000 });
} catch {
  nc = undefined;
}

let t: TestDb;
let stream: NatsStreamConfig;
const stops: (() => Promise<void>)[] = [];

// Skipped only when no NATS server answers at 127.0.0.1:4222 (distributed mode cannot be tested without one).
describe.skipIf(!nc)(`NATS JetStream (${NATS_URL})`, () => {
  afterAll(async () => {
    await nc?.close();
  });
  beforeEach(async () => {
    t = await createTestDb();
    await migrate(t.db, eventMigrations);
    const id = randomBytes(4).toString('hex');
    stream = { stream: `FLAURA_TEST_${id}`, subjectPrefix: `flaura.test${id}` };
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await (await jetstreamManager(nc!)).streams.delete(stream.stream).catch(() => undefined);
    await t.drop();
  });

  const patient = (id: string) => ({ topic: 'fhir.Patient.create', resourceType: 'Patient', resourceId: id, versionId: '1', action: 'create' });

  it('relays the outbox in order, once, even when a restarted relay publishes again', async () => {
    await ensureNatsStream(nc!, stream);
    const outbox = new OutboxEventLog(t.db, { pollIntervalMs: 50 });
    startNatsRelay(outbox, nc!, stream);
    await outbox.publish(['a', 'b', 'c'].map(patient));
    await outbox.start();
    await outbox.waitForIdle();
    await outbox.stop();
    // Simulate a crash before the offset commit: the relay starts over from 0 and publishes everything again.
    await t.db.query('DELETE FROM flaura_event_offset');
    const again = new OutboxEventLog(t.db, { pollIntervalMs: 50 });
    startNatsRelay(again, nc!, stream);
    await again.start();
    await again.waitForIdle();
    await again.stop();
    const jsm = await jetstreamManager(nc!);
    const info = await jsm.streams.info(stream.stream);
    expect(info.state.messages).toBe(3);
    const first = await jsm.streams.getMessage(stream.stream, { seq: 1 });
    const last = await jsm.streams.getMessage(stream.stream, { seq: 3 });
    expect(first?.subject).toBe(`${stream.subjectPrefix}.fhir.Patient.create`);
    expect(first?.json<FlauraEvent>().resourceId).toBe('a');
    expect(last?.json<FlauraEvent>().resourceId).toBe('c');
  });

  it('two servers share a durable consumer: every event handled once, in order, poison parked', async () => {
    const handled: { server: string; id: string }[] = [];
    const servers = ['s1', 's2'].map((server) => {
      const log = new NatsEventLog(t.db, { natsUrl: NATS_URL, natsStream: stream.stream, natsSubjectPrefix: stream.subjectPrefix, maxAttempts: 2, backoffMs: 1, pollIntervalMs: 50 });
      log.subscribe('module:counter:fhir.*.*', ['fhir.*.*'], (e) => {
        if (e.resourceId === 'poison') throw new Error('poison event');
        handled.push({ server, id: e.resourceId ?? '' });
      });
      return log;
    });
    for (const log of servers) {
      await log.start();
      stops.push(() => log.stop());
    }
    const ids = Array.from({ length: 20 }, (_, i) => `p${i}`);
    await servers[0]!.publish([...ids.slice(0, 10), 'poison'].map(patient));
    await servers[1]!.publish(ids.slice(10).map(patient));
    await servers[0]!.waitForIdle(20_000);
    await servers[1]!.waitForIdle(20_000);
    expect(handled.map((h) => h.id)).toEqual(ids);
    const parked = await listDeadLetters(t.db, 'module:counter:fhir.*.*');
    expect(parked.map((p) => [p.event.resourceId, p.error, p.attempts])).toEqual([['poison', 'poison event', 2]]);
  }, 30_000);

  it('a consumer of several patterns gets exactly the matching events, in order, and resumes after a restart', async () => {
    const seen: string[] = [];
    const make = () => {
      const log = new NatsEventLog(t.db, { natsUrl: NATS_URL, natsStream: stream.stream, natsSubjectPrefix: stream.subjectPrefix, pollIntervalMs: 50 });
      log.subscribe('audit', ['fhir.Patient.*', 'access.*'], (e) => void seen.push(`${e.topic}:${e.resourceId}`));
      return log;
    };
    const first = make();
    await first.start();
    await first.publish([patient('a'), { topic: 'fhir.Observation.create', resourceId: 'o' }, { topic: 'access.Patient', resourceId: 'a' }]);
    await first.waitForIdle(20_000);
    await first.stop();
    await first.publish([patient('b')]);
    const second = make();
    await second.start();
    stops.push(() => second.stop());
    await second.waitForIdle(20_000);
    expect(seen).toEqual(['fhir.Patient.create:a', 'access.Patient:a', 'fhir.Patient.create:b']);
  }, 30_000);
});
