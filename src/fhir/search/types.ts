// The plain values of FHIR search: parameter metadata (a tagged union per type) and the parsed SearchRequest.

/** FHIR search parameter types (https://hl7.org/fhir/R4/search.html#ptypes) that Flaura indexes. */
export type ParamType = 'token' | 'string' | 'date' | 'number' | 'quantity' | 'reference' | 'uri' | 'composite';

interface ParamBase {
  /** The code used in URLs, e.g. `code`, `_tag`. */
  code: string;
  /** The concrete resource type this definition applies to (Resource-level params are copied per type). */
  resourceType: string;
  /** Key of the index rows: `${resourceType}.${code}`. */
  key: string;
  /** Canonical URL of the official SearchParameter. */
  url: string;
  /** FHIRPath expression restricted to `resourceType` (multi-base expressions are split per base). */
  expression: string;
  description?: string;
}

/** Parameters answered from `fhir_resource` columns rather than index rows. */
export interface ColumnParamDef extends ParamBase {
  type: 'token' | 'date';
  storage: 'column';
  column: 'id' | 'last_updated';
}
export interface TokenParamDef extends ParamBase { type: 'token'; storage: 'index' }
export interface StringParamDef extends ParamBase { type: 'string'; storage: 'index' }
export interface DateParamDef extends ParamBase { type: 'date'; storage: 'index' }
export interface NumberParamDef extends ParamBase { type: 'number'; storage: 'index' }
export interface QuantityParamDef extends ParamBase { type: 'quantity'; storage: 'index' }
export interface UriParamDef extends ParamBase { type: 'uri'; storage: 'index' }
export interface ReferenceParamDef extends ParamBase {
  type: 'reference';
  storage: 'index';
  /** Resource types the reference may point to (from SearchParameter.target). */
  targets: readonly string[];
}
/** One component of a composite parameter, evaluated relative to the composite's element. */
export interface CompositeComponent { type: Exclude<ParamType, 'composite'>; expression: string }
export interface CompositeParamDef extends ParamBase {
  type: 'composite';
  storage: 'index';
  /** Exactly two components; the first is a token (true of every R4 two-part composite). */
  components: readonly [CompositeComponent, CompositeComponent];
}
/** Declared by the specification but not searchable here (`_text`, `_content`, `_query`, `near`, 3-part composites). */
export interface UnsupportedParamDef extends ParamBase {
  type: ParamType | 'special';
  storage: 'unsupported';
  reason: string;
}

export type SearchParamDef =
  | ColumnParamDef | TokenParamDef | StringParamDef | DateParamDef | NumberParamDef | QuantityParamDef
  | UriParamDef | ReferenceParamDef | CompositeParamDef | UnsupportedParamDef;

/** Search prefixes for ordered types (https://hl7.org/fhir/R4/search.html#prefix). */
export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';

/** `system|code`; `system` undefined = any system, '' = no system. `:of-type` fills typeSystem/typeCode. */
export interface TokenValue { kind: 'token'; system?: string; code?: string; typeSystem?: string; typeCode?: string }
export interface StringValue { kind: 'string'; text: string }
/** A date with its implied range: `low`..`high` inclusive ISO instants. */
export interface DateValue { kind: 'date'; prefix: Prefix; raw: string; low: string; high: string }
/** A decimal and half its last significant digit (`100` -> delta `0.5`). */
export interface NumberValue { kind: 'number'; prefix: Prefix; value: string; delta: string }
export interface QuantityValue { kind: 'quantity'; prefix: Prefix; value: string; delta: string; system?: string; code?: string }
/** `Type/id`, `id`, an absolute URL, or `:identifier` `system|value`. */
export interface ReferenceValue { kind: 'reference'; type?: string; id?: string; url?: string; version?: string; identifierSystem?: string; identifierValue?: string }
export interface UriValue { kind: 'uri'; uri: string }
export interface CompositeValue { kind: 'composite'; first: TokenValue; second: Exclude<SearchValue, CompositeValue> }
export type SearchValue = TokenValue | StringValue | DateValue | NumberValue | QuantityValue | ReferenceValue | UriValue | CompositeValue;

/** Modifiers Flaura supports (https://hl7.org/fhir/R4/search.html#modifiers). */
export type Modifier = 'exact' | 'contains' | 'not' | 'text' | 'identifier' | 'above' | 'below' | 'of-type';

/** One search condition; the request ANDs its filters, a filter ORs its values. */
export type SearchFilter =
  | { kind: 'value'; code: string; paramType: ParamType; modifier?: Modifier; /** `:[type]` on references. */ targetType?: string; values: SearchValue[] }
  | { kind: 'missing'; code: string; paramType: ParamType; missing: boolean }
  /** `_list=id`: members of List/id. */
  | { kind: 'list'; listIds: string[] }
  /** `ref:Type.next...`: resources whose `code` reference points at a `targetType` matching `filter`. */
  | { kind: 'chain'; code: string; targetType: string; filter: SearchFilter }
  /** `_has:Type:ref:...`: resources referenced through `referenceParam` by a `resourceType` matching `filter`. */
  | { kind: 'has'; resourceType: string; referenceParam: string; filter: SearchFilter };

export interface SortRule { code: string; descending: boolean }

export interface IncludeRule {
  reverse: boolean;
  iterate: boolean;
  /** Type whose reference param is followed (`Observation` in `_include=Observation:subject`). */
  sourceType: string;
  /** Param code, or `*` for all reference params of sourceType. */
  code: string;
  targetType?: string;
}

export type SummaryMode = 'true' | 'text' | 'data' | 'count' | 'false';
export type TotalMode = 'none' | 'estimate' | 'accurate';

/** A parsed search: the one value shared by the SQL planner, the in-memory matcher and the link formatter. */
export interface SearchRequest {
  /** undefined for a system-wide search (`GET [base]?...`). */
  resourceType?: string;
  filters: SearchFilter[];
  sort: SortRule[];
  count: number;
  /** Opaque keyset cursor from a previous page's link. */
  cursor?: string;
  offset?: number;
  total?: TotalMode;
  summary?: SummaryMode;
  elements?: string[];
  include: IncludeRule[];
  revinclude: IncludeRule[];
  /** Parameters ignored in lenient mode, each with the reason (reported as an OperationOutcome entry). */
  ignored: { name: string; reason: string }[];
}
