// Stores one import all-or-nothing: COPY batches into a staging table, then INSERT … ON CONFLICT DO NOTHING (dedup).
import type { Db } from '../../../db/index.ts';
import { FlauraError } from '../../../errors.ts';
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
  /** First and last sample start of the import (ISO), or null when it held no samples. */
  window: { from: string; to: string } | null;
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
  /** Metrics whose rollups are dated by sample end (sleep); `runImport` fills it from the catalog. */
  endDatedMetrics?: readonly string[];
  /** Called every 1,000 samples (and every 1,000 rejected records) with the counts so far (progress bars). */
  onProgress?: (counts: { received: number; rejected: number }) => void;
}

const STAGE_COLUMNS = ['patient_id', 'metric', 'start_time', 'end_time', 'value', 'unit', 'source', 'source_kind', 'device', 'context', 'import_id'] as const;

/**
 * Drains `items` into the samples table inside one transaction. Samples are buffered `batchSize` at a time (memory
 * stays bounded whatever the import size). Each batch is first COPied straight into wearable_sample under a
 * savepoint (the fast path for new data); when a batch hits an existing key, that batch and all later ones go
 * through a transaction-local staging table and one final INSERT … ON CONFLICT DO NOTHING, so re-importing the same
 * data adds no rows. The touched rollups are then recomputed. Any failure (malformed file, database error) rolls
 * the whole import back.
 */
export async function ingestImport(db: Db, items: AsyncIterable<ImportItem>, options: IngestOptions): Promise<ImportResult> {
  const batchSize = options.batchSize ?? 5000;
  const maxIssues = options.maxIssues ?? 1000;
  return db.transaction(async (tx) => {
    await tx.query(`INSERT INTO wearable_import (id, patient_id, format, started_at, time_zone) VALUES ($1, $2, $3, $4, $5)`, [options.importId, options.patientId, options.format, options.now.toISOString(), options.timeZone ?? 'UTC']);
    const issues: ImportIssue[] = [];
    const spans = new Map<string, { lo: number; hi: number }>();
    const months = new Set<number>();
    let rejected = 0, received = 0, direct = 0;
    let staging = false;
    let batch: Sample[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const rows = batch.map((s) => stageRow(s, options));
      const newMonths = monthsBetween(Math.min(...batch.map((s) => s.start)), Math.max(...batch.map((s) => s.start))).filter((m) => !months.has(m.getTime()));
      batch = [];
      await ensureMonthPartitions(tx, newMonths);
      for (const m of newMonths) months.add(m.getTime());
      if (!staging) {
        await tx.query('SAVEPOINT wearable_batch');
        try {
          direct += await db.copyRows('wearable_sample', STAGE_COLUMNS, rows, tx);
          await tx.query('RELEASE SAVEPOINT wearable_batch');
          return;
        } catch (e) {
          if (!(e instanceof FlauraError && e.code === 'DB_UNIQUE_VIOLATION')) throw e;
          await tx.query('ROLLBACK TO SAVEPOINT wearable_batch');
          await tx.query(`CREATE TEMP TABLE wearable_stage (LIKE wearable_sample INCLUDING DEFAULTS) ON COMMIT DROP`);
          staging = true;
        }
      }
      await db.copyRows('wearable_stage', STAGE_COLUMNS, rows, tx);
    };
    for await (const item of items) {
      if (item.type === 'issue') {
        rejected++;
        if (issues.length < maxIssues) issues.push(item.issue);
        if (options.onProgress && rejected % 1000 === 0) options.onProgress({ received, rejected });
        continue;
      }
      received++;
      const s = item.sample;
      const span = spans.get(s.metric);
      if (!span) spans.set(s.metric, { lo: s.start, hi: s.start });
      else {
        if (s.start < span.lo) span.lo = s.start;
        if (s.start > span.hi) span.hi = s.start;
      }
      batch.push(s);
      if (options.onProgress && received % 1000 === 0) options.onProgress({ received, rejected });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    const cols = STAGE_COLUMNS.join(', ');
    // DO NOTHING also skips a key repeated inside the same file: the later row conflicts with the one just inserted.
    const staged = staging ? (await tx.query(`INSERT INTO wearable_sample (${cols}) SELECT ${cols} FROM wearable_stage ON CONFLICT DO NOTHING`)).rowCount : 0;
    const inserted = direct + staged;
    for (const [metric, span] of spans) {
      await refreshRollups(tx, { patientId: options.patientId, metric, from: new Date(span.lo), to: new Date(span.hi), priority: options.sourcePriority, timeZone: options.timeZone ?? 'UTC', dateByEnd: options.endDatedMetrics?.includes(metric) ?? false });
    }
    await tx.query(`UPDATE wearable_import SET finished_at = $2, received = $3, inserted = $4, rejected = $5, issues = $6 WHERE id = $1`, [options.importId, options.now.toISOString(), received, inserted, rejected, JSON.stringify(issues)]);
    const starts = [...spans.values()];
    const window = starts.length ? { from: new Date(Math.min(...starts.map((x) => x.lo))).toISOString(), to: new Date(Math.max(...starts.map((x) => x.hi))).toISOString() } : null;
    return { importId: options.importId, received, inserted, duplicates: received - inserted, rejected, issues, window };
  });
}

function stageRow(s: Sample, o: IngestOptions): unknown[] {
  return [o.patientId, s.metric, new Date(s.start).toISOString(), new Date(s.end).toISOString(), s.value, s.unit, s.source, s.sourceKind, s.device, s.context, o.importId];
}
