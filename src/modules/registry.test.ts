// Module registry with real modules: migrations, event handlers with their own offsets, crash replay, routes, errors.
import Fastify from 'fastify';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../test/test-db.ts';
import { migrate } from '../db/index.ts';
import { FlauraError } from '../errors.ts';
import { eventMigrations, OutboxEventLog, type FlauraEvent } from '../events/index.ts';
import type { FhirStore } from '../fhir/store/types.ts';
import { moduleConsumerName, registerModuleRoutes, startModules, stopModules, validateModules } from './registry.ts';
import type { Module, ModuleContext } from './types.ts';

let t: TestDb;
const running: OutboxEventLog[] = [];

beforeEach(async () => {
  t = await createTestDb();
  await migrate(t.db, eventMigrations);
});
afterEach(async () => {
  for (const log of running.splice(0)) await log.stop({ drain: false });
  await t.drop();
});

// These modules never touch the resource store; any use of it is a test bug and fails loudly.
const noStore = new Proxy({} as FhirStore, {
  get: () => () => Promise.reject(new FlauraError('TEST_NO_STORE', 500, 'the resource store is not part of this test')),
});

function context(): ModuleContext {
  const events = new OutboxEventLog(t.db, { pollIntervalMs: 50, backoffMs: 1 });
  running.push(events);
  return { db: t.db, store: noStore, events, config: {}, log: pino({ level: 'silent' }), auth: { authenticate: () => Promise.reject(new FlauraError('UNAUTHORIZED', 401, 'no tokens in this test')) }, access: { decide: () => Promise.resolve({ allowed: false, reason: 'no access policy in this test' }) }, audit: { record: () => undefined } };
}

/** A real module: records each Patient creation it sees in its own table (idempotent by seq) and in `deliveries`. */
function patientCounter(deliveries: FlauraEvent[], beforeDone: (e: FlauraEvent) => Promise<void> = async () => undefined): Module {
  return {
    name: 'patient-counter',
    migrations: [{ id: 'patient-counter/001', sql: 'CREATE TABLE patient_counter_seen (seq bigint PRIMARY KEY, patient_id text NOT NULL)' }],
    onEvent: {
      'fhir.Patient.create': async (e) => {
        deliveries.push(e);
        await beforeDone(e);
        await t.db.query('INSERT INTO patient_counter_seen (seq, patient_id) VALUES ($1, $2) ON CONFLICT (seq) DO NOTHING', [e.seq, e.resourceId]);
      },
    },
  };
}

const created = (id: string) => ({ topic: 'fhir.Patient.create', resourceType: 'Patient', resourceId: id, versionId: '1', action: 'create' });

describe('startModules', () => {
  it('applies module migrations and delivers only the subscribed topic to its own consumer', async () => {
    const deliveries: FlauraEvent[] = [];
    const ctx = context();
    await startModules([patientCounter(deliveries)], ctx);
    await ctx.events.start();
    await ctx.events.publish([created('a'), { topic: 'fhir.Patient.update', resourceType: 'Patient', resourceId: 'a' }, created('b')]);
    await ctx.events.waitForIdle();
    expect(deliveries.map((e) => e.resourceId)).toEqual(['a', 'b']);
    const { rows } = await t.db.query<{ consumer: string }>('SELECT consumer FROM flaura_event_offset');
    expect(rows.map((r) => r.consumer)).toEqual([moduleConsumerName('patient-counter', 'fhir.Patient.create')]);
    expect(rows[0]!.consumer).toBe('module:patient-counter:fhir.Patient.create');
    await stopModules(ctx);
  });

  it('a crash after handling but before the offset commit replays on restart and loses nothing', async () => {
    const deliveries: FlauraEvent[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = context();
    await startModules([patientCounter(deliveries, async (e) => (e.resourceId === 'c' ? gate : undefined))], first);
    await first.events.start();
    await first.events.publish(['a', 'b', 'c'].map(created));
    await expect.poll(() => deliveries.length).toBe(3);
    await first.events.stop({ drain: false }); // the "crash": c is being handled, its offset never committed
    release();
    await first.events.publish([created('d')]); // written while no consumer runs

    const second = context();
    await startModules([patientCounter(deliveries)], second);
    await second.events.start();
    await second.events.waitForIdle();
    await stopModules(second);
    expect(deliveries.map((e) => e.resourceId)).toEqual(['a', 'b', 'c', 'c', 'd']);
    const { rows } = await t.db.query<{ patient_id: string }>('SELECT patient_id FROM patient_counter_seen ORDER BY seq');
    expect(rows.map((r) => r.patient_id)).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('validateModules', () => {
  const base = (name: string, extra: Partial<Module> = {}): Module => ({ name, ...extra });
  const importer = (id: string) => ({ id, description: 'x', accepts: () => true, run: async () => ({ created: 0, updated: 0, skipped: 0, issues: [] }) });
  const cds = (id: string) => ({ id, hook: 'patient-view', description: 'x', handler: async () => ({ cards: [] }) });

  it.each([
    [[base('Bad Name')], /Invalid module name 'Bad Name'/],
    [[base('pgx'), base('pgx')], /Module 'pgx' is listed twice/],
    [[base('a', { cdsServices: [cds('dup')] }), base('b', { cdsServices: [cds('dup')] })], /CDS service 'dup' of module 'b' is already declared by module 'a'/],
    [[base('a', { importers: [importer('x'), importer('x')] })], /Importer 'x' of module 'a'/],
    [[base('a', { migrations: [{ id: 'm', sql: 'SELECT 1' }] }), base('b', { migrations: [{ id: 'm', sql: 'SELECT 1' }] })], /Migration 'm'/],
    [[base('a', { onEvent: { 'fhir.>.x': () => undefined } })], /Module 'a': Invalid topic pattern/],
  ])('rejects %#', (modules, message) => {
    expect(() => validateModules(modules)).toThrow(message);
    expect(() => validateModules(modules)).toThrow(FlauraError);
  });

  it('accepts distinct, well-formed modules', () => {
    expect(() => validateModules([base('pgx', { cdsServices: [cds('pgx-order')] }), base('wearables', { importers: [importer('apple')] })])).not.toThrow();
  });
});

describe('registerModuleRoutes', () => {
  it('mounts each module under /<name> as an encapsulated plugin', async () => {
    const app = Fastify();
    const ctx = context();
    const hello: Module = {
      name: 'hello',
      routes: (scope) => {
        scope.decorate('only', 'hello');
        scope.get('/ping', async () => ({ module: 'hello' }));
      },
    };
    await registerModuleRoutes(app, [hello, { name: 'quiet' }], ctx);
    const res = await app.inject({ method: 'GET', url: '/hello/ping' });
    expect(res.json()).toEqual({ module: 'hello' });
    expect((await app.inject({ method: 'GET', url: '/ping' })).statusCode).toBe(404);
    expect(app.hasDecorator('only')).toBe(false);
    await app.close();
  });
});
