// Conditional interactions: ids of current resources matching a query string (If-None-Exist, conditional update/delete).
import type { Queryable } from '../../db/index.ts';
import { filterCondition } from './plan.ts';
import { parseSearchRequest } from './parse.ts';
import { SqlParams } from './sql/params.ts';

/** Every current (not deleted) resource of `resourceType` matching `query` (`a=b&c=d`, no paging). */
export async function findMatchingIds(db: Queryable, resourceType: string, query: string): Promise<{ rid: number; id: string; versionId: number }[]> {
  const request = parseSearchRequest(resourceType, new URLSearchParams(query));
  const sql = new SqlParams();
  const conds = ['NOT r.deleted', `r.resource_type = ${sql.add(resourceType)}`, ...request.filters.map((f) => filterCondition(resourceType, f, 'r', { sql }))];
  const { rows } = await db.query<{ rid: number; id: string; version_id: number }>(`SELECT r.rid, r.id, r.version_id FROM fhir_resource r WHERE ${conds.join(' AND ')} ORDER BY r.rid`, sql.values);
  return rows.map((r) => ({ rid: r.rid, id: r.id, versionId: r.version_id }));
}
