// Stores one import all-or-nothing: COPY batches into a staging table, then INSERT … ON CONFLICT DO NOTHING (dedup).
import type { Db, Queryable } from '../../../db/index.ts';
import type { ImportIssue, ImportItem, Sample, SourceKind } from '../model.ts';
import { ensureMonthPartitions, monthsBetween } from './partitions.ts';
import { refreshRollups } from './rollups.ts';

/** What one stored import reports. `issues` holds at most `maxIssues` entries; `rejected` counts them all. */
export interface ImportResult {
  importId: string;
  received: number;
  inserted: number;
  duplicates: number;
  rejected: number;
  issues: ImportIssue[];
}

export interface IngestOptions {
  patientId: string;
  importId: string;
  /** Importer name, recorded with the import (`apple-health`, `fitbit`, `omh`, `fhir`). */
  format: string;
  /** Time the import started (passed in: storage code reads no clock). */
  now: Date;
  sourcePriority: readonly SourceKind[];
  /** IANA time zone the patient's days are cut in for the daily rollups. */
  timeZone?: string;
  batchSize?: number;
  maxIssues?: number;
}

const STAGE_COLUMNS = ['patient_id', 'metric', 'start_time', 'end_time', 'value', 'unit', 'source', 'source_kind', 'device', 'context', 'import_id'] as const;

/**
 * Drains `items` into the samples table inside one transaction. Samples are buffered `batchSize` at a time (memory
 * stays bounded whatever the import size) and COPied into a transaction-local staging table; at the end they are
 * inserted with ON CONFLICT DO NOTHING, so re-importing the same data adds no rows, and the touched rollups are
 * recomputed. Any failure (malformed file, database error) rolls the whole import back.
 */
export async function ingestImport(db: Db, items: AsyncIterable<ImportItem>, options: IngestOptions): Promise<ImportResult> {
  const batchSize = options.batchSize ?? 5000;
  const maxIssues = options.maxIssues ?? 1000;
  return db.transaction(async (tx) => {
    await tx.query(`CREATE TEMP TABLE wearable_stage (LIKE wearable_sample INCLUDING DEFAULTS) ON COMMIT DROP`);
    await tx.query(`INSERT INTO wearable_import (id, patient_id, format, started_at) VALUES ($1, $2, $3, $4)`, [options.importId, options.patientId, options.format, options.now.toISOString()]);
    const issues: ImportIssue[] = [];
    let rejected = 0, received = 0;
    let batch: unknown[][] = [];
    const flush = async (): Promise<void> => {
      await db.copyRows('wearable_stage', STAGE_COLUMNS, batch, tx);
      batch = [];
    };
    for await (const item of items) {
      if (item.type === 'issue') {
        rejected++;
        if (issues.length < maxIssues) issues.push(item.issue);
        continue;
      }
      received++;
      batch.push(stageRow(item.sample, options));
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    const inserted = await publishStage(tx, options);
    await tx.query(`UPDATE wearable_import SET finished_at = $2, received = $3, inserted = $4, rejected = $5, issues = $6 WHERE id = $1`, [options.importId, options.now.toISOString(), received, inserted, rejected, JSON.stringify(issues)]);
    return { importId: options.importId, received, inserted, duplicates: received - inserted, rejected, issues };
  });
}

function stageRow(s: Sample, o: IngestOptions): unknown[] {
  return [o.patientId, s.metric, new Date(s.start).toISOString(), new Date(s.end).toISOString(), s.value, s.unit, s.source, s.sourceKind, s.device, s.context, o.importId];
}

/** Moves the staged rows into wearable_sample (creating partitions first) and refreshes the rollups they touch. */
async function publishStage(tx: Queryable, options: IngestOptions): Promise<number> {
  const spans = await tx.query<{ metric: string; lo: Date; hi: Date }>(`SELECT metric, min(start_time) AS lo, max(start_time) AS hi FROM wearable_stage GROUP BY metric`);
  if (spans.rows.length === 0) return 0;
  const lo = Math.min(...spans.rows.map((r) => new Date(r.lo).getTime()));
  const hi = Math.max(...spans.rows.map((r) => new Date(r.hi).getTime()));
  await ensureMonthPartitions(tx, monthsBetween(lo, hi));
  const cols = STAGE_COLUMNS.join(', ');
  // DO NOTHING also skips a key repeated inside the same file: the later row conflicts with the one just inserted.
  const ins = await tx.query(`INSERT INTO wearable_sample (${cols}) SELECT ${cols} FROM wearable_stage ON CONFLICT DO NOTHING`);
  for (const r of spans.rows) {
    await refreshRollups(tx, { patientId: options.patientId, metric: r.metric, from: new Date(r.lo), to: new Date(r.hi), priority: options.sourcePriority, timeZone: options.timeZone ?? 'UTC' });
  }
  return ins.rowCount;
}
