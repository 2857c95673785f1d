// Resource -> typed index rows: evaluates each parameter's compiled FHIRPath and flattens the element shapes.
import type { Resource } from '@medplum/fhirtypes';
import { compileExpression, getSearchParameters, topLevelElements, type Evaluator } from './registry.ts';
import { compileFastComposite, compileFastPath } from './fast-path.ts';
import type { CompositeParamDef, ParamType, SearchParamDef } from './types.ts';
import { toCanonical, UCUM_SYSTEM } from './ucum.ts';
import { dateRange, normalizeString } from './values.ts';

/** Token: one system/code (or text-only) entry; identifiers keep their type for `:of-type`. */
export interface TokenEntry { system: string | null; code: string | null; text: string | null; typeSystem: string | null; typeCode: string | null }
export interface StringEntry { norm: string; exact: string }
export interface DateEntry { low: string; high: string }
/** Number or quantity as a closed range (a plain value has low = high); UCUM quantities also in base units. */
export interface QuantityEntry {
  low: string | null; high: string | null; system: string | null; code: string | null; unit: string | null;
  canonicalLow?: string | null; canonicalHigh?: string | null; canonicalUnit?: string;
}
export interface ReferenceEntry { targetType: string | null; targetId: string | null; version: string | null; url: string | null; identSystem: string | null; identValue: string | null }
/** Composite: a token paired with one typed second component. */
export interface CompositeEntry { first: TokenEntry; second: { type: ParamType; entry: TokenEntry | StringEntry | DateEntry | QuantityEntry | ReferenceEntry } }

