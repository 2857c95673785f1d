// The values that flow through the wearables module: normalized samples, per-record import issues, import items.

/** The kind of device a sample came from; the source priority is expressed over these kinds. */
export type SourceKind = 'chest-strap' | 'ring' | 'watch' | 'scale' | 'phone' | 'manual' | 'unknown';

/** One normalized measurement: a metric id from data/wearables/metrics.json, its canonical UCUM unit, provenance. */
export interface Sample {
  metric: string;
  /** Start and end of the measured interval, epoch milliseconds (equal for an instant). */
  start: number;
  end: number;
  value: number;
  /** Canonical UCUM code of the metric (e.g. `/min`, `Cel`, `kg`, `%`). */
  unit: string;
  /** Application or source that recorded the value (HealthKit `sourceName`, `fitbit`, OMH source_name, …). */
  source: string;
  sourceKind: SourceKind;
  /** Device description when the source gives one. */
  device: string | null;
  /** Heart-rate motion context when the source states it (HealthKit `HKMetadataKeyHeartRateMotionContext`). */
  context: 'sedentary' | 'active' | null;
}

/** A record an importer could not turn into a sample, with the reason; `line` when the format has lines. */
export interface ImportIssue {
  record: string;
  line?: number;
  reason: string;
}

/** What an importer yields: a sample or an issue, in input order. */
export type ImportItem = { type: 'sample'; sample: Sample } | { type: 'issue'; issue: ImportIssue };

/** A measurement as read from a source format, before unit conversion and validation. */
export interface RawSample {
  /** Flaura metric id (the importer maps its own identifiers through the catalog). */
  metric: string;
  start: number;
  end: number;
  value: number;
  /** The unit as written in the source. */
  unit: string;
  /** Which alias table reads `unit` (`ucum` = already a UCUM code). */
  unitSystem: 'healthkit' | 'fitbit' | 'omh' | 'ucum';
  source: string;
  device: string | null;
  context?: 'sedentary' | 'active' | null;
}
