// Query parameters -> SearchRequest (https://hl7.org/fhir/R4/search.html), with 400 FlauraErrors for bad input.
import { FlauraError } from '../../errors.ts';
import { splitUnescaped, unescapeValue } from './escape.ts';
import { getSearchParameters, isResourceType, searchableResourceTypes } from './registry.ts';
import type {
  CompositeValue, DateValue, ReferenceParamDef, IncludeRule, Modifier, NumberValue, ParamType, Prefix, QuantityValue, ReferenceValue, SearchFilter, SearchParamDef,
  SearchRequest, SearchValue, SortRule, SummaryMode, TokenValue, TotalMode,
} from './types.ts';
import { dateRange, decimalDelta, isDecimal } from './values.ts';
import { parseReferenceString } from './extract.ts';

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 1000;

const PREFIXES = new Set<Prefix>(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);
const SUMMARY = new Set<SummaryMode>(['true', 'text', 'data', 'count', 'false']);
const TOTAL = new Set<TotalMode>(['none', 'estimate', 'accurate']);
/** Modifiers allowed per parameter type (https://hl7.org/fhir/R4/search.html#modifiers); `missing` is universal. */
const MODIFIERS: Record<ParamType, readonly Modifier[]> = {
  token: ['not', 'text', 'of-type'],
  string: ['exact', 'contains'],
  uri: ['above', 'below'],
  reference: ['identifier'],
  date: [], number: [], quantity: [], composite: [],
};
/** Resource-level parameters, the only ones a system-wide search may use. */
const SYSTEM_PARAMS = new Set(['_id', '_lastUpdated', '_tag', '_profile', '_security', '_source']);

const unknownParam = (name: string, why: string) => new FlauraError('SEARCH_UNKNOWN_PARAM', 400, `Unknown search parameter '${name}': ${why}`, { expression: [name] });
const invalid = (name: string, why: string) => new FlauraError('SEARCH_INVALID_VALUE', 400, `Invalid value for search parameter '${name}': ${why}`, { expression: [name] });

/** Parameter definitions usable for a type, or for a system-wide search (Resource-level ones, from Patient's copy). */
function paramsFor(resourceType: string | undefined): ReadonlyMap<string, SearchParamDef> {
  if (resourceType) return getSearchParameters(resourceType);
  return new Map([...getSearchParameters('Patient')].filter(([code]) => SYSTEM_PARAMS.has(code)));
}

function splitPrefix(raw: string, allowed: boolean): { prefix: Prefix; rest: string } {
  const p = raw.slice(0, 2) as Prefix;
  if (allowed && PREFIXES.has(p) && raw.length > 2 && !/^[a-z]{3}/.test(raw)) return { prefix: p, rest: raw.slice(2) };
  return { prefix: 'eq', rest: raw };
}

function parseToken(name: string, raw: string, modifier: Modifier | undefined): SearchValue {
  if (modifier === 'text') return { kind: 'string', text: unescapeValue(raw) };
  const parts = splitUnescaped(raw, '|').map(unescapeValue);
  if (modifier === 'of-type') {
    if (parts.length !== 3 || !parts[2]) throw invalid(name, ':of-type needs type-system|type-code|value');
    return { kind: 'token', typeSystem: parts[0], typeCode: parts[1], code: parts[2] };
  }
  if (parts.length === 1) return { kind: 'token', code: parts[0] };
  if (parts.length !== 2) throw invalid(name, `'${raw}' has more than one '|'`);
  const [system, code] = parts as [string, string];
  if (!system && !code) throw invalid(name, "'|' alone matches nothing");
  const value: TokenValue = { kind: 'token', system };
  if (code) value.code = code;
  return value;
}

function parseDate(name: string, raw: string): DateValue {
  const { prefix, rest } = splitPrefix(raw, true);
  const range = dateRange(rest);
  if (!range) throw invalid(name, `'${raw}' is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or dateTime)`);
  return { kind: 'date', prefix, raw: rest, ...range };
}

function parseNumber(name: string, raw: string): NumberValue {
  const { prefix, rest } = splitPrefix(raw, true);
  if (!isDecimal(rest)) throw invalid(name, `'${raw}' is not a number`);
  return { kind: 'number', prefix, value: rest, delta: decimalDelta(rest) };
}

