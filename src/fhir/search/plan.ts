// SearchFilter -> SQL boolean expression over a fhir_resource alias, via one builder per parameter type (sql/).
import { FlauraError } from '../../errors.ts';
import { compositeCondition } from './sql/composite.ts';
import { dateCondition } from './sql/date.ts';
import { numberCondition } from './sql/number.ts';
import type { SqlParams } from './sql/params.ts';
import { quantityCondition } from './sql/quantity.ts';
import { referenceCondition } from './sql/reference.ts';
import { stringCondition } from './sql/string.ts';
import { tokenCondition } from './sql/token.ts';
import { uriCondition } from './sql/uri.ts';
import { getSearchParameters, searchableResourceTypes } from './registry.ts';
import type { CompositeValue, DateValue, NumberValue, ParamType, QuantityValue, ReferenceValue, SearchFilter, SearchParamDef, SearchValue, StringValue, TokenValue, UriValue } from './types.ts';

/** Index table per parameter type. */
export const TABLE: Record<ParamType, string> = {
  token: 'fhir_search_token', string: 'fhir_search_string', date: 'fhir_search_date', number: 'fhir_search_number',
  quantity: 'fhir_search_quantity', reference: 'fhir_search_reference', uri: 'fhir_search_uri', composite: 'fhir_search_composite',
};

export interface PlanContext { sql: SqlParams; baseUrl?: string }

/** Definition of `code` for a type, or (system-wide) the Resource-level one of Patient, with every type's key. */
export function resolveParam(resourceType: string | undefined, code: string): { def: SearchParamDef; keys: string[] } {
  if (resourceType) {
    const def = getSearchParameters(resourceType).get(code);
    if (!def) throw new FlauraError('SEARCH_UNKNOWN_PARAM', 400, `Unknown search parameter '${code}'`, { expression: [code] });
    return { def, keys: [def.key] };
  }
  const def = getSearchParameters('Patient').get(code);
  if (!def) throw new FlauraError('SEARCH_UNKNOWN_PARAM', 400, `Unknown search parameter '${code}'`, { expression: [code] });
  return { def, keys: searchableResourceTypes().filter((t) => getSearchParameters(t).has(code)).map((t) => `${t}.${code}`) };
}

function valueCondition(a: string, paramType: ParamType, v: SearchValue, filter: Extract<SearchFilter, { kind: 'value' }>, ctx: PlanContext): string {
  const { sql } = ctx;
  switch (paramType) {
    case 'token': return tokenCondition({ system: `${a}.system`, code: `${a}.code`, text: `${a}.text`, typeSystem: `${a}.type_system`, typeCode: `${a}.type_code` }, v as TokenValue | StringValue, sql);
    case 'string': return stringCondition({ norm: `${a}.norm`, exact: `${a}.exact` }, v as StringValue, filter.modifier, sql);
    case 'date': return dateCondition({ low: `${a}.low`, high: `${a}.high` }, v as DateValue, sql);
    case 'number': return numberCondition({ low: `${a}.low`, high: `${a}.high` }, v as NumberValue, sql);
    case 'quantity': return quantityCondition({ low: `${a}.low`, high: `${a}.high`, system: `${a}.system`, code: `${a}.code`, unit: `${a}.unit`, canonical: { low: `${a}.canonical_low`, high: `${a}.canonical_high`, unit: `${a}.canonical_unit` } }, v as QuantityValue, sql);
    case 'reference': return referenceCondition({ targetType: `${a}.target_type`, targetId: `${a}.target_id`, version: `${a}.version`, url: `${a}.url`, identSystem: `${a}.ident_system`, identValue: `${a}.ident_value` }, v as ReferenceValue, filter.targetType, sql, ctx.baseUrl);
    case 'uri': return uriCondition(`${a}.value`, v as UriValue, filter.modifier, sql);
    case 'composite': return compositeCondition(a, v as CompositeValue, sql);
  }
}

/** Conditions on `fhir_resource` columns (`_id`, `_lastUpdated`). */
function columnCondition(r: string, column: 'id' | 'last_updated', filter: Extract<SearchFilter, { kind: 'value' }>, ctx: PlanContext): string {
  const conds = filter.values.map((v) => {
    if (column === 'id') return `${r}.id = ${ctx.sql.add((v as TokenValue).code ?? '')}`;
    return dateCondition({ low: `${r}.last_updated`, high: `${r}.last_updated` }, v as DateValue, ctx.sql);
  });
  const any = `(${conds.join(' OR ')})`;
  return filter.modifier === 'not' ? `NOT ${any}` : any;
}

