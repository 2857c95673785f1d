// Reference conditions: Type/id, id with :[type], versions, absolute and local URLs, :identifier.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../../test/test-db.ts';
import type { ReferenceValue } from '../types.ts';
import { referenceCondition } from './reference.ts';
import { matchingLabels } from './test-support.ts';

const cols = ['target_type text', 'target_id text', 'version text', 'url text', 'ident_system text', 'ident_value text'];
const rows = [
  ['pat', 'Patient', '1', null, null, null, null],
  ['grp', 'Group', '1', '3', null, null, null],
  ['ext', null, null, null, 'http://other/Patient/1', null, null],
  ['ident', 'Patient', null, null, null, 'urn:mrn', 'M1'],
];

describe('referenceCondition', () => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(); });
  afterAll(async () => t.drop());
  const run = (v: ReferenceValue, typeModifier?: string) => matchingLabels(t.db, cols, rows, (a, sql) => referenceCondition({ targetType: `${a}.target_type`, targetId: `${a}.target_id`, version: `${a}.version`, url: `${a}.url`, identSystem: `${a}.ident_system`, identValue: `${a}.ident_value` }, v, typeModifier, sql, 'http://me/fhir'));

  it('matches Type/id, bare id, :[type] and versions', async () => {
    expect(await run({ kind: 'reference', type: 'Patient', id: '1' })).toEqual(['pat']);
    expect(await run({ kind: 'reference', id: '1' })).toEqual(['grp', 'pat']);
    expect(await run({ kind: 'reference', id: '1' }, 'Group')).toEqual(['grp']);
    expect(await run({ kind: 'reference', type: 'Group', id: '1', version: '2' })).toEqual([]);
  });
  it('matches absolute URLs, local base URLs as Type/id, and :identifier', async () => {
    expect(await run({ kind: 'reference', url: 'http://other/Patient/1' })).toEqual(['ext']);
    expect(await run({ kind: 'reference', url: 'http://me/fhir/Patient/1' })).toEqual(['pat']);
    expect(await run({ kind: 'reference', identifierSystem: 'urn:mrn', identifierValue: 'M1' })).toEqual(['ident']);
    expect(await run({ kind: 'reference', identifierValue: 'M2' })).toEqual([]);
  });
});
