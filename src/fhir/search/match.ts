// In-memory evaluation of a SearchRequest against one resource (subscriptions, consent, CDS prefetch).
// Uses the same index extraction as writes. Unsupported here: chains, _has and _list (they need other resources),
// which throw SEARCH_MATCH_UNSUPPORTED; numbers compare as JavaScript doubles rather than SQL numerics.
import type { Resource } from '@medplum/fhirtypes';
import { FlauraError } from '../../errors.ts';
import { approximateRange } from './sql/date.ts';
import { extractParamEntries, type CompositeEntry, type DateEntry, type QuantityEntry, type ReferenceEntry, type StringEntry, type TokenEntry } from './extract.ts';
import { getSearchParameters } from './registry.ts';
import type { DateValue, Modifier, NumberValue, QuantityValue, ReferenceValue, SearchFilter, SearchRequest, SearchValue, StringValue, TokenValue, UriValue } from './types.ts';
import { toCanonical, UCUM_SYSTEM } from './ucum.ts';
import { dateRange, normalizeString } from './values.ts';

const ms = (iso: string): number => (iso === '-infinity' ? -Infinity : iso === 'infinity' ? Infinity : Date.parse(iso));

function tokenMatches(e: TokenEntry, v: TokenValue | StringValue): boolean {
  if (v.kind === 'string') return e.text !== null && e.text.startsWith(normalizeString(v.text));
  if (v.typeSystem && e.typeSystem !== v.typeSystem) return false;
  if (v.typeCode && e.typeCode !== v.typeCode) return false;
  if (v.code !== undefined && e.code !== v.code) return false;
  if (v.system === '') return e.system === null;
  return v.system === undefined || e.system === v.system;
}

function stringMatches(e: StringEntry, v: StringValue, modifier: Modifier | undefined): boolean {
  if (modifier === 'exact') return e.exact === v.text;
  const needle = normalizeString(v.text);
  return modifier === 'contains' ? e.norm.includes(needle) : e.norm.startsWith(needle);
}

function dateMatches(e: DateEntry, v: DateValue): boolean {
  const [low, high, sl, sh] = [ms(e.low), ms(e.high), ms(v.low), ms(v.high)];
  switch (v.prefix) {
    case 'eq': return low >= sl && high <= sh;
    case 'ne': return !(low >= sl && high <= sh);
    case 'gt': return high > sh;
    case 'sa': return low > sh;
    case 'ge': return high >= sl;
    case 'lt': return low < sl;
    case 'eb': return high < sl;
    case 'le': return low <= sh;
    case 'ap': { const r = approximateRange(v); return low <= ms(r.high) && high >= ms(r.low); }
  }
}

function numberMatches(e: QuantityEntry, v: NumberValue | QuantityValue): boolean {
  const low = e.low === null ? -Infinity : Number(e.low);
  const high = e.high === null ? Infinity : Number(e.high);
  const x = Number(v.value);
  const d = Number(v.delta);
  switch (v.prefix) {
    case 'eq': return e.low !== null && e.high !== null && low >= x - d && high < x + d;
    case 'ne': return !(e.low !== null && e.high !== null && low >= x - d && high < x + d);
    case 'gt': return high > x;
    case 'ge': return high >= x;
    case 'lt': return low < x;
    case 'le': return low <= x;
    case 'sa': return low > x;
    case 'eb': return high < x;
    case 'ap': return low <= x + Math.abs(x) * 0.1 && high >= x - Math.abs(x) * 0.1;
  }
}

function quantityMatches(e: QuantityEntry, v: QuantityValue): boolean {
  const canonical = v.system === UCUM_SYSTEM && v.code ? toCanonical(v.value, v.code, v.delta) : null;
  if (canonical) {
    if (e.canonicalUnit !== canonical.unit) return false;
    return numberMatches({ ...e, low: e.canonicalLow ?? null, high: e.canonicalHigh ?? null }, { ...v, value: canonical.value, delta: canonical.delta ?? v.delta });
  }
  if (!numberMatches(e, v)) return false;
  if (v.system && e.system !== v.system) return false;
  if (v.code) return v.system ? e.code === v.code : e.code === v.code || e.unit === v.code;
  return true;
}

