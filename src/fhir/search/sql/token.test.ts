// Token conditions: system|code forms, :text and :of-type, values bound as parameters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../../test/test-db.ts';
import { SqlParams } from './params.ts';
import { matchingLabels } from './test-support.ts';
import { tokenCondition } from './token.ts';
import type { StringValue, TokenValue } from '../types.ts';

const cols = ['system text', 'code text', 'text text', 'type_system text', 'type_code text'];
const rows = [
  ['loinc', 'http://loinc.org', '8867-4', 'heart rate', null, null],
  ['bare', null, '8867-4', null, null, null],
  ['mrn', 'urn:mrn', 'M1', null, 'v2', 'MR'],
];

describe('tokenCondition', () => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(); });
  afterAll(async () => t.drop());
  const run = (v: TokenValue | StringValue) => matchingLabels(t.db, cols, rows, (a, sql) => tokenCondition({ system: `${a}.system`, code: `${a}.code`, text: `${a}.text`, typeSystem: `${a}.type_system`, typeCode: `${a}.type_code` }, v, sql));

  it('matches code, system|code, |code and system|', async () => {
    expect(await run({ kind: 'token', code: '8867-4' })).toEqual(['bare', 'loinc']);
    expect(await run({ kind: 'token', system: 'http://loinc.org', code: '8867-4' })).toEqual(['loinc']);
    expect(await run({ kind: 'token', system: '', code: '8867-4' })).toEqual(['bare']);
    expect(await run({ kind: 'token', system: 'urn:mrn' })).toEqual(['mrn']);
  });

  it('matches :text by normalized prefix and :of-type by identifier type', async () => {
    expect(await run({ kind: 'string', text: 'HEART' })).toEqual(['loinc']);
    expect(await run({ kind: 'token', typeSystem: 'v2', typeCode: 'MR', code: 'M1' })).toEqual(['mrn']);
    expect(await run({ kind: 'token', typeSystem: 'v2', typeCode: 'XX', code: 'M1' })).toEqual([]);
  });

  it('binds values instead of inlining them', () => {
    const sql = new SqlParams();
    const text = tokenCondition({ system: 's', code: 'c' }, { kind: 'token', system: "x'; DROP TABLE y; --", code: 'c' }, sql);
    expect(text).not.toContain('DROP');
    expect(sql.values).toContain("x'; DROP TABLE y; --");
  });
});