export interface IndexEntries {
  token: { key: string; e: TokenEntry }[];
  string: { key: string; e: StringEntry }[];
  date: { key: string; e: DateEntry }[];
  number: { key: string; e: QuantityEntry }[];
  quantity: { key: string; e: QuantityEntry }[];
  reference: { key: string; e: ReferenceEntry }[];
  uri: { key: string; e: { value: string } }[];
  composite: { key: string; e: CompositeEntry }[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Token entries of one FHIRPath result (code, Coding, CodeableConcept, Identifier, ContactPoint, boolean). */
export function tokenEntries(v: unknown): TokenEntry[] {
  const none = { typeSystem: null, typeCode: null };
  if (typeof v === 'string') return [{ system: null, code: v, text: null, ...none }];
  if (typeof v === 'boolean' || typeof v === 'number') return [{ system: null, code: String(v), text: null, ...none }];
  if (!isObj(v)) return [];
  // CodeableConcept: codings and/or text (an Identifier or Coding has value/code instead).
  if (Array.isArray(v.coding) || (typeof v.text === 'string' && !('value' in v) && !('code' in v))) {
    const out: TokenEntry[] = (Array.isArray(v.coding) ? v.coding : []).filter(isObj).map((c) => ({ system: str(c.system), code: str(c.code), text: typeof c.display === 'string' ? normalizeString(c.display) : null, ...none }));
    if (typeof v.text === 'string') out.push({ system: null, code: null, text: normalizeString(v.text), ...none });
    return out;
  }
  if ('code' in v) return [{ system: str(v.system), code: str(v.code), text: typeof v.display === 'string' ? normalizeString(v.display) : null, ...none }];
  if ('value' in v) {
    // Identifier (system|value, type for :of-type) or ContactPoint (value, its system is a kind like 'phone').
    const type = isObj(v.type) && Array.isArray(v.type.coding) ? v.type.coding.filter(isObj) : [];
    const text = isObj(v.type) && typeof v.type.text === 'string' ? normalizeString(v.type.text) : null;
    const value = v.value === undefined || v.value === null ? null : String(v.value);
    if (type.length === 0) return [{ system: str(v.system), code: value, text, ...none }];
    return type.map((t) => ({ system: str(v.system), code: value, text, typeSystem: str(t.system), typeCode: str(t.code) }));
  }
  return [];
}

const NAME_PARTS = ['text', 'family', 'given', 'prefix', 'suffix', 'line', 'city', 'district', 'state', 'postalCode', 'country'];

/** String entries: a primitive, or the parts of a HumanName / Address. */
export function stringEntries(v: unknown): StringEntry[] {
  if (typeof v === 'string') return [{ norm: normalizeString(v), exact: v }];
  if (!isObj(v)) return [];
  const out: StringEntry[] = [];
  for (const part of NAME_PARTS) {
    const value = v[part];
    for (const s of Array.isArray(value) ? value : [value]) if (typeof s === 'string') out.push({ norm: normalizeString(s), exact: s });
  }
  return out;
}

const INFINITY_LOW = '-infinity';
const INFINITY_HIGH = 'infinity';

/** Date entries: date/dateTime/instant, Period, Timing (events and bounds). */
export function dateEntries(v: unknown): DateEntry[] {
  if (typeof v === 'string') {
    const r = dateRange(v);
    return r ? [r] : [];
  }
  if (!isObj(v)) return [];
  if ('start' in v || 'end' in v) {
    const start = typeof v.start === 'string' ? dateRange(v.start) : undefined;
    const end = typeof v.end === 'string' ? dateRange(v.end) : undefined;
    if (!start && !end) return [];
    return [{ low: start?.low ?? INFINITY_LOW, high: end?.high ?? INFINITY_HIGH }];
  }
  const out: DateEntry[] = [];
  if (Array.isArray(v.event)) for (const e of v.event) if (typeof e === 'string') out.push(...dateEntries(e));
  if (isObj(v.repeat) && isObj(v.repeat.boundsPeriod)) out.push(...dateEntries(v.repeat.boundsPeriod));
  return out;
}

const num = (v: unknown): string | null => (typeof v === 'number' ? String(v) : null);

/** Number/quantity entries: a decimal, Quantity (and Age, Duration, …), Range, or Money. */
export function quantityEntries(v: unknown): QuantityEntry[] {
  if (typeof v === 'number') return [{ low: String(v), high: String(v), system: null, code: null, unit: null }];
  if (!isObj(v)) return [];
  if ('low' in v || 'high' in v) {
    const low = isObj(v.low) ? v.low : {};
    const high = isObj(v.high) ? v.high : {};
    return [withCanonical({ low: num(low.value), high: num(high.value), system: str(low.system) ?? str(high.system), code: str(low.code) ?? str(high.code), unit: str(low.unit) ?? str(high.unit) })];
  }
  if (typeof v.value !== 'number') return [];
  return [withCanonical({ low: String(v.value), high: String(v.value), system: str(v.system), code: str(v.code) ?? str(v.currency), unit: str(v.unit) })];
}

/** Adds the base-unit range of a UCUM quantity (https://hl7.org/fhir/R4/search.html#quantity, canonical units). */
function withCanonical(e: QuantityEntry): QuantityEntry {
  if (e.system !== UCUM_SYSTEM || !e.code) return e;
  const low = e.low === null ? null : toCanonical(e.low, e.code);
  const high = e.high === null ? null : toCanonical(e.high, e.code);
  const unit = (low ?? high)?.unit;
  if (!unit) return e;
  return { ...e, canonicalLow: low?.value ?? null, canonicalHigh: high?.value ?? null, canonicalUnit: unit };
}

const RELATIVE_REF = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?$/;

/** Splits a reference string into type/id/version (relative) or url (absolute, canonical `url|version`). */
export function parseReferenceString(ref: string): Pick<ReferenceEntry, 'targetType' | 'targetId' | 'version' | 'url'> {
  const m = RELATIVE_REF.exec(ref);
  if (m) return { targetType: m[1] ?? null, targetId: m[2] ?? null, version: m[3] ?? null, url: null };
  const [url, version] = ref.split('|');
  return { targetType: null, targetId: null, version: version ?? null, url: url ?? ref };
}

/** Reference entries: Reference (literal and/or logical identifier) or a canonical/uri string. */
export function referenceEntries(v: unknown): ReferenceEntry[] {
  const blank = { identSystem: null, identValue: null };
  if (typeof v === 'string') return [{ ...parseReferenceString(v), ...blank }];
  if (!isObj(v)) return [];
  const ident = isObj(v.identifier) ? { identSystem: str(v.identifier.system), identValue: str(v.identifier.value) } : blank;
  if (typeof v.reference === 'string') return [{ ...parseReferenceString(v.reference), ...ident }];
  if (ident.identValue !== null) return [{ targetType: str(v.type), targetId: null, version: null, url: null, ...ident }];
  return [];
}

function entriesOf(type: ParamType, value: unknown): (TokenEntry | StringEntry | DateEntry | QuantityEntry | ReferenceEntry)[] {
  switch (type) {
    case 'token': return tokenEntries(value);
    case 'string': return stringEntries(value);
    case 'date': return dateEntries(value);
    case 'number': case 'quantity': return quantityEntries(value);
    case 'reference': return referenceEntries(value);
    case 'uri': return typeof value === 'string' ? [{ norm: value, exact: value }] : [];
    case 'composite': return [];
  }
}

/** Component values per element a composite's expression reaches. */
type CompositePairs = (resource: unknown) => [unknown[], unknown[]][];

interface Plan { def: SearchParamDef; evaluate: Evaluator; reads?: ReadonlySet<string>; pairs?: CompositePairs }
const plans = new Map<string, Plan[]>();

/** A compiled expression: the direct evaluator when the expression is in its subset, else fhirpath.js. */
function evaluatorFor(expression: string, resourceType: string): Evaluator {
  return compileFastPath(expression, resourceType) ?? compileExpression(expression);
}

function compositePairs(def: CompositeParamDef, resourceType: string): CompositePairs {
  const components = [def.components[0].expression, def.components[1].expression] as const;
  const fast = compileFastComposite(def.expression, resourceType, components);
  if (fast) return fast;
  // fhirpath.js keeps typed nodes here, so that the components can resolve choice elements below them.
  const nodes = compileExpression(def.expression, true);
  const [first, second] = components.map((c) => compileExpression(c));
  return (resource) => nodes(resource).map((node) => [first!(node), second!(node)]);
}

/** The indexable parameters of a type with their compiled expressions, built once per type. */
function plansFor(resourceType: string): Plan[] {
  let list = plans.get(resourceType);
  if (!list) {
    list = [];
    for (const def of getSearchParameters(resourceType).values()) {
      if (def.storage !== 'index') continue;
      const reads = topLevelElements(def.expression, resourceType);
      list.push({
        def,
        evaluate: def.type === 'composite' ? () => [] : evaluatorFor(def.expression, resourceType),
        ...(reads ? { reads } : {}),
        ...(def.type === 'composite' ? { pairs: compositePairs(def, resourceType) } : {}),
      });
    }
    plans.set(resourceType, list);
  }
  return list;
}

/** The top-level element names a resource has, choice elements also by every prefix before a capital (`value`). */
function presentElements(resource: Obj): Set<string> {
  const names = new Set<string>();
  for (const key of Object.keys(resource)) {
    names.add(key);
    for (let i = 1; i < key.length; i++) if (key[i]! >= 'A' && key[i]! <= 'Z') names.add(key.slice(0, i));
  }
  return names;
}

/** True when the resource has a top-level element the expression reads (`value` matches `valueQuantity`). */
function mayHaveValues(present: ReadonlySet<string>, reads: ReadonlySet<string> | undefined): boolean {
  if (!reads) return true;
  for (const name of reads) if (present.has(name)) return true;
  return false;
}

/** Every index entry of a resource, per table. */
export function extractIndexEntries(resource: Resource): IndexEntries {
  const out: IndexEntries = { token: [], string: [], date: [], number: [], quantity: [], reference: [], uri: [], composite: [] };
  const present = presentElements(resource as unknown as Obj);
  for (const plan of plansFor(resource.resourceType)) {
    if (!mayHaveValues(present, plan.reads)) continue;
    addPlanValues(out, plan, resource);
  }
  return out;
}

/** Index entries of one parameter (used by the in-memory matcher too). */
export function extractParamEntries(resource: Resource, def: SearchParamDef): IndexEntries {
  const out: IndexEntries = { token: [], string: [], date: [], number: [], quantity: [], reference: [], uri: [], composite: [] };
  const plan = plansFor(resource.resourceType).find((p) => p.def.key === def.key);
  if (plan) addPlanValues(out, plan, resource);
  return out;
}

/** A cheap, unambiguous identity of an index entry (length-prefixed values, nested for composites), to drop duplicates. */
function signature(e: object): string {
  let sig = '';
  for (const v of Object.values(e)) {
    if (v === null || v === undefined) sig += '-';
    else if (typeof v === 'object') sig += `{${signature(v as object)}}`;
    else {
      const text = String(v);
      sig += `${text.length}:${text}`;
    }
  }
  return sig;
}

/** Adds an entry unless an equal one was added for the same parameter. (Not a closure: see below.) */
function pushUnique<T extends object>(seen: Set<string>, list: { key: string; e: T }[], key: string, e: T): void {
  const sig = signature(e);
  if (seen.has(sig)) return;
  seen.add(sig);
  list.push({ key, e });
}

// Hot path: no named closures here. tsx compiles with esbuild's keepNames, which wraps every named function value
// in a defineProperty call each time it is created (it showed up in the ingest CPU profile).
function addPlanValues(out: IndexEntries, plan: Plan, resource: Resource): void {
  const { def } = plan;
  const key = def.key;
  const seen = new Set<string>();
  if (def.type === 'composite') {
    if (def.storage !== 'index') return;
    for (const [firstValues, secondValues] of plan.pairs!(resource)) {
      const firsts = firstValues.flatMap(tokenEntries);
      const seconds = secondValues.flatMap((v) => entriesOf(def.components[1].type, v));
      for (const first of firsts) for (const entry of seconds) pushUnique(seen, out.composite, key, { first, second: { type: def.components[1].type, entry } });
    }
    return;
  }
  for (const value of plan.evaluate(resource)) {
    switch (def.type) {
      case 'token': for (const e of tokenEntries(value)) pushUnique(seen, out.token, key, e); break;
      case 'string': for (const e of stringEntries(value)) pushUnique(seen, out.string, key, e); break;
      case 'date': for (const e of dateEntries(value)) pushUnique(seen, out.date, key, e); break;
      case 'number': for (const e of quantityEntries(value)) pushUnique(seen, out.number, key, e); break;
      case 'quantity': for (const e of quantityEntries(value)) pushUnique(seen, out.quantity, key, e); break;
      case 'reference': for (const e of referenceEntries(value)) pushUnique(seen, out.reference, key, e); break;
      case 'uri': if (typeof value === 'string') pushUnique(seen, out.uri, key, { value }); break;
    }
  }
}
