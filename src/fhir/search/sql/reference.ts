// SQL condition for one reference value (https://hl7.org/fhir/R4/search.html#reference).
import type { ReferenceValue } from '../types.ts';
import type { SqlParams } from './params.ts';

export interface ReferenceColumns { targetType: string; targetId: string; version: string; url: string; identSystem: string; identValue: string }

/**
 * `Type/id`, bare `id` (any allowed type, or the `:[type]` modifier's), absolute URL (also matched as a local
 * Type/id when it starts with this server's base URL), `:identifier` system|value.
 */
export function referenceCondition(c: ReferenceColumns, v: ReferenceValue, typeModifier: string | undefined, sql: SqlParams, baseUrl?: string): string {
  if (v.identifierValue !== undefined) {
    const parts = [`${c.identValue} = ${sql.add(v.identifierValue)}`];
    if (v.identifierSystem) parts.push(`${c.identSystem} = ${sql.add(v.identifierSystem)}`);
    return `(${parts.join(' AND ')})`;
  }
  if (v.url !== undefined) {
    const local = baseUrl && v.url.startsWith(`${baseUrl}/`) ? /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(v.url.slice(baseUrl.length + 1)) : null;
    const byUrl = `${c.url} = ${sql.add(v.url)}` + (v.version ? ` AND ${c.version} = ${sql.add(v.version)}` : '');
    if (local) return `((${byUrl}) OR (${c.targetId} = ${sql.add(local[2])} AND ${c.targetType} = ${sql.add(local[1])}))`;
    return `(${byUrl})`;
  }
  const parts = [`${c.targetId} = ${sql.add(v.id ?? '')}`];
  const type = v.type ?? typeModifier;
  if (type) parts.push(`${c.targetType} = ${sql.add(type)}`);
  if (v.version) parts.push(`${c.version} = ${sql.add(v.version)}`);
  return `(${parts.join(' AND ')})`;
}
