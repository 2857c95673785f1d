// Composite conditions: the token and the second component must match on the same row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../../test/test-db.ts';
import type { CompositeValue } from '../types.ts';
import { compositeCondition } from './composite.ts';
import { matchingLabels } from './test-support.ts';

const cols = ['t_system text', 't_code text', 'v_system text', 'v_code text', 'v_text text', 'v_low numeric', 'v_high numeric', 'v_start timestamptz', 'v_end timestamptz'];
const rows = [
  ['hr', 'loinc', '8867-4', null, '/min', '/min', '72', '72', null, null],
  ['bp', 'loinc', '8480-6', null, 'mm[Hg]', 'mm[Hg]', '120', '120', null, null],
  ['concept', 'loinc', 'x', 'snomed', '123', null, null, null, null, null],
];

describe('compositeCondition', () => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(); });
  afterAll(async () => t.drop());
  const run = (v: CompositeValue) => matchingLabels(t.db, cols, rows, (a, sql) => compositeCondition(a, v, sql));

  it('pairs a token with a quantity on one element', async () => {
    expect(await run({ kind: 'composite', first: { kind: 'token', code: '8867-4' }, second: { kind: 'quantity', prefix: 'gt', value: '70', delta: '5e-1' } })).toEqual(['hr']);
    expect(await run({ kind: 'composite', first: { kind: 'token', code: '8867-4' }, second: { kind: 'quantity', prefix: 'gt', value: '100', delta: '5e-1' } })).toEqual([]);
  });
  it('pairs a token with a token', async () => {
    expect(await run({ kind: 'composite', first: { kind: 'token', system: 'loinc', code: 'x' }, second: { kind: 'token', system: 'snomed', code: '123' } })).toEqual(['concept']);
  });
});
