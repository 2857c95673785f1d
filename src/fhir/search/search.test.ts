// End-to-end search over both databases: index on write, parse, SQL, paging, includes, summary, compartments.
import type { Bundle, Observation, Patient, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDb } from '../../../test/test-db.ts';
import { FlauraError } from '../../errors.ts';
import { deleteSearchIndex, everything, executeSearch, findMatchingIds, formatSearchUrl, matchesSearchRequest, parseSearchRequest, writeSearchIndex, writeSearchIndexBatch } from './index.ts';
import { createSearchTestDb, loadResources } from './test-support.ts';

const BASE = 'http://fhir.test/fhir';
const LOINC = 'http://loinc.org';

const patients: Patient[] = [
  { resourceType: 'Patient', id: 'p1', name: [{ family: 'Müller', given: ['Anna'] }], gender: 'female', birthDate: '1980-05-17', managingOrganization: { reference: 'Organization/o1' }, identifier: [{ system: 'urn:mrn', value: 'M1', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] } }] },
  { resourceType: 'Patient', id: 'p2', name: [{ family: 'Smith', given: ['Bob'] }], gender: 'male', birthDate: '1990-01-01', managingOrganization: { reference: 'Organization/o2' } },
  { resourceType: 'Patient', id: 'p3', name: [{ family: 'Smithson' }], gender: 'male', active: true },
];
const orgs: Resource[] = [
  { resourceType: 'Organization', id: 'o1', name: 'Mercy Hospital', partOf: { reference: 'Organization/o3' } },
  { resourceType: 'Organization', id: 'o2', name: 'Good Clinic' },
  { resourceType: 'Organization', id: 'o3', name: 'Health Network' },
];
const obs = (id: string, patient: string, code: string, value: number, date: string, extra: Partial<Observation> = {}): Observation => ({
  resourceType: 'Observation', id, status: 'final', subject: { reference: `Patient/${patient}` },
  code: { coding: [{ system: LOINC, code, display: code === '8867-4' ? 'Heart rate' : 'Body weight' }], text: 'vital' },
  valueQuantity: { value, unit: code === '8867-4' ? '/min' : 'kg', system: 'http://unitsofmeasure.org', code: code === '8867-4' ? '/min' : 'kg' },
  effectiveDateTime: date, ...extra,
});
const observations: Observation[] = [
  obs('hr1', 'p1', '8867-4', 72, '2024-03-01T10:00:00Z'),
  obs('hr2', 'p1', '8867-4', 90, '2024-03-05T10:00:00Z'),
  obs('hr3', 'p2', '8867-4', 60, '2023-12-31'),
  obs('w1', 'p2', '29463-7', 80.5, '2024-02-10', { status: 'amended' }),
  obs('w2', 'p3', '29463-7', 100, '2024-03'),
];
const extra: Resource[] = [
  { resourceType: 'Provenance', id: 'prov1', target: [{ reference: 'Observation/hr1' }], recorded: '2024-03-01T10:00:00Z', agent: [{ who: { reference: 'Organization/o1' } }] },
  { resourceType: 'List', id: 'list1', status: 'current', mode: 'working', entry: [{ item: { reference: 'Patient/p1' } }, { item: { reference: 'Patient/p3' } }] },
  { resourceType: 'Encounter', id: 'e1', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/p1' } },
  { resourceType: 'Device', id: 'd1', meta: { tag: [{ system: 'urn:tags', code: 'pgx' }], profile: ['http://example.org/StructureDefinition/device-x'], source: 'urn:lab:1' }, identifier: [{ value: 'SN-1' }] },
  { resourceType: 'Group', id: 'g1', type: 'person', actual: true, name: 'Cohort', member: [{ entity: { reference: 'Patient/p1' } }] },
];

describe('FHIR search (database)', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createSearchTestDb();
    await loadResources(t, [...patients, ...orgs, ...observations, ...extra]);
  });
  afterAll(async () => t.drop());

  const search = async (type: string | undefined, query: string, options: { lenient?: boolean; compartment?: { resourceType: 'Patient'; id: string } } = {}): Promise<Bundle> =>
    executeSearch(t.db, parseSearchRequest(type, new URLSearchParams(query), { lenient: options.lenient }), { baseUrl: BASE, ...(options.compartment ? { compartment: options.compartment } : {}) });
  const ids = async (type: string | undefined, query: string): Promise<string[]> =>
    ((await search(type, query)).entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id!).sort();

  it('token: code, system|code, |code, :not, :text, :of-type, _id', async () => {
    expect(await ids('Observation', 'code=8867-4')).toEqual(['hr1', 'hr2', 'hr3']);
    expect(await ids('Observation', `code=${LOINC}|29463-7`)).toEqual(['w1', 'w2']);
    expect(await ids('Observation', 'code=|29463-7')).toEqual([]);
    expect(await ids('Observation', 'status:not=final')).toEqual(['w1']);
    expect(await ids('Observation', 'code:text=heart')).toEqual(['hr1', 'hr2', 'hr3']);
    expect(await ids('Patient', 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|M1')).toEqual(['p1']);
    expect(await ids('Patient', 'identifier=urn:mrn|M1')).toEqual(['p1']);
    expect(await ids('Patient', '_id=p1,p3')).toEqual(['p1', 'p3']);
    expect(await ids('Patient', 'active=true')).toEqual(['p3']);
  });

  it('string: accent-insensitive prefix, :exact, :contains; OR with commas and AND with repeats', async () => {
    expect(await ids('Patient', 'name=muller')).toEqual(['p1']);
    expect(await ids('Patient', 'family=smith')).toEqual(['p2', 'p3']);
    expect(await ids('Patient', 'family:exact=Smith')).toEqual(['p2']);
    expect(await ids('Patient', 'family:contains=ithso')).toEqual(['p3']);
    expect(await ids('Patient', 'family=anna,smithson')).toEqual(['p3']);
    expect(await ids('Patient', 'family=smith&gender=male&given=bob')).toEqual(['p2']);
  });

  it('date: precision ranges and every prefix', async () => {
    expect(await ids('Observation', 'date=2024-03')).toEqual(['hr1', 'hr2', 'w2']);
    expect(await ids('Observation', 'date=2024-03-01')).toEqual(['hr1']);
    expect(await ids('Observation', 'date=ge2024-03-02')).toEqual(['hr2', 'w2']);
    expect(await ids('Observation', 'date=lt2024-01-01')).toEqual(['hr3']);
    expect(await ids('Observation', 'date=gt2024-02-10')).toEqual(['hr1', 'hr2', 'w2']);
    expect(await ids('Observation', 'date=le2024-02-10')).toEqual(['hr3', 'w1']);
    expect(await ids('Observation', 'date=sa2024-02-29')).toEqual(['hr1', 'hr2', 'w2']);
    expect(await ids('Observation', 'date=eb2024-01-01')).toEqual(['hr3']);
    expect(await ids('Observation', 'date=ne2024-03')).toEqual(['hr3', 'w1']);
    expect(await ids('Observation', 'date=ap2024-02-10')).toEqual(['w1']);
    expect(await ids('Observation', 'date=ge2024-02-01&date=lt2024-03-02')).toEqual(['hr1', 'w1', 'w2']);
    expect(await ids('Patient', 'birthdate=1980')).toEqual(['p1']);
  });

  it('quantity and number prefixes with significant digits', async () => {
    expect(await ids('Observation', 'value-quantity=72')).toEqual(['hr1']);
    expect(await ids('Observation', 'value-quantity=80')).toEqual([]);
    expect(await ids('Observation', 'value-quantity=80.5|http://unitsofmeasure.org|kg')).toEqual(['w1']);
    expect(await ids('Observation', 'value-quantity=gt75')).toEqual(['hr2', 'w1', 'w2']);
    expect(await ids('Observation', 'value-quantity=le72||/min')).toEqual(['hr1', 'hr3']);
    expect(await ids('Observation', 'value-quantity=1e2')).toEqual(['hr1', 'hr2', 'hr3', 'w1', 'w2']); // 1e2 = 100 ± 50
    expect(await ids('Observation', 'value-quantity=1.0e2')).toEqual(['w2']);
    expect(await ids('Observation', 'value-quantity=ap100')).toEqual(['hr2', 'w2']);
    expect(await ids('Observation', 'value-quantity=ne72&code=8867-4')).toEqual(['hr2', 'hr3']);
    // Canonical UCUM: 80.5 kg is 80500 g; 100 kg is 0.1 t.
    expect(await ids('Observation', 'value-quantity=80500|http://unitsofmeasure.org|g')).toEqual(['w1']);
    expect(await ids('Observation', 'value-quantity=gt0.09|http://unitsofmeasure.org|t')).toEqual(['w2']);
    expect(await ids('Observation', 'value-quantity=1.2|http://unitsofmeasure.org|/s')).toEqual(['hr1']);
  });

  it('composite code-value-quantity pairs components of one element', async () => {
    expect(await ids('Observation', `code-value-quantity=${LOINC}|8867-4$gt80`)).toEqual(['hr2']);
    expect(await ids('Observation', 'code-value-quantity=29463-7$gt80')).toEqual(['w1', 'w2']);
    expect(await ids('Observation', 'code-value-quantity=8867-4$100')).toEqual([]);
  });

  it('reference: Type/id, id, :[type], :identifier, absolute local URL, :missing; uri :below', async () => {
    expect(await ids('Observation', 'subject=Patient/p1')).toEqual(['hr1', 'hr2']);
    expect(await ids('Observation', 'subject=p2')).toEqual(['hr3', 'w1']);
    expect(await ids('Observation', 'subject:Patient=p3')).toEqual(['w2']);
    expect(await ids('Observation', `subject=${BASE}/Patient/p3`)).toEqual(['w2']);
    expect(await ids('Observation', 'patient=p1')).toEqual(['hr1', 'hr2']);
    expect(await ids('Patient', 'birthdate:missing=true')).toEqual(['p3']);
    expect(await ids('Patient', 'organization:missing=false')).toEqual(['p1', 'p2']);
  });

  it('chains of two levels and through a multi-type reference', async () => {
    expect(await ids('Observation', 'subject:Patient.name=smith')).toEqual(['hr3', 'w1', 'w2']);
    expect(await ids('Observation', 'patient.organization.name=mercy')).toEqual(['hr1', 'hr2']);
    expect(await ids('Observation', 'subject:Patient.organization.partof.name=health')).toEqual(['hr1', 'hr2']);
    expect(await ids('Observation', 'subject.gender=female')).toEqual(['hr1', 'hr2']);
    await expect(search('Observation', 'subject.name=x')).rejects.toMatchObject({ code: 'SEARCH_INVALID_VALUE', status: 400 });
  });

  it('_has (also nested) and _list', async () => {
    expect(await ids('Patient', '_has:Observation:patient:code=29463-7')).toEqual(['p2', 'p3']);
    expect(await ids('Patient', '_has:Observation:subject:_has:Provenance:target:agent=Organization/o1')).toEqual(['p1']);
    expect(await ids('Patient', '_list=list1')).toEqual(['p1', 'p3']);
  });

  it('_include, _revinclude, :iterate and *', async () => {
    const b = await search('Observation', '_id=hr1&_include=Observation:subject&_revinclude=Provenance:target');
    expect(b.entry?.map((e) => `${e.search?.mode}:${e.resource?.id}`)).toEqual(['match:hr1', 'include:p1', 'include:prov1']);
    expect(b.entry?.[1]?.fullUrl).toBe(`${BASE}/Patient/p1`);
    const it2 = await search('Observation', '_id=hr1&_include=Observation:subject&_include:iterate=Patient:organization&_include:iterate=Organization:partof');
    expect(it2.entry?.filter((e) => e.search?.mode === 'include').map((e) => e.resource?.id).sort()).toEqual(['o1', 'o3', 'p1']);
    const star = await search('Patient', '_id=p1&_revinclude=*');
    expect(star.entry?.filter((e) => e.search?.mode === 'include').map((e) => e.resource?.id).sort()).toEqual(['e1', 'g1', 'hr1', 'hr2', 'list1']);
  });

  it('sorts on two keys and pages through every result with stable next/previous links', async () => {
    const sorted = await search('Observation', '_sort=code,-date');
    expect(sorted.entry?.map((e) => e.resource?.id)).toEqual(['w2', 'w1', 'hr2', 'hr1', 'hr3']);
    const seen: string[] = [];
    let url: string | undefined = undefined;
    let page = await search('Observation', '_sort=-value-quantity,_id&_count=2');
    const pages: Bundle[] = [page];
    for (;;) {
      seen.push(...(page.entry ?? []).map((e) => e.resource!.id!));
      url = page.link?.find((l) => l.relation === 'next')?.url;
      if (!url) break;
      page = await search('Observation', new URL(url).search.slice(1));
      pages.push(page);
    }
    expect(seen).toEqual(['w2', 'hr2', 'w1', 'hr1', 'hr3']);
    const prev = pages[2]!.link?.find((l) => l.relation === 'previous')?.url;
    const back = await search('Observation', new URL(prev!).search.slice(1));
    expect(back.entry?.map((e) => e.resource?.id)).toEqual(['w1', 'hr1']);
    expect(pages[0]!.link?.find((l) => l.relation === 'previous')).toBeUndefined();
  });

  it('pages forward and backward through null sort keys without gaps or duplicates', async () => {
    const forward: string[] = [];
    let page = await search('Organization', '_sort=-partof,name&_count=1');
    for (;;) {
      forward.push(...(page.entry ?? []).map((e) => e.resource!.id!));
      const next = page.link?.find((l) => l.relation === 'next')?.url;
      if (!next) break;
      page = await search('Organization', new URL(next).search.slice(1));
    }
    expect(forward).toEqual(['o1', 'o2', 'o3']); // o1 has partof; the others sort last, then by name
    const backward: string[] = [];
    for (;;) {
      backward.unshift(...(page.entry ?? []).map((e) => e.resource!.id!));
      const prev = page.link?.find((l) => l.relation === 'previous')?.url;
      if (!prev) break;
      page = await search('Organization', new URL(prev).search.slice(1));
    }
    expect(backward).toEqual(forward);
  });

  it('_revinclude:iterate follows reverse references of included resources', async () => {
    const b = await search('Patient', '_id=p1&_revinclude=Observation:subject&_revinclude:iterate=Provenance:target');
    expect(b.entry?.filter((e) => e.search?.mode === 'include').map((e) => e.resource?.id).sort()).toEqual(['hr1', 'hr2', 'prov1']);
  });

  it('_total, _summary (count/true/text/data), _elements, _count=0', async () => {
    const accurate = await search('Observation', '_count=1&_total=accurate');
    expect(accurate.total).toBe(5);
    expect(accurate.entry).toHaveLength(1);
    expect((await search('Observation', '_count=1&_total=none')).total).toBeUndefined();
    const estimate = await search('Observation', '_count=1&_total=estimate');
    expect(estimate.total).toBeGreaterThanOrEqual(1);
    expect((await search('Observation', 'code=8867-4')).total).toBe(3); // cheap: one page holds everything
    const count = await search('Observation', 'code=8867-4&_summary=count');
    expect(count.total).toBe(3);
    expect(count.entry).toBeUndefined();
    const summary = (await search('Patient', '_id=p1&_summary=true')).entry?.[0]?.resource as Patient;
    expect(summary.name).toBeDefined();
    expect(summary.meta?.tag?.[0]?.code).toBe('SUBSETTED');
    const el = (await search('Observation', '_id=hr1&_elements=status')).entry?.[0]?.resource as Observation;
    expect(el.status).toBe('final');
    expect(el.valueQuantity).toBeUndefined();
    expect(el.code).toBeDefined(); // mandatory elements stay
    const data = (await search('Observation', '_id=hr1&_summary=data')).entry?.[0]?.resource as Observation;
    expect(data.valueQuantity).toBeDefined();
  });

  it('_lastUpdated compares the stored instant and sorts', async () => {
    expect(await ids('Organization', '_lastUpdated=2024-01-01')).toEqual(['o1', 'o2', 'o3']);
    expect(await ids('Organization', '_lastUpdated=gt2024-01-01')).toEqual([]);
    expect((await search('Organization', '_sort=-_lastUpdated,-_id')).entry?.map((e) => e.resource?.id)).toEqual(['o3', 'o2', 'o1']);
  });

  it('compartment search across all types and $everything since an instant', async () => {
    const b = await search(undefined, '', { compartment: { resourceType: 'Patient', id: 'p2' } });
    expect(b.entry?.map((e) => `${e.resource?.resourceType}/${e.resource?.id}`).sort()).toEqual(['Observation/hr3', 'Observation/w1', 'Patient/p2']);
    expect((await everything(t.db, 'p2', { baseUrl: BASE, since: '2025-01-01' })).entry ?? []).toEqual([]);
    await expect(search('Organization', '', { compartment: { resourceType: 'Patient', id: 'p2' } })).rejects.toMatchObject({ status: 400 });
  });

  it('compartment search and Patient/$everything with paging', async () => {
    const b = await search('Observation', '', { compartment: { resourceType: 'Patient', id: 'p1' } });
    expect(b.entry?.map((e) => e.resource?.id).sort()).toEqual(['hr1', 'hr2']);
    expect(b.link?.[0]?.url).toBe(`${BASE}/Patient/p1/Observation`);
    const all: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await everything(t.db, 'p1', { baseUrl: BASE, count: 2, ...(cursor ? { cursor } : {}) });
      all.push(...(page.entry ?? []).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`));
      const next = page.link?.find((l) => l.relation === 'next')?.url;
      if (!next) break;
      cursor = new URL(next).searchParams.get('_cursor') ?? undefined;
    }
    expect(all.sort()).toEqual(['Encounter/e1', 'Group/g1', 'Observation/hr1', 'Observation/hr2', 'Patient/p1']);
    await expect(everything(t.db, 'nobody', { baseUrl: BASE })).rejects.toMatchObject({ status: 404 });
    await expect(everything(t.db, 'p1', { baseUrl: BASE, count: 0 })).rejects.toMatchObject({ status: 400, code: 'SEARCH_INVALID_VALUE' });
    await expect(everything(t.db, 'p1', { baseUrl: BASE, cursor: 'x' })).rejects.toMatchObject({ status: 400, code: 'SEARCH_INVALID_VALUE' });
    await expect(everything(t.db, 'p1', { baseUrl: BASE, since: 'last week' })).rejects.toMatchObject({ status: 400, code: 'SEARCH_INVALID_VALUE' });
  });

  it('system-wide search, self link round-trip, conditional matching, deleted resources excluded', async () => {
    expect(await ids(undefined, '_id=p1,o1')).toEqual(['o1', 'p1']);
    const request = parseSearchRequest('Observation', new URLSearchParams('code=http://loinc.org|8867-4,x\\,y&date=ge2024&_sort=-date&_count=5'));
    expect(parseSearchRequest('Observation', new URLSearchParams(formatSearchUrl(request).split('?')[1]))).toEqual(request);
    expect((await findMatchingIds(t.db, 'Patient', 'family=smith&gender=male')).map((m) => m.id)).toEqual(['p2', 'p3']);
    const [{ rid }] = (await t.db.query<{ rid: number }>("UPDATE fhir_resource SET deleted = true, content = NULL WHERE id = 'p3' RETURNING rid")).rows as [{ rid: number }];
    await deleteSearchIndex(t.db, rid);
    expect(await ids('Patient', 'gender=male')).toEqual(['p2']);
    expect(await ids('Observation', 'subject:Patient.gender=male')).toEqual(['hr3', 'w1']);
  });

  it('the in-memory matcher agrees with the database on the same parsed requests', async () => {
    const deleted = new Set((await t.db.query<{ id: string }>('SELECT id FROM fhir_resource WHERE deleted')).rows.map((r) => r.id));
    const all = [...patients, ...orgs, ...observations, ...extra].filter((r) => !deleted.has(r.id!));
    let nonEmpty = 0;
    const queries: [string, string][] = [
      ['Observation', 'code=8867-4'], ['Observation', `code=${LOINC}|29463-7`], ['Observation', 'status:not=final'], ['Observation', 'code:text=body'],
      ['Patient', 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|M1'], ['Patient', 'name=muller'], ['Patient', 'family:exact=Smith'],
      ['Patient', 'family:contains=ITH'], ['Observation', 'date=2024-03'], ['Observation', 'date=ge2024-03-02'], ['Observation', 'date=ne2024-03'],
      ['Observation', 'date=ap2024-02-10'], ['Observation', 'value-quantity=gt75'], ['Observation', 'value-quantity=80.5|http://unitsofmeasure.org|kg'],
      ['Observation', 'value-quantity=le72||/min'], ['Observation', 'value-quantity=80500|http://unitsofmeasure.org|g'], ['Observation', `code-value-quantity=${LOINC}|8867-4$gt80`], ['Observation', 'subject=Patient/p1'],
      ['Observation', 'subject:Patient=p2'], ['Patient', 'birthdate:missing=true'], ['Patient', '_id=p1,p2'], ['Patient', 'active=true&gender=male'],
      ['Provenance', 'target=Observation/hr1'],
    ];
    for (const [type, query] of queries) {
      const request = parseSearchRequest(type, new URLSearchParams(query));
      const inMemory = all.filter((r) => matchesSearchRequest(r, request)).map((r) => r.id!).sort();
      expect(inMemory, `${type}?${query}`).toEqual(await ids(type, query));
      if (inMemory.length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(queries.length - 3);
    expect(() => matchesSearchRequest(patients[0]!, parseSearchRequest('Patient', new URLSearchParams('_has:Observation:patient:code=x')))).toThrow(/in memory/);
  });

  it('writeSearchIndex replaces the rows of a resource when it changes', async () => {
    const { rows } = await t.db.query<{ rid: number }>("SELECT rid FROM fhir_resource WHERE id = 'o2'");
    const changed = { resourceType: 'Organization', id: 'o2', name: 'Renamed Clinic' } as Resource;
    await t.db.query("UPDATE fhir_resource SET content = $1 WHERE id = 'o2'", [JSON.stringify(changed)]);
    await writeSearchIndex(t.db, rows[0]!.rid, changed);
    expect(await ids('Organization', 'name=renamed')).toEqual(['o2']);
    expect(await ids('Organization', 'name=good')).toEqual([]);
  });

  it('Resource-level parameters _tag, _profile, _source, and :identifier on references', async () => {
    expect(await ids('Device', '_tag=urn:tags|pgx')).toEqual(['d1']);
    expect(await ids('Device', '_tag:not=urn:tags|pgx')).toEqual([]);
    expect(await ids('Device', '_profile=http://example.org/StructureDefinition/device-x')).toEqual(['d1']);
    expect(await ids('Device', '_source=urn:lab:1')).toEqual(['d1']);
    expect(await ids(undefined, '_tag=pgx')).toEqual(['d1']);
    await loadResources(t, [{ resourceType: 'Observation', id: 'byident', status: 'final', code: { text: 'x' }, subject: { identifier: { system: 'urn:mrn', value: 'M9' } } }]);
    expect(await ids('Observation', 'subject:identifier=urn:mrn|M9')).toEqual(['byident']);
  });

  it('rejects a cursor that does not belong to the search', async () => {
    await expect(search('Observation', '_cursor=abc')).rejects.toMatchObject({ code: 'SEARCH_INVALID_VALUE', status: 400 });
    const forged = Buffer.from(JSON.stringify({ d: 'n', v: ['not a date'], rid: 1 })).toString('base64url');
    await expect(search('Observation', `_sort=date&_cursor=${forged}`)).rejects.toMatchObject({ code: 'SEARCH_INVALID_VALUE', status: 400 });
    const wrongShape = Buffer.from(JSON.stringify({ d: 'n', v: [], rid: 1 })).toString('base64url');
    await expect(search('Observation', `_sort=date&_cursor=${wrongShape}`)).rejects.toMatchObject({ code: 'SEARCH_INVALID_VALUE', status: 400 });
    await expect(search(undefined, '_sort=family')).rejects.toMatchObject({ status: 400 });
  });

  it('answers arbitrary parameter soup with a Bundle or a 4xx FlauraError, never a database error', async () => {
    const names = ['code', 'code:text', 'code:not', 'date', 'value-quantity', 'subject', 'subject:Patient', 'subject.name', 'patient.organization.name', '_has:Observation:patient:code', '_id', '_lastUpdated', '_sort', '_count', '_cursor', '_include', '_revinclude:iterate', '_summary', '_elements', 'code-value-quantity', 'status:missing', 'combo-code-value-quantity', '_tag', '_profile:below', 'identifier:of-type', '_list', 'x'];
    const values = ['', '1', 'ge2024', 'eq', '1e2', 'a|b', '|', '\\,', 'Patient/p1', 'http://x/Patient/1', '$', 'a$b', '8867-4$gt1', 'true', '-date', 'Observation:subject', '*', '2024-02-30', '%', "'; drop table x; --", 'ü', '9'.repeat(30), 'ap-5', 'sa2024-01-01T10:00+05:00'];
    let seed = 42;
    const pick = <T>(list: readonly T[]): T => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return list[seed % list.length]!; };
    let answered = 0;
    for (let i = 0; i < 150; i++) {
      const query = new URLSearchParams(Array.from({ length: 1 + (i % 3) }, () => [pick(names), pick(values)] as [string, string])).toString();
      try {
        const b = await search(i % 2 ? 'Observation' : 'Patient', query);
        expect(b.type).toBe('searchset');
        answered++;
      } catch (err) {
        expect(err, query).toBeInstanceOf(FlauraError);
        expect((err as FlauraError).status, query).toBeLessThan(500);
      }
    }
    expect(answered).toBeGreaterThan(10);
  });

  it('lenient mode reports ignored parameters as an outcome entry', async () => {
    const b = await search('Patient', 'nonsense=1&family=smith', { lenient: true });
    expect(b.entry?.filter((e) => e.search?.mode === 'match').map((e) => e.resource?.id)).toEqual(['p2']);
    const outcome = b.entry?.find((e) => e.search?.mode === 'outcome')?.resource;
    expect(JSON.stringify(outcome)).toContain('nonsense');
  });
});

describe('writeSearchIndexBatch', () => {
  let t: TestDb;
  beforeAll(async () => { t = await createSearchTestDb(); });
  afterAll(async () => t.drop());

  it('indexes only the last version when a batch holds one resource twice', async () => {
    const [rid] = await loadResources(t, [{ resourceType: 'Organization', id: 'x', name: 'First' } as Resource]);
    await t.db.transaction((tx) => writeSearchIndexBatch(tx, [
      { rid: rid!, resource: { resourceType: 'Organization', id: 'x', name: 'Second' } as Resource },
      { rid: rid!, resource: { resourceType: 'Organization', id: 'x', name: 'Third' } as Resource },
    ]));
    const { rows } = await t.db.query<{ exact: string }>("SELECT exact FROM fhir_search_string WHERE rid = $1 AND param = 'Organization.name'", [rid]);
    expect(rows.map((r) => r.exact)).toEqual(['Third']);
  });
});
