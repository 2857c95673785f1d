// Number conditions: significant-digit ranges for eq/ne, exact comparisons for the ordering prefixes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../../test/test-db.ts';
import type { Prefix } from '../types.ts';
import { decimalDelta } from '../values.ts';
import { numberCondition } from './number.ts';
import { matchingLabels } from './test-support.ts';

const rows = [['n99', '99.4', '99.4'], ['n100', '100', '100'], ['n100_4', '100.4', '100.4'], ['range', '200', null]];

describe('numberCondition', () => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(); });
  afterAll(async () => t.drop());
  const run = (prefix: Prefix, value: string) => matchingLabels(t.db, ['low numeric', 'high numeric'], rows, (a, sql) => numberCondition({ low: `${a}.low`, high: `${a}.high` }, { kind: 'number', prefix, value, delta: decimalDelta(value) }, sql));

  it.each([
    ['eq', '100', ['n100', 'n100_4']],
    ['eq', '100.0', ['n100']],
    ['ne', '100', ['n99', 'range']],
    ['gt', '100', ['n100_4', 'range']],
    ['ge', '100', ['n100', 'n100_4', 'range']],
    ['lt', '100', ['n99']],
    ['le', '100', ['n100', 'n99']],
    ['sa', '100', ['n100_4', 'range']],
    ['eb', '100', ['n99']],
    ['ap', '100', ['n100', 'n100_4', 'n99']],
  ] as [Prefix, string, string[]][])('%s%s', async (prefix, value, expected) => {
    expect(await run(prefix, value)).toEqual(expected);
  });
});
