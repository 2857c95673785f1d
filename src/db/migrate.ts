// Applies numbered SQL migrations once each, in order, recording them in flaura_migrations.
import type { Db } from './types.ts';

/** One schema change. `id` is unique across Flaura, e.g. `fhir-store/001-resources`. */
export interface Migration {
  id: string;
  sql: string;
}

// Any constant works; it only has to be the same for every Flaura process migrating one database.
const MIGRATION_LOCK_KEY = 7_301_945;

/** Applies every migration not yet recorded; returns the ids applied now. Safe to run from several processes. */
export async function migrate(db: Db, migrations: readonly Migration[]): Promise<string[]> {
  const seen = new Set<string>();
  for (const m of migrations) {
    if (seen.has(m.id)) throw new Error(`Duplicate migration id ${m.id}`);
    seen.add(m.id);
  }
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query('CREATE TABLE IF NOT EXISTS flaura_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await tx.query<{ id: string }>('SELECT id FROM flaura_migrations')).rows.map((r) => r.id));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      await tx.execScript(m.sql);
      await tx.query('INSERT INTO flaura_migrations (id) VALUES ($1)', [m.id]);
      applied.push(m.id);
    }
    return applied;
  });
}
