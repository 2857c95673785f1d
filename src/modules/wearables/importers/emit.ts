// Shared by every importer: normalize a raw record into an import item (sample or issue).
import type { MetricCatalog } from '../metrics/catalog.ts';
import type { ImportItem, RawSample } from '../model.ts';
import { normalizeSample } from '../normalize/normalize.ts';

/** Normalizes `raw`; a refusal becomes an issue naming the record and line. */
export function toItem(raw: RawSample, catalog: MetricCatalog, record: string, line?: number): ImportItem {
  const r = normalizeSample(raw, catalog);
  if (r.ok) return { type: 'sample', sample: r.sample };
  return issue(record, r.reason, line);
}

/** An issue item. */
export function issue(record: string, reason: string, line?: number): ImportItem {
  return { type: 'issue', issue: line === undefined ? { record, reason } : { record, line, reason } };
}
