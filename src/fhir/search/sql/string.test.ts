// String conditions: normalized prefix (default), :contains, :exact, LIKE wildcards escaped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../../test/test-db.ts';
import type { Modifier } from '../types.ts';
import { stringCondition } from './string.ts';
import { matchingLabels } from './test-support.ts';

const rows = [['muller', 'muller', 'Müller'], ['mullerson', 'mullerson', 'Mullerson'], ['pct', '100% sure', '100% Sure']];

describe('stringCondition', () => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(); });
  afterAll(async () => t.drop());
  const run = (text: string, modifier?: Modifier) => matchingLabels(t.db, ['norm text', 'exact text'], rows, (a, sql) => stringCondition({ norm: `${a}.norm`, exact: `${a}.exact` }, { kind: 'string', text }, modifier, sql));

  it('matches accent- and case-insensitive prefixes by default', async () => {
    expect(await run('MÜLL')).toEqual(['muller', 'mullerson']);
  });
  it(':exact compares the original text; :contains any substring', async () => {
    expect(await run('Müller', 'exact')).toEqual(['muller']);
    expect(await run('muller', 'exact')).toEqual([]);
    expect(await run('lers', 'contains')).toEqual(['mullerson']);
  });
  it('treats % and _ in the value literally', async () => {
    expect(await run('100%')).toEqual(['pct']);
    expect(await run('%')).toEqual([]);
    expect(await run('m_ll')).toEqual([]);
  });
});
