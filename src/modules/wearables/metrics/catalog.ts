// The metric catalog: data/wearables/metrics.json loaded once and indexed by every importer's identifiers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceKind } from '../model.ts';

/** One coding of a metric (LOINC). */
export interface MetricCoding {
  code: string;
  display: string;
}

/** One row of data/wearables/metrics.json. */
export interface MetricDefinition {
  id: string;
  display: string;
  loinc: MetricCoding | null;
  extraCodings: MetricCoding[];
  ucum: string;
  vitalSignsProfile: string | null;
  acceptedUnits: string[];
  validRange: [number, number];
  aggregation: 'mean' | 'sum' | 'max';
  hrvMethod?: 'SDNN' | 'RMSSD';
  sleepStage?: 'asleep' | 'core' | 'deep' | 'rem' | 'awake' | 'in-bed';
  identifiers: { healthkit: string[]; fitbit: string[]; omh: string[] };
}

interface MetricsFile {
  version: number;
  sources: { name: string; origin: string; licence: string }[];
  metrics: MetricDefinition[];
  unitAliases: Record<string, Record<string, string>>;
  sourceClasses: { kind: SourceKind; pattern: string }[];
  defaultSourcePriority: SourceKind[];
}

/** The loaded catalog with lookups by id, importer identifier and LOINC code. */
export interface MetricCatalog {
  version: number;
  sources: MetricsFile['sources'];
  metrics: readonly MetricDefinition[];
  byId: ReadonlyMap<string, MetricDefinition>;
  byHealthKit: ReadonlyMap<string, MetricDefinition>;
  byFitbit: ReadonlyMap<string, MetricDefinition>;
  byOmh: ReadonlyMap<string, MetricDefinition>;
  byLoinc: ReadonlyMap<string, MetricDefinition>;
  unitAliases: Readonly<Record<string, Readonly<Record<string, string>>>>;
  defaultSourcePriority: readonly SourceKind[];
  /** Classifies a source/device description into a device kind (first matching pattern wins). */
  classifySource(source: string, device: string | null): SourceKind;
}

/** Folder of the committed wearables data. */
export const DEFAULT_WEARABLES_DATA_DIR = join(import.meta.dirname, '../../../../data/wearables');

/** Builds the catalog from the parsed metrics.json content (pure). */
export function buildCatalog(file: MetricsFile): MetricCatalog {
  const index = (key: (m: MetricDefinition) => string[]): Map<string, MetricDefinition> => {
    const map = new Map<string, MetricDefinition>();
    for (const m of file.metrics) for (const k of key(m)) map.set(k, m);
    return map;
  };
  const classes = file.sourceClasses.map((c) => ({ kind: c.kind, re: new RegExp(c.pattern, 'i') }));
  return {
    version: file.version,
    sources: file.sources,
    metrics: file.metrics,
    byId: index((m) => [m.id]),
    byHealthKit: index((m) => m.identifiers.healthkit),
    byFitbit: index((m) => m.identifiers.fitbit),
    byOmh: index((m) => m.identifiers.omh),
    // The primary LOINC code wins over an extra coding (8867-4 is primary for heart-rate, extra for resting HR).
    byLoinc: new Map([...file.metrics.flatMap((m) => m.extraCodings.map((c) => [c.code, m] as const)).filter(([code]) => !file.metrics.some((x) => x.loinc?.code === code)), ...file.metrics.filter((m) => m.loinc).map((m) => [m.loinc!.code, m] as const)]),
    unitAliases: file.unitAliases,
    defaultSourcePriority: file.defaultSourcePriority,
    classifySource(source, device) {
      const text = `${source} ${device ?? ''}`;
      return classes.find((c) => c.re.test(text))?.kind ?? 'unknown';
    },
  };
}

let cached: MetricCatalog | undefined;

/** Loads data/wearables/metrics.json once per process. */
export function loadMetricCatalog(dir: string = DEFAULT_WEARABLES_DATA_DIR): MetricCatalog {
  if (dir === DEFAULT_WEARABLES_DATA_DIR && cached) return cached;
  const catalog = buildCatalog(JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as MetricsFile);
  if (dir === DEFAULT_WEARABLES_DATA_DIR) cached = catalog;
  return catalog;
}