function parseQuantity(name: string, raw: string): QuantityValue {
  const parts = splitUnescaped(raw, '|').map(unescapeValue);
  if (parts.length !== 1 && parts.length !== 3) throw invalid(name, `'${raw}' must be number or number|system|code`);
  const n = parseNumber(name, parts[0] ?? '');
  const value: QuantityValue = { ...n, kind: 'quantity' };
  if (parts[1]) value.system = parts[1];
  if (parts[2]) value.code = parts[2];
  return value;
}

function parseReference(name: string, raw: string, def: ReferenceParamDef, modifier: Modifier | undefined, typeModifier: string | undefined): ReferenceValue {
  const text = unescapeValue(raw);
  if (modifier === 'identifier') {
    const parts = splitUnescaped(raw, '|').map(unescapeValue);
    if (parts.length > 2 || !parts.at(-1)) throw invalid(name, ':identifier needs [system|]value');
    return parts.length === 2 ? { kind: 'reference', identifierSystem: parts[0]!, identifierValue: parts[1]! } : { kind: 'reference', identifierValue: parts[0]! };
  }
  const ref = parseReferenceString(text);
  if (ref.targetType && ref.targetId) {
    if (!isResourceType(ref.targetType)) throw invalid(name, `'${ref.targetType}' is not a resource type`);
    if (typeModifier && typeModifier !== ref.targetType) throw invalid(name, `'${text}' is not a ${typeModifier}`);
    checkTarget(name, def, ref.targetType);
    return { kind: 'reference', type: ref.targetType, id: ref.targetId, ...(ref.version ? { version: ref.version } : {}) };
  }
  if (/^[A-Za-z0-9\-.]{1,64}$/.test(text)) return { kind: 'reference', id: text, ...(typeModifier ? { type: typeModifier } : {}) };
  if (/^[a-z][a-z0-9+.-]*:/i.test(text)) return { kind: 'reference', url: ref.url ?? text, ...(ref.version ? { version: ref.version } : {}) };
  throw invalid(name, `'${text}' is not a reference (Type/id, id or absolute URL)`);
}

function checkTarget(name: string, def: ReferenceParamDef, type: string): void {
  if (def.targets.length > 0 && !def.targets.includes(type) && !def.targets.includes('Resource')) {
    throw invalid(name, `${def.code} cannot point to ${type} (allowed: ${def.targets.join(', ')})`);
  }
}

function parseValue(name: string, def: SearchParamDef, raw: string, modifier: Modifier | undefined, typeModifier: string | undefined): SearchValue {
  switch (def.type) {
    case 'token': return parseToken(name, raw, modifier);
    case 'string': return { kind: 'string', text: unescapeValue(raw) };
    case 'date': return parseDate(name, raw);
    case 'number': return parseNumber(name, raw);
    case 'quantity': return parseQuantity(name, raw);
    case 'uri': return { kind: 'uri', uri: unescapeValue(raw) };
    case 'reference': return parseReference(name, raw, def as ReferenceParamDef, modifier, typeModifier);
    case 'composite': {
      if (def.storage !== 'index') throw unknownParam(name, 'not supported');
      const parts = splitUnescaped(raw, '$');
      if (parts.length !== 2) throw invalid(name, `composite value '${raw}' must be two parts joined by '$'`);
      const first = parseToken(name, parts[0]!, undefined) as TokenValue;
      const secondDef = { ...def, type: def.components[1].type } as SearchParamDef;
      const second = parseValue(name, secondDef, parts[1]!, undefined, undefined) as CompositeValue['second'];
      return { kind: 'composite', first, second };
    }
    case 'special': throw unknownParam(name, 'not supported');
  }
}

/** The first parameter code of a (possibly chained) name: `name:exact` -> `name`, `organization.name` -> `organization`. */
const headCode = (name: string): string => name.split('.')[0]!.split(':')[0]!;