function referenceMatches(e: ReferenceEntry, v: ReferenceValue, typeModifier: string | undefined): boolean {
  if (v.identifierValue !== undefined) return e.identValue === v.identifierValue && (!v.identifierSystem || e.identSystem === v.identifierSystem);
  if (v.url !== undefined) return e.url === v.url && (!v.version || e.version === v.version);
  const type = v.type ?? typeModifier;
  return e.targetId === v.id && (!type || e.targetType === type) && (!v.version || e.version === v.version);
}

function uriMatches(value: string, v: UriValue, modifier: Modifier | undefined): boolean {
  if (modifier === 'below') return value.startsWith(v.uri);
  if (modifier === 'above') return v.uri.startsWith(value);
  return value === v.uri;
}

function compositeMatches(e: CompositeEntry, v: SearchValue): boolean {
  if (v.kind !== 'composite' || !tokenMatches(e.first, v.first)) return false;
  const s = v.second;
  const entry = e.second.entry;
  switch (s.kind) {
    case 'token': return tokenMatches(entry as TokenEntry, s);
    case 'string': return (entry as StringEntry).norm.startsWith(normalizeString(s.text));
    case 'date': return dateMatches(entry as DateEntry, s);
    case 'number': return numberMatches(entry as QuantityEntry, s);
    case 'quantity': return quantityMatches(entry as QuantityEntry, s);
    case 'reference': { const r = entry as ReferenceEntry; return r.targetType === s.type && r.targetId === s.id; }
    case 'uri': return false;
  }
}

const unsupported = (what: string) => new FlauraError('SEARCH_MATCH_UNSUPPORTED', 400, `${what} cannot be evaluated in memory; use a database search`);

function filterMatches(resource: Resource, f: SearchFilter): boolean {
  if (f.kind === 'chain') throw unsupported(`Chained parameter '${f.code}'`);
  if (f.kind === 'has') throw unsupported('_has');
  if (f.kind === 'list') throw unsupported('_list');
  const def = getSearchParameters(resource.resourceType).get(f.code);
  if (!def || def.storage === 'unsupported') return false;
  if (def.storage === 'column') {
    if (f.kind === 'missing') return !f.missing;
    const any = f.values.some((v) => {
      if (def.column === 'id') return (v as TokenValue).code === resource.id;
      const updated = resource.meta?.lastUpdated ? dateRange(resource.meta.lastUpdated) : undefined;
      return updated !== undefined && dateMatches(updated, v as DateValue);
    });
    return f.modifier === 'not' ? !any : any;
  }
  const entries = extractParamEntries(resource, def);
  if (f.kind === 'missing') {
    const count = entries.token.length + entries.string.length + entries.date.length + entries.number.length + entries.quantity.length + entries.reference.length + entries.uri.length + entries.composite.length;
    return f.missing === (count === 0);
  }
  const one = (v: SearchValue): boolean => {
    switch (f.paramType) {
      case 'token': return entries.token.some(({ e }) => tokenMatches(e, v as TokenValue | StringValue));
      case 'string': return entries.string.some(({ e }) => stringMatches(e, v as StringValue, f.modifier));
      case 'date': return entries.date.some(({ e }) => dateMatches(e, v as DateValue));
      case 'number': return entries.number.some(({ e }) => numberMatches(e, v as NumberValue));
      case 'quantity': return entries.quantity.some(({ e }) => quantityMatches(e, v as QuantityValue));
      case 'reference': return entries.reference.some(({ e }) => referenceMatches(e, v as ReferenceValue, f.targetType));
      case 'uri': return entries.uri.some(({ e }) => uriMatches(e.value, v as UriValue, f.modifier));
      case 'composite': return entries.composite.some(({ e }) => compositeMatches(e, v));
    }
  };
  const any = f.values.some(one);
  return f.modifier === 'not' ? !any : any;
}

/**
 * True when `resource` satisfies every filter of `request` (type included). Paging, sorting, includes and
 * summary do not affect matching. Throws SEARCH_MATCH_UNSUPPORTED for chains, `_has` and `_list`.
 */
export function matchesSearchRequest(resource: Resource, request: SearchRequest): boolean {
  if (request.resourceType && resource.resourceType !== request.resourceType) return false;
  return request.filters.every((f) => filterMatches(resource, f));
}
