// Runs one builder's SQL condition over literal rows on the test database, so builder tests check real semantics.
import type { Db } from '../../../db/index.ts';
import { SqlParams } from './params.ts';

/**
 * Returns the labels of the rows for which `condition(alias, sql)` is true. Rows are `[label, ...values]` typed by
 * `columns` (`name type`), bound as parameters like everything else.
 */
export async function matchingLabels(db: Db, columns: readonly string[], rows: readonly (readonly unknown[])[], condition: (alias: string, sql: SqlParams) => string): Promise<string[]> {
  const sql = new SqlParams();
  const names = columns.map((c) => c.split(' ')[0]!);
  const values = rows.map((row) => `(${row.map((v, i) => sql.add(v, i === 0 ? 'text' : columns[i - 1]!.split(' ')[1])).join(', ')})`).join(', ');
  const where = condition('a', sql);
  const { rows: out } = await db.query<{ label: string }>(`SELECT a.label FROM (VALUES ${values}) AS a(label, ${names.join(', ')}) WHERE ${where} ORDER BY a.label`, sql.values);
  return out.map((r) => r.label);
}
