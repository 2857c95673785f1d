// Patient/$everything (https://hl7.org/fhir/R4/patient-operation-everything.html): the patient and its compartment, paged by rid.
import type { Bundle, BundleLink } from '@medplum/fhirtypes';
import type { Queryable } from '../../db/index.ts';
import { FlauraError } from '../../errors.ts';
import { compartmentCondition } from './compartment.ts';
import { DEFAULT_COUNT, MAX_COUNT } from './parse.ts';
import type { ResourceRow } from './execute.ts';
import { SqlParams } from './sql/params.ts';
import { dateRange } from './values.ts';

const badParam = (name: string, why: string) => new FlauraError('SEARCH_INVALID_VALUE', 400, `Invalid value for parameter '${name}': ${why}`, { expression: [name] });

/**
 * Every current resource in Patient/`patientId`'s compartment plus the patient, ordered by rid, `count` per page
 * (default 20, max 1000), `cursor` = the opaque value of a next link, `since` = only resources updated since then.
 * Throws 404 when the patient does not exist.
 */
export async function everything(db: Queryable, patientId: string, options: { baseUrl: string; count?: number; cursor?: string; since?: string }): Promise<Bundle> {
  const count = options.count ?? DEFAULT_COUNT;
  if (!Number.isInteger(count) || count < 1) throw badParam('_count', 'must be a positive integer');
  const limit = Math.min(count, MAX_COUNT);
  const after = options.cursor === undefined ? 0 : /^\d{1,15}$/.test(options.cursor) ? Number(options.cursor) : undefined;
  if (after === undefined) throw badParam('_cursor', 'malformed cursor');
  const since = options.since === undefined ? undefined : dateRange(options.since);
  if (options.since !== undefined && !since) throw badParam('_since', 'not a FHIR instant');
  const exists = await db.query("SELECT 1 FROM fhir_resource WHERE resource_type = 'Patient' AND id = $1 AND NOT deleted", [patientId]);
  if (exists.rows.length === 0) throw new FlauraError('NOT_FOUND', 404, `Patient/${patientId} not found`);
  const sql = new SqlParams();
  const conds = ['NOT r.deleted', compartmentCondition(undefined, patientId, 'r', sql), `r.rid > ${sql.add(after)}`];
  if (since) conds.push(`r.last_updated >= ${sql.add(since.low, 'timestamptz')}`);
  const { rows } = await db.query<ResourceRow>(`SELECT r.rid, r.resource_type, r.id, r.version_id, r.content FROM fhir_resource r WHERE ${conds.join(' AND ')} ORDER BY r.rid LIMIT ${sql.add(limit + 1)}`, sql.values);
  const page = rows.slice(0, limit);
  const base = `${options.baseUrl}/Patient/${patientId}/$everything`;
  const query = (cursor?: number) => new URLSearchParams([['_count', String(limit)], ...(options.since ? [['_since', options.since] as [string, string]] : []), ...(cursor !== undefined ? [['_cursor', String(cursor)] as [string, string]] : [])]).toString();
  const link: BundleLink[] = [{ relation: 'self', url: `${base}?${query(options.cursor === undefined ? undefined : after)}` }];
  const last = page.at(-1);
  if (rows.length > limit && last) link.push({ relation: 'next', url: `${base}?${query(last.rid)}` });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(options.cursor === undefined && rows.length <= limit ? { total: page.length } : {}),
    link,
    entry: page.map((r) => ({ fullUrl: `${options.baseUrl}/${r.resource_type}/${r.id}`, resource: r.content, search: { mode: 'match' } })),
  };
}
