// Search-parameter metadata per resource type, derived at start-up from the official R4 SearchParameter bundle.
import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4/index.js';
import type { Resource, SearchParameter } from '@medplum/fhirtypes';
import { r4ResourceTypes, r4SearchParameters } from './r4-data.ts';
import type { CompositeComponent, ParamType, SearchParamDef } from './types.ts';

const PARAM_TYPES = new Set<string>(['token', 'string', 'date', 'number', 'quantity', 'reference', 'uri', 'composite']);

/**
 * Splits `Patient.name | Practitioner.name` into the parts that start with `type` (a part that names no base
 * type at its head applies to every base). Unions inside parentheses are kept whole.
 */
export function expressionForBase(expression: string, type: string, bases: readonly string[]): string {
  if (bases.length === 1) return expression;
  const parts = splitTopLevelUnion(expression);
  const mine = parts.filter((part) => {
    const head = /^\(?\s*([A-Za-z]+)/.exec(part)?.[1];
    return head === type || head === undefined || !bases.includes(head);
  });
  return mine.join(' | ');
}

function splitTopLevelUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === "'" && expression[i - 1] !== '\\') quote = !quote;
    if (quote) continue;
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expression.slice(start).trim());
  return parts.filter((p) => p.length > 0);
}

/**
 * Resource-level expressions (`Resource.meta.tag`) rewritten for a concrete type, and `where(resolve() is X)`
 * (the only use of resolve() in R4 search parameters) as a test of the literal reference's type, since indexing
 * must not fetch other resources.
 */
export function forConcreteType(expression: string, type: string): string {
  return expression
    .replace(/\b(?:Resource|DomainResource)\./g, `${type}.`)
    .replace(/where\(resolve\(\) is ([A-Za-z]+)\)/g, "where(reference.startsWith('$1/'))");
}

function build(): Map<string, Map<string, SearchParamDef>> {
  const all = r4SearchParameters();
  const byUrl = new Map(all.map((sp) => [sp.url, sp] as const));
  const types = r4ResourceTypes();
  const result = new Map<string, Map<string, SearchParamDef>>(types.map((t) => [t, new Map()]));
  for (const sp of all) {
    const bases: string[] = sp.base ?? [];
    const concrete = bases.includes('Resource') ? types : bases.includes('DomainResource') ? types.filter((t) => t !== 'Bundle' && t !== 'Binary' && t !== 'Parameters') : bases;
    for (const type of concrete) {
      const map = result.get(type);
      if (!map) continue;
      const expression = forConcreteType(expressionForBase(sp.expression ?? '', type, bases), type);
      map.set(sp.code ?? '', toDef(sp, type, expression, byUrl));
    }
  }
  return result;
}

function toDef(sp: SearchParameter, resourceType: string, expression: string, byUrl: ReadonlyMap<string | undefined, SearchParameter>): SearchParamDef {
  const code = sp.code ?? '';
  const base = { code, resourceType, key: `${resourceType}.${code}`, url: sp.url ?? '', expression, ...(sp.description ? { description: sp.description } : {}) };
  if (code === '_id') return { ...base, type: 'token', storage: 'column', column: 'id' };
  if (code === '_lastUpdated') return { ...base, type: 'date', storage: 'column', column: 'last_updated' };
  const type = sp.type ?? 'special';
  if (!PARAM_TYPES.has(type) || !expression) {
    return { ...base, type: type as ParamType | 'special', storage: 'unsupported', reason: `${code} (${type}) has no FHIRPath expression Flaura can index` };
  }
  if (type === 'composite') {
    const comps: CompositeComponent[] = (sp.component ?? []).map((c) => ({ type: (byUrl.get(c.definition)?.type ?? 'special') as CompositeComponent['type'], expression: c.expression ?? '' }));
    const [first, second] = comps;
    if (comps.length !== 2 || !first || !second || first.type !== 'token' || !PARAM_TYPES.has(second.type) || second.expression.includes('%resource')) {
      return { ...base, type: 'composite', storage: 'unsupported', reason: `composite ${code} with ${comps.length} components is not supported` };
    }
    return { ...base, type: 'composite', storage: 'index', components: [first, second] };
  }
  if (type === 'reference') return { ...base, type: 'reference', storage: 'index', targets: sp.target ?? [] };
  return { ...base, type: type as Exclude<ParamType, 'reference' | 'composite'>, storage: 'index' };
}

let registry: Map<string, Map<string, SearchParamDef>> | undefined;

function getRegistry(): Map<string, Map<string, SearchParamDef>> {
  registry ??= build();
  return registry;
}

const EMPTY: ReadonlyMap<string, SearchParamDef> = new Map();

/** Search parameters of a resource type, by code (including `_id`, `_lastUpdated`, `_tag`, …). */
export function getSearchParameters(resourceType: string): ReadonlyMap<string, SearchParamDef> {
  return getRegistry().get(resourceType) ?? EMPTY;
}

/** True when `name` is an R4 resource type. */
export function isResourceType(name: string): boolean {
  return getRegistry().has(name);
}

/** All resource types that have search parameters. */
export function searchableResourceTypes(): string[] {
  return [...getRegistry().keys()];
}

/** A compiled FHIRPath expression: resource (or element) in, flat list of values out. */
export type Evaluator = (input: unknown) => unknown[];

const compiled = new Map<string, Evaluator>();

/**
 * Compiles an expression against the R4 model once and caches it. With `keepNodes` the results stay typed
 * FHIRPath nodes, so that component expressions of composites can be evaluated on them (choice types need the path).
 */
export function compileExpression(expression: string, keepNodes = false): Evaluator {
  const cacheKey = keepNodes ? `nodes:${expression}` : expression;
  let fn = compiled.get(cacheKey);
  if (!fn) {
    const inner = fhirpath.compile(expression, r4Model, keepNodes ? { resolveInternalTypes: false } : {});
    fn = (input: unknown) => inner(input as Resource) as unknown[];
    compiled.set(cacheKey, fn);
  }
  return fn;
}

/**
 * The top-level elements an expression reads (`Observation.value.as(Quantity)` reads `value`), or undefined when
 * it may read anything. Lets the indexer skip parameters whose elements are absent from a resource.
 */
export function topLevelElements(expression: string, resourceType: string): ReadonlySet<string> | undefined {
  const parts = splitTopLevelUnion(expression);
  const names = new Set<string>();
  for (const part of parts) {
    const m = new RegExp(`^\\(?\\s*${resourceType}\\.([A-Za-z]+)`).exec(part);
    if (!m?.[1]) return undefined;
    names.add(m[1]);
  }
  return names;
}
