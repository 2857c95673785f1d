// One call from a file to stored samples: open the right importer, stream it into storage all-or-nothing.
import type { Db } from '../../db/index.ts';
import { openImport, type ImportFormat, type OpenImportOptions } from './importers/open-import.ts';
import type { MetricCatalog } from './metrics/catalog.ts';
import type { SourceKind } from './model.ts';
import { ingestImport, type ImportResult } from './storage/ingest.ts';

export interface RunImportOptions extends OpenImportOptions {
  patientId: string;
  importId: string;
  format: ImportFormat;
  now: Date;
  /** Defaults to metrics.json's `defaultSourcePriority`. */
  sourcePriority?: readonly SourceKind[];
  timeZone?: string;
}

/** Imports `path` for one patient: per-record issues are reported, any fatal error stores nothing. */
export async function runImport(db: Db, path: string, catalog: MetricCatalog, o: RunImportOptions): Promise<ImportResult> {
  const items = await openImport(path, o.format, catalog, o);
  return ingestImport(db, items, { patientId: o.patientId, importId: o.importId, format: o.format, now: o.now, sourcePriority: o.sourcePriority ?? catalog.defaultSourcePriority, timeZone: o.timeZone, endDatedMetrics: endDatedMetrics(catalog) });
}

/** Metrics dated by their end in daily rollups: sleep segments belong to the morning they end. */
export function endDatedMetrics(catalog: MetricCatalog): string[] {
  return catalog.metrics.filter((m) => m.sleepStage).map((m) => m.id);
}