/** SQL boolean for one filter, true for rows of alias `r` (a fhir_resource of `resourceType`) that match. */
export function filterCondition(resourceType: string | undefined, f: SearchFilter, r: string, ctx: PlanContext): string {
  const { sql } = ctx;
  switch (f.kind) {
    case 'value': {
      const { def, keys } = resolveParam(resourceType, f.code);
      if (def.storage === 'column') return columnCondition(r, def.column, f, ctx);
      const a = sql.alias('i');
      const table = TABLE[f.paramType];
      const values = f.values.map((v) => valueCondition(a, f.paramType, v, f, ctx)).join(' OR ');
      const keyCond = sql.keyCondition(a, keys);
      if (f.modifier === 'not') return `NOT EXISTS (SELECT 1 FROM ${table} ${a} WHERE ${a}.rid = ${r}.rid AND ${keyCond} AND (${values}))`;
      return `${r}.rid IN (SELECT ${a}.rid FROM ${table} ${a} WHERE ${keyCond} AND (${values}))`;
    }
    case 'missing': {
      const { def, keys } = resolveParam(resourceType, f.code);
      if (def.storage === 'column') return f.missing ? 'FALSE' : 'TRUE';
      const a = sql.alias('m');
      return `${f.missing ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${TABLE[f.paramType]} ${a} WHERE ${a}.rid = ${r}.rid AND ${sql.keyCondition(a, keys)})`;
    }
    case 'list': {
      const x = sql.alias('l');
      const l = sql.alias('lr');
      return `(${r}.resource_type, ${r}.id) IN (SELECT ${x}.target_type, ${x}.target_id FROM fhir_search_reference ${x} JOIN fhir_resource ${l} ON ${l}.rid = ${x}.rid WHERE ${l}.resource_type = 'List' AND NOT ${l}.deleted AND ${l}.id = ANY(${sql.add(f.listIds, 'text[]')}) AND ${x}.param = 'List.item')`;
    }
    case 'chain': {
      const { keys } = resolveParam(resourceType, f.code);
      const x = sql.alias('c');
      const t = sql.alias('t');
      const type = sql.add(f.targetType);
      const inner = filterCondition(f.targetType, f.filter, t, ctx);
      return `${r}.rid IN (SELECT ${x}.rid FROM fhir_search_reference ${x} WHERE ${sql.keyCondition(x, keys)} AND ${x}.target_type = ${type} AND ${x}.target_id IN (SELECT ${t}.id FROM fhir_resource ${t} WHERE ${t}.resource_type = ${type} AND NOT ${t}.deleted AND ${inner}))`;
    }
    case 'has': {
      const x = sql.alias('h');
      const o = sql.alias('o');
      const inner = filterCondition(f.resourceType, f.filter, o, ctx);
      return `${r}.id IN (SELECT ${x}.target_id FROM fhir_search_reference ${x} JOIN fhir_resource ${o} ON ${o}.rid = ${x}.rid WHERE ${x}.param = ${sql.add(`${f.resourceType}.${f.referenceParam}`)} AND ${x}.target_type = ${r}.resource_type AND NOT ${o}.deleted AND ${inner})`;
    }
  }
}

/** Sort-key expression and SQL type for `_sort` on a parameter (min for ascending, max for descending). */
export function sortExpression(resourceType: string | undefined, code: string, descending: boolean, r: string, sql: SqlParams): { expr: string; type: string } {
  const { def, keys } = resolveParam(resourceType, code);
  if (def.storage === 'column') return def.column === 'id' ? { expr: `${r}.id`, type: 'text' } : { expr: `${r}.last_updated`, type: 'timestamptz' };
  const agg = descending ? 'max' : 'min';
  const a = sql.alias('s');
  const from = (col: string) => `(SELECT ${agg}(${col}) FROM ${TABLE[def.type as ParamType]} ${a} WHERE ${a}.rid = ${r}.rid AND ${sql.keyCondition(a, keys)})`;
  switch (def.type) {
    case 'token': return { expr: from(`${a}.code`), type: 'text' };
    case 'string': return { expr: from(`${a}.norm`), type: 'text' };
    case 'uri': return { expr: from(`${a}.value`), type: 'text' };
    case 'reference': return { expr: from(`coalesce(${a}.target_type || '/' || ${a}.target_id, ${a}.url)`), type: 'text' };
    case 'date': return { expr: from(descending ? `${a}.high` : `${a}.low`), type: 'timestamptz' };
    default: return { expr: from(descending ? `${a}.high` : `${a}.low`), type: 'numeric' };
  }
}
