// Date conditions: every prefix against resource ranges (search.html#prefix, date semantics).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../../test/test-db.ts';
import type { Prefix } from '../types.ts';
import { dateRange } from '../values.ts';
import { dateCondition } from './date.ts';
import { matchingLabels } from './test-support.ts';

const rows = [
  ['jan15', '2024-01-15T00:00:00Z', '2024-01-15T23:59:59.999Z'],
  ['feb', '2024-02-01T00:00:00Z', '2024-02-29T23:59:59.999Z'],
  ['open', '2024-03-01T00:00:00Z', 'infinity'],
];

describe('dateCondition', () => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(); });
  afterAll(async () => t.drop());
  const run = (prefix: Prefix, raw: string) => matchingLabels(t.db, ['low timestamptz', 'high timestamptz'], rows, (a, sql) => dateCondition({ low: `${a}.low`, high: `${a}.high` }, { kind: 'date', prefix, raw, ...dateRange(raw)! }, sql));

  it.each([
    ['eq', '2024-01', ['jan15']],
    ['eq', '2024-02-10', []],
    ['ne', '2024-01', ['feb', 'open']],
    ['gt', '2024-02-10', ['feb', 'open']],
    ['ge', '2024-02-29', ['feb', 'open']],
    ['lt', '2024-02-10', ['feb', 'jan15']],
    ['le', '2024-01-15', ['jan15']],
    ['sa', '2024-01-31', ['feb', 'open']],
    ['eb', '2024-02-01', ['jan15']],
    ['ap', '2024-01-14', ['jan15']],
    ['eq', '2024', ['feb', 'jan15']],
  ] as [Prefix, string, string[]][])('%s%s', async (prefix, raw, expected) => {
    expect(await run(prefix, raw)).toEqual(expected);
  });
});
