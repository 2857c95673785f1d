// Apple Health `export.xml` importer: streaming SAX parse (saxes) of Record elements; memory bounded by one chunk.
import { SaxesParser } from 'saxes';
import { FlauraError } from '../../../errors.ts';
import type { MetricCatalog } from '../metrics/catalog.ts';
import type { ImportItem, RawSample } from '../model.ts';
import { parseAppleDate } from '../normalize/dates.ts';
import { issue, toItem } from './emit.ts';

const SLEEP_TYPE = 'HKCategoryTypeIdentifierSleepAnalysis';
const MOTION_CONTEXT = 'HKMetadataKeyHeartRateMotionContext';
// HKHeartRateMotionContext: 0 not set, 1 sedentary, 2 active (HealthKit documentation).
const MOTION_CONTEXTS: Record<string, 'sedentary' | 'active'> = { '1': 'sedentary', '2': 'active' };

interface OpenRecord {
  attrs: Record<string, string>;
  metadata: Record<string, string>;
  line: number;
}

/**
 * Reads an Apple Health export.xml stream and yields one item per `Record` element (other elements such as
 * `Workout`, `ActivitySummary` and `Me` are skipped). Malformed XML aborts with WEARABLES_MALFORMED_XML.
 */
export async function* importAppleHealthXml(chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, catalog: MetricCatalog): AsyncGenerator<ImportItem> {
  const parser = new SaxesParser({ position: true });
  const decoder = new TextDecoder('utf-8');
  const ready: ImportItem[] = [];
  let open: OpenRecord | undefined;
  let sawHealthData = false;
  parser.on('opentag', (tag) => {
    if (tag.name === 'HealthData') sawHealthData = true;
    else if (tag.name === 'Record') open = { attrs: tag.attributes as Record<string, string>, metadata: {}, line: parser.line };
    else if (tag.name === 'MetadataEntry' && open) {
      const a = tag.attributes as Record<string, string>;
      if (a.key !== undefined && a.value !== undefined) open.metadata[a.key] = a.value;
    }
  });
  parser.on('closetag', (tag) => {
    if (tag.name === 'Record' && open) {
      ready.push(recordToItem(open, catalog));
      open = undefined;
    }
  });
  const feed = (text: string | null): void => {
    try {
      if (text === null) parser.close();
      else parser.write(text);
    } catch (e) {
      throw new FlauraError('WEARABLES_MALFORMED_XML', 400, `Apple Health export is not well-formed XML: ${(e as Error).message}`, { cause: e });
    }
  };
  for await (const chunk of chunks) {
    feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    yield* ready.splice(0);
  }
  feed(decoder.decode());
  feed(null);
  if (!sawHealthData) throw new FlauraError('WEARABLES_NOT_APPLE_HEALTH', 422, 'The XML document has no HealthData element: not an Apple Health export');
  yield* ready.splice(0);
}

function recordToItem(r: OpenRecord, catalog: MetricCatalog): ImportItem {
  const a = r.attrs;
  const type = a.type ?? '';
  const label = `Record ${type || '(no type)'} ${a.startDate ?? ''}`.trim();
  const start = parseAppleDate(a.startDate ?? '');
  const end = parseAppleDate(a.endDate ?? a.startDate ?? '');
  if (Number.isNaN(start) || Number.isNaN(end)) return issue(label, `invalid date "${Number.isNaN(start) ? a.startDate : a.endDate}" (expected yyyy-MM-dd HH:mm:ss ±hhmm)`, r.line);
  const source = a.sourceName ?? 'Apple Health';
  const device = a.device ?? null;
  const base = { start, end, source, device };
  let raw: RawSample;
  if (type === SLEEP_TYPE) {
    const metric = catalog.byHealthKit.get(a.value ?? '');
    if (!metric) return issue(label, `unknown sleep analysis value "${a.value}"`, r.line);
    raw = { ...base, metric: metric.id, value: (end - start) / 60_000, unit: 'min', unitSystem: 'ucum' };
  } else {
    const metric = catalog.byHealthKit.get(type);
    if (!metric) return issue(label, `unsupported record type ${type}`, r.line);
    const value = a.value === undefined || a.value.trim() === '' ? Number.NaN : Number(a.value);
    const motion = MOTION_CONTEXTS[r.metadata[MOTION_CONTEXT] ?? ''] ?? null;
    raw = { ...base, metric: metric.id, value, unit: a.unit ?? '', unitSystem: 'healthkit', context: motion };
  }
  return toItem(raw, catalog, label, r.line);
}
