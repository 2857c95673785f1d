// Parsing search parameters: typed values, chains, _has, result parameters and every 400 error.
import { describe, expect, it } from 'vitest';
import { FlauraError } from '../../errors.ts';
import { formatSearchUrl } from './format.ts';
import { parseSearchRequest } from './parse.ts';

const parse = (type: string | undefined, query: string, lenient = false) => parseSearchRequest(type, new URLSearchParams(query), { lenient });

function error(type: string | undefined, query: string): FlauraError {
  try {
    parse(type, query);
  } catch (err) {
    if (err instanceof FlauraError) return err;
    throw err;
  }
  throw new Error(`no error for ${query}`);
}

describe('parseSearchRequest', () => {
  it('parses typed values with prefixes, escapes, modifiers and OR lists', () => {
    const r = parse('Observation', 'code=http://loinc.org|1\\,2,|x&date=ge2024-01&value-quantity=lt5.4|http://unitsofmeasure.org|mg&subject:Patient=p1');
    expect(r.filters).toEqual([
      { kind: 'value', code: 'code', paramType: 'token', values: [{ kind: 'token', system: 'http://loinc.org', code: '1,2' }, { kind: 'token', system: '', code: 'x' }] },
      { kind: 'value', code: 'date', paramType: 'date', values: [{ kind: 'date', prefix: 'ge', raw: '2024-01', low: '2024-01-01T00:00:00.000Z', high: '2024-01-31T23:59:59.999Z' }] },
      { kind: 'value', code: 'value-quantity', paramType: 'quantity', values: [{ kind: 'quantity', prefix: 'lt', value: '5.4', delta: '5e-2', system: 'http://unitsofmeasure.org', code: 'mg' }] },
      { kind: 'value', code: 'subject', paramType: 'reference', targetType: 'Patient', values: [{ kind: 'reference', id: 'p1', type: 'Patient' }] },
    ]);
  });

  it('parses chains, _has, includes, sort and result parameters; formats them back', () => {
    const r = parse('Observation', 'subject:Patient.organization.name=x&_has:Provenance:target:agent=Organization/o1&_include:iterate=Observation:subject:Patient&_revinclude=*&_sort=-date,_id&_count=5000&_total=accurate&_summary=data&_elements=status,code');
    expect(r.filters[0]).toMatchObject({ kind: 'chain', code: 'subject', targetType: 'Patient', filter: { kind: 'chain', code: 'organization', targetType: 'Organization', filter: { kind: 'value', code: 'name' } } });
    expect(r.filters[1]).toMatchObject({ kind: 'has', resourceType: 'Provenance', referenceParam: 'target' });
    expect(r.include).toEqual([{ reverse: false, iterate: true, sourceType: 'Observation', code: 'subject', targetType: 'Patient' }]);
    expect(r.revinclude).toEqual([{ reverse: true, iterate: false, sourceType: '*', code: '*' }]);
    expect(r.sort).toEqual([{ code: 'date', descending: true }, { code: '_id', descending: false }]);
    expect(r).toMatchObject({ count: 1000, total: 'accurate', summary: 'data', elements: ['status', 'code'] });
    expect(parse('Observation', formatSearchUrl(r).split('?')[1]!)).toEqual(r);
  });

  it('infers the chain target type when only one target has the next parameter', () => {
    expect(parse('Observation', 'subject.gender=male').filters[0]).toMatchObject({ kind: 'chain', targetType: 'Patient' });
  });

  it.each([
    ['Patient', 'nosuch=1', 'SEARCH_UNKNOWN_PARAM', 'nosuch'],
    ['Patient', 'name:nosuch=x', 'SEARCH_UNKNOWN_PARAM', 'name:nosuch'],
    ['Patient', 'birthdate:exact=2020', 'SEARCH_UNKNOWN_PARAM', 'birthdate:exact'],
    ['Patient', '_text=x', 'SEARCH_UNKNOWN_PARAM', '_text'],
    ['Patient', 'birthdate=someday', 'SEARCH_INVALID_VALUE', 'birthdate'],
    ['Observation', 'value-quantity=abc', 'SEARCH_INVALID_VALUE', 'value-quantity'],
    ['Observation', 'value-quantity=1|a', 'SEARCH_INVALID_VALUE', 'value-quantity'],
    ['Observation', 'code=a|b|c', 'SEARCH_INVALID_VALUE', 'code'],
    ['Observation', 'code=|', 'SEARCH_INVALID_VALUE', 'code'],
    ['Patient', 'identifier:of-type=a|b', 'SEARCH_INVALID_VALUE', 'identifier:of-type'],
    ['Observation', 'subject=Nope/1', 'SEARCH_INVALID_VALUE', 'subject'],
    ['Observation', 'subject=Medication/1', 'SEARCH_INVALID_VALUE', 'subject'],
    ['Observation', 'subject=a b', 'SEARCH_INVALID_VALUE', 'subject'],
    ['Observation', 'subject.name=x', 'SEARCH_INVALID_VALUE', 'subject.name'],
    ['Observation', 'code.name=x', 'SEARCH_UNKNOWN_PARAM', 'code.name'],
    ['Observation', 'subject:Patient.nosuch=x', 'SEARCH_UNKNOWN_PARAM', 'nosuch'],
    ['Patient', '_has:Nope:x:y=1', 'SEARCH_INVALID_VALUE', '_has:Nope:x:y'],
    ['Patient', '_has:Observation:code:status=final', 'SEARCH_UNKNOWN_PARAM', '_has:Observation:code:status'],
    ['Patient', 'gender:missing=maybe', 'SEARCH_INVALID_VALUE', 'gender:missing'],
    ['Patient', '_count=-1', 'SEARCH_INVALID_VALUE', '_count'],
    ['Patient', '_offset=x', 'SEARCH_INVALID_VALUE', '_offset'],
    ['Patient', '_cursor=*', 'SEARCH_INVALID_VALUE', '_cursor'],
    ['Patient', '_sort=nosuch', 'SEARCH_INVALID_VALUE', '_sort'],
    ['Patient', '_total=all', 'SEARCH_INVALID_VALUE', '_total'],
    ['Patient', '_summary=yes', 'SEARCH_INVALID_VALUE', '_summary'],
    ['Patient', '_elements=a.b', 'SEARCH_INVALID_VALUE', '_elements'],
    ['Patient', '_include=Patient', 'SEARCH_INVALID_VALUE', '_include'],
    ['Patient', '_include=Patient:name', 'SEARCH_INVALID_VALUE', '_include'],
    ['Patient', '_include:deep=Patient:organization', 'SEARCH_UNKNOWN_PARAM', '_include:deep'],
    ['Observation', 'code-value-quantity=8867-4', 'SEARCH_INVALID_VALUE', 'code-value-quantity'],
    [undefined, 'name=x', 'SEARCH_UNKNOWN_PARAM', 'name'],
    ['Patient', '_list=a b', 'SEARCH_INVALID_VALUE', '_list'],
    ['Patient', 'family=a%00b', 'SEARCH_INVALID_VALUE', 'family'],
    ['Observation', 'value-quantity=1e99999', 'SEARCH_INVALID_VALUE', 'value-quantity'],
  ])('%s?%s -> %s naming the parameter', (type, query, code, expression) => {
    const err = error(type, query);
    expect(err.code).toBe(code);
    expect(err.status).toBe(400);
    expect(err.issues[0]?.expression).toEqual([expression]);
    expect(err.message).toContain(expression.split(':')[0]!.split('.')[0]!);
  });

  it('rejects an unknown resource type with 404', () => {
    expect(error('Nope', '')).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('lenient mode keeps the good parameters and lists the bad ones', () => {
    const r = parse('Patient', 'nosuch=1&gender=male&birthdate=bad', true);
    expect(r.filters).toHaveLength(1);
    expect(r.ignored.map((i) => i.name)).toEqual(['nosuch', 'birthdate']);
  });

  it('ignores empty values and accepts pairs as well as URLSearchParams', () => {
    expect(parseSearchRequest('Patient', [['gender', ''], ['family', 'x']]).filters).toHaveLength(1);
  });
});