/** Parses one search parameter (name with modifiers/chain, raw value) against a resource type. */
function parseFilter(resourceType: string | undefined, name: string, raw: string): SearchFilter {
  const params = paramsFor(resourceType);
  if (name.startsWith('_has:')) {
    const [, hasType, refParam, ...rest] = name.split(':');
    if (!resourceType) throw unknownParam(name, '_has needs a resource type');
    if (!hasType || !isResourceType(hasType)) throw invalid(name, `'${hasType ?? ''}' is not a resource type`);
    const ref = getSearchParameters(hasType).get(refParam ?? '');
    if (!ref || ref.type !== 'reference' || ref.storage !== 'index') throw unknownParam(name, `${hasType} has no reference parameter '${refParam ?? ''}'`);
    checkTarget(name, ref, resourceType);
    if (rest.length === 0) throw unknownParam(name, '_has needs a parameter after the reference');
    return { kind: 'has', resourceType: hasType, referenceParam: ref.code, filter: parseFilter(hasType, rest.join(':'), raw) };
  }
  if (name === '_list') {
    if (!resourceType) throw unknownParam(name, '_list needs a resource type');
    const ids = splitUnescaped(raw, ',').map(unescapeValue);
    if (ids.some((id) => !/^[A-Za-z0-9\-.]{1,64}$/.test(id))) throw invalid(name, 'List ids only');
    return { kind: 'list', listIds: ids };
  }
  const dot = name.indexOf('.');
  if (dot > 0) {
    const [code, typeModifier] = name.slice(0, dot).split(':') as [string, string | undefined];
    const tail = name.slice(dot + 1);
    const def = params.get(code);
    if (!def || def.type !== 'reference' || def.storage !== 'index') throw unknownParam(name, `'${code}' is not a reference parameter of ${resourceType ?? 'Resource'}, so it cannot be chained`);
    const next = headCode(tail);
    let targetType = typeModifier;
    if (targetType) {
      if (!isResourceType(targetType)) throw invalid(name, `'${targetType}' is not a resource type`);
      checkTarget(name, def, targetType);
    } else {
      const candidates = (def.targets.includes('Resource') || def.targets.length === 0 ? searchableResourceTypes() : def.targets).filter((t) => next === '_has' || getSearchParameters(t).has(next));
      if (candidates.length === 0) throw unknownParam(name, `no target of ${code} has a parameter '${next}'`);
      if (candidates.length > 1) throw invalid(name, `chain through ${code} is ambiguous (${candidates.join(', ')} all have '${next}'); name the type as ${code}:Type.${tail}`);
      targetType = candidates[0]!;
    }
    return { kind: 'chain', code, targetType, filter: parseFilter(targetType, tail, raw) };
  }
  const colon = name.indexOf(':');
  const code = colon < 0 ? name : name.slice(0, colon);
  const modText = colon < 0 ? undefined : name.slice(colon + 1);
  const def = params.get(code);
  if (!def) throw unknownParam(name, `${resourceType ?? 'a system-wide search'} has no parameter '${code}'`);
  if (def.storage === 'unsupported') throw unknownParam(name, def.reason);
  const paramType = def.type as ParamType;
  if (modText === 'missing') {
    if (raw !== 'true' && raw !== 'false') throw invalid(name, ':missing takes true or false');
    return { kind: 'missing', code, paramType, missing: raw === 'true' };
  }
  let modifier: Modifier | undefined;
  let typeModifier: string | undefined;
  if (modText !== undefined) {
    if (paramType === 'reference' && isResourceType(modText)) {
      typeModifier = modText;
      checkTarget(name, def as ReferenceParamDef, modText);
    } else if ((MODIFIERS[paramType] as readonly string[]).includes(modText) && !(def.storage === 'column' && modText !== 'not')) {
      modifier = modText as Modifier;
    } else throw unknownParam(name, `modifier ':${modText}' is not supported on ${paramType} parameter ${code}`);
  }
  const values = splitUnescaped(raw, ',').filter((v) => v !== '').map((v) => parseValue(name, def, v, modifier, typeModifier));
  if (values.length === 0) throw invalid(name, 'empty value');
  return { kind: 'value', code, paramType, ...(modifier ? { modifier } : {}), ...(typeModifier ? { targetType: typeModifier } : {}), values };
}

function parseInclude(name: string, raw: string, reverse: boolean, resourceType: string | undefined): IncludeRule {
  const modifier = name.split(':')[1];
  if (modifier !== undefined && modifier !== 'iterate' && modifier !== 'recurse') throw unknownParam(name, `modifier ':${modifier}' is not :iterate`);
  const iterate = modifier !== undefined;
  if (raw === '*') {
    if (reverse) return { reverse, iterate, sourceType: '*', code: '*' };
    if (!resourceType) throw invalid(name, `${name}=* needs a resource type`);
    return { reverse, iterate, sourceType: resourceType, code: '*' };
  }
  const [sourceType, code, targetType] = raw.split(':');
  if (!sourceType || !isResourceType(sourceType)) throw invalid(name, `'${raw}' must be SourceType:param[:TargetType]`);
  if (code !== '*') {
    const def = getSearchParameters(sourceType).get(code ?? '');
    if (!def || def.type !== 'reference' || def.storage !== 'index') throw invalid(name, `${sourceType} has no reference parameter '${code ?? ''}'`);
    if (targetType) checkTarget(name, def, targetType);
  }
  if (targetType && !isResourceType(targetType)) throw invalid(name, `'${targetType}' is not a resource type`);
  return { reverse, iterate, sourceType, code: code ?? '*', ...(targetType ? { targetType } : {}) };
}

