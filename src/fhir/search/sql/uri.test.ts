// Uri conditions: exact, :below (path prefix) and :above (stored value is a prefix of the searched one).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../../test/test-db.ts';
import type { Modifier } from '../types.ts';
import { matchingLabels } from './test-support.ts';
import { uriCondition } from './uri.ts';

const rows = [['root', 'http://acme.org/fhir'], ['vs', 'http://acme.org/fhir/ValueSet/a'], ['other', 'http://other.org/x_y']];

describe('uriCondition', () => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(); });
  afterAll(async () => t.drop());
  const run = (uri: string, modifier?: Modifier) => matchingLabels(t.db, ['value text'], rows, (a, sql) => uriCondition(`${a}.value`, { kind: 'uri', uri }, modifier, sql));

  it('matches exactly by default', async () => {
    expect(await run('http://acme.org/fhir')).toEqual(['root']);
  });
  it(':below and :above', async () => {
    expect(await run('http://acme.org/fhir', 'below')).toEqual(['root', 'vs']);
    expect(await run('http://acme.org/fhir/ValueSet/a/extra', 'above')).toEqual(['root', 'vs']);
    expect(await run('http://other.org/x%', 'below')).toEqual([]);
  });
});
