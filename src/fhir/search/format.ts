// SearchRequest -> canonical query string, for self/next/previous links (the inverse of parse.ts).
import { escapeValue } from './escape.ts';
import { DEFAULT_COUNT } from './parse.ts';
import type { IncludeRule, SearchFilter, SearchRequest, SearchValue } from './types.ts';

function formatValue(v: SearchValue): string {
  switch (v.kind) {
    case 'token':
      if (v.typeSystem !== undefined || v.typeCode !== undefined) return [v.typeSystem ?? '', v.typeCode ?? '', v.code ?? ''].map(escapeValue).join('|');
      return v.system === undefined ? escapeValue(v.code ?? '') : `${escapeValue(v.system)}|${escapeValue(v.code ?? '')}`;
    case 'string': return escapeValue(v.text);
    case 'uri': return escapeValue(v.uri);
    case 'date': return (v.prefix === 'eq' ? '' : v.prefix) + v.raw;
    case 'number': return (v.prefix === 'eq' ? '' : v.prefix) + v.value;
    case 'quantity': {
      const n = (v.prefix === 'eq' ? '' : v.prefix) + v.value;
      return v.system === undefined && v.code === undefined ? n : `${n}|${escapeValue(v.system ?? '')}|${escapeValue(v.code ?? '')}`;
    }
    case 'reference':
      if (v.identifierValue !== undefined) return v.identifierSystem === undefined ? escapeValue(v.identifierValue) : `${escapeValue(v.identifierSystem)}|${escapeValue(v.identifierValue)}`;
      if (v.url !== undefined) return escapeValue(v.url) + (v.version ? `|${escapeValue(v.version)}` : '');
      if (v.type && v.id) return `${v.type}/${v.id}` + (v.version ? `/_history/${v.version}` : '');
      return v.id ?? '';
    case 'composite': return `${formatValue(v.first)}$${formatValue(v.second)}`;
  }
}

/** One filter as a (name, value) pair. */
export function formatFilter(f: SearchFilter): [string, string] {
  switch (f.kind) {
    case 'value': {
      const suffix = f.modifier ? `:${f.modifier}` : f.targetType ? `:${f.targetType}` : '';
      return [f.code + suffix, f.values.map(formatValue).join(',')];
    }
    case 'missing': return [`${f.code}:missing`, String(f.missing)];
    case 'list': return ['_list', f.listIds.join(',')];
    case 'chain': {
      const [name, value] = formatFilter(f.filter);
      return [`${f.code}:${f.targetType}.${name}`, value];
    }
    case 'has': {
      const [name, value] = formatFilter(f.filter);
      return [`_has:${f.resourceType}:${f.referenceParam}:${name}`, value];
    }
  }
}

function formatInclude(rule: IncludeRule): [string, string] {
  const name = (rule.reverse ? '_revinclude' : '_include') + (rule.iterate ? ':iterate' : '');
  if (rule.code === '*' && !rule.targetType) return [name, rule.sourceType === '*' ? '*' : `${rule.sourceType}:*`];
  return [name, [rule.sourceType, rule.code, ...(rule.targetType ? [rule.targetType] : [])].join(':')];
}

/** The request's parameters as ordered pairs (filters, then result parameters); `cursor` overrides the request's. */
export function searchRequestPairs(request: SearchRequest, cursor?: string | null): [string, string][] {
  const pairs: [string, string][] = request.filters.map(formatFilter);
  if (request.sort.length > 0) pairs.push(['_sort', request.sort.map((s) => (s.descending ? '-' : '') + s.code).join(',')]);
  if (request.count !== DEFAULT_COUNT) pairs.push(['_count', String(request.count)]);
  if (request.total) pairs.push(['_total', request.total]);
  if (request.summary) pairs.push(['_summary', request.summary]);
  if (request.elements) pairs.push(['_elements', request.elements.join(',')]);
  for (const rule of request.include) pairs.push(formatInclude(rule));
  for (const rule of request.revinclude) pairs.push(formatInclude(rule));
  const c = cursor === undefined ? request.cursor : cursor ?? undefined;
  if (c) pairs.push(['_cursor', c]);
  else if (request.offset !== undefined && cursor === undefined) pairs.push(['_offset', String(request.offset)]);
  return pairs;
}

/** `Type?query` (or `?query` system-wide) that parses back to the same request. */
export function formatSearchUrl(request: SearchRequest): string {
  return `${request.resourceType ?? ''}?${new URLSearchParams(searchRequestPairs(request)).toString()}`;
}