function parseSort(raw: string, resourceType: string | undefined): SortRule[] {
  const params = paramsFor(resourceType);
  return raw.split(',').filter((s) => s !== '').map((key) => {
    const descending = key.startsWith('-');
    const code = descending ? key.slice(1) : key;
    const def = params.get(code);
    if (!def || def.storage === 'unsupported' || def.type === 'composite') throw invalid('_sort', `cannot sort on '${code}'`);
    return { code, descending };
  });
}

function parseNonNegativeInt(name: string, raw: string): number {
  if (!/^\d{1,9}$/.test(raw)) throw invalid(name, `'${raw}' is not a non-negative integer`);
  return Number(raw);
}

/**
 * Parses search parameters into a SearchRequest. Unknown or malformed parameters throw a 400 FlauraError
 * (`SEARCH_UNKNOWN_PARAM`, `SEARCH_INVALID_VALUE`) naming the parameter; with `lenient` they are skipped and listed
 * in `ignored` (https://hl7.org/fhir/R4/search.html#errors, Prefer: handling=lenient).
 */
export function parseSearchRequest(resourceType: string | undefined, params: URLSearchParams | readonly [string, string][], options?: { lenient?: boolean }): SearchRequest {
  if (resourceType !== undefined && !isResourceType(resourceType)) throw new FlauraError('NOT_FOUND', 404, `Unknown resource type '${resourceType}'`);
  const request: SearchRequest = { filters: [], sort: [], count: DEFAULT_COUNT, include: [], revinclude: [], ignored: [], ...(resourceType ? { resourceType } : {}) };
  const pairs = params instanceof URLSearchParams ? [...params.entries()] : params;
  for (const [name, raw] of pairs) {
    try {
      applyParam(request, resourceType, name, raw);
    } catch (err) {
      if (!options?.lenient || !(err instanceof FlauraError)) throw err;
      request.ignored.push({ name, reason: err.message });
    }
  }
  return request;
}

function applyParam(request: SearchRequest, resourceType: string | undefined, name: string, raw: string): void {
  // PostgreSQL text cannot hold NUL; reject it here rather than fail in the database.
  if (raw.includes('\u0000') || name.includes('\u0000')) throw invalid(name.split('\u0000').join(''), 'contains a NUL character');
  switch (name) {
    case '_count': request.count = Math.min(parseNonNegativeInt(name, raw), MAX_COUNT); return;
    case '_offset': request.offset = parseNonNegativeInt(name, raw); return;
    case '_cursor': if (!/^[A-Za-z0-9_-]{1,4000}$/.test(raw)) throw invalid(name, 'malformed cursor'); request.cursor = raw; return;
    case '_sort': request.sort.push(...parseSort(raw, resourceType)); return;
    case '_total': if (!TOTAL.has(raw as TotalMode)) throw invalid(name, 'use none, estimate or accurate'); request.total = raw as TotalMode; return;
    case '_summary': if (!SUMMARY.has(raw as SummaryMode)) throw invalid(name, 'use true, text, data, count or false'); request.summary = raw as SummaryMode; return;
    case '_elements': request.elements = raw.split(',').map((e) => e.trim()).filter((e) => e !== ''); if (request.elements.some((e) => !/^[A-Za-z][A-Za-z0-9]*$/.test(e))) throw invalid(name, 'element names only'); return;
    case '_format': case '_pretty': return;
  }
  if (name === '_include' || name.startsWith('_include:')) { request.include.push(parseInclude(name, raw, false, resourceType)); return; }
  if (name === '_revinclude' || name.startsWith('_revinclude:')) { request.revinclude.push(parseInclude(name, raw, true, resourceType)); return; }
  if (raw === '') return; // An empty parameter is ignored (R4 search.html §3.1.1.6).
  request.filters.push(parseFilter(resourceType, name, raw));
}
