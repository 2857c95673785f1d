// Quantity conditions: number semantics plus system and code (or human unit without a system).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../../test/test-db.ts';
import type { QuantityValue } from '../types.ts';
import { decimalDelta } from '../values.ts';
import { quantityCondition } from './quantity.ts';
import { matchingLabels } from './test-support.ts';

const UCUM = 'http://unitsofmeasure.org';
const rows = [['kg', '80', '80', UCUM, 'kg', 'kg'], ['lb', '80', '80', null, null, 'lb'], ['mg', '5', '5', UCUM, 'mg', 'milligram']];

describe('quantityCondition', () => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(); });
  afterAll(async () => t.drop());
  const q = (value: string, system?: string, code?: string): QuantityValue => ({ kind: 'quantity', prefix: 'eq', value, delta: decimalDelta(value), ...(system ? { system } : {}), ...(code ? { code } : {}) });
  const run = (v: QuantityValue) => matchingLabels(t.db, ['low numeric', 'high numeric', 'system text', 'code text', 'unit text'], rows, (a, sql) => quantityCondition({ low: `${a}.low`, high: `${a}.high`, system: `${a}.system`, code: `${a}.code`, unit: `${a}.unit` }, v, sql));

  it('compares UCUM quantities in base units when the searched unit converts', async () => {
    const canonicalRows = [['kg', '80000', '80000', 'g1'], ['mg', '0.005', '0.005', 'g1'], ['min', '60', '60', 's1']];
    const runCanonical = (v: QuantityValue) => matchingLabels(t.db, ['canonical_low numeric', 'canonical_high numeric', 'canonical_unit text'], canonicalRows, (a, sql) =>
      quantityCondition({ low: 'NULL', high: 'NULL', system: 'NULL', code: 'NULL', unit: 'NULL', canonical: { low: `${a}.canonical_low`, high: `${a}.canonical_high`, unit: `${a}.canonical_unit` } }, v, sql));
    expect(await runCanonical(q('80000', UCUM, 'g'))).toEqual(['kg']);
    expect(await runCanonical(q('5', UCUM, 'mg'))).toEqual(['mg']);
    expect(await runCanonical({ ...q('1', UCUM, 'g'), prefix: 'lt' })).toEqual(['mg']);
    expect(await runCanonical(q('1', UCUM, 'h'))).toEqual([]);
  });

  it('matches value alone, value|system|code, and value||unit', async () => {
    expect(await run(q('80'))).toEqual(['kg', 'lb']);
    expect(await run(q('80', UCUM, 'kg'))).toEqual(['kg']);
    expect(await run(q('80', undefined, 'lb'))).toEqual(['lb']);
    expect(await run({ ...q('1'), prefix: 'gt', code: 'milligram' })).toEqual(['mg']);
  });
});
