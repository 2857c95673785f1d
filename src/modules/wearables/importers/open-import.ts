// Picks the importer for a file by format and shape (zip or XML; JSON document or NDJSON), yielding import items.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { FlauraError } from '../../../errors.ts';
import type { MetricCatalog } from '../metrics/catalog.ts';
import type { ImportItem } from '../model.ts';
import { importAppleHealthXml } from './apple-health.ts';
import { openAppleHealthZip } from './apple-zip.ts';
import { bundleEntries, importFhirObservations } from './fhir-observations.ts';
import { importFitbit, type FitbitImportOptions } from './fitbit.ts';
import { readJsonLines, type JsonLine } from './json-lines.ts';
import { importOmh } from './omh.ts';

/** Import formats the module reads. */
export const IMPORT_FORMATS = ['apple-health', 'fitbit', 'omh', 'fhir'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** A whole JSON document is parsed in memory; larger inputs must come as NDJSON (streamed line by line). */
export const MAX_JSON_DOCUMENT_BYTES = 64 * 1024 * 1024;

export interface OpenImportOptions {
  /** For Fitbit (local times): the profile's UTC offset in minutes. */
  fitbit?: FitbitImportOptions;
  /** Progress of the streamed input: bytes read so far and the total (the file, or the zip entry, uncompressed). */
  onBytes?: (read: number, total: number) => void;
}

/** Passes chunks through, reporting the bytes read. */
async function* counted(chunks: AsyncIterable<Buffer | string>, total: number, onBytes: ((read: number, total: number) => void) | undefined): AsyncGenerator<Buffer | string> {
  let read = 0;
  for await (const c of chunks) {
    read += typeof c === 'string' ? Buffer.byteLength(c) : c.length;
    onBytes?.(read, total);
    yield c;
  }
}

async function fileStream(path: string, options: OpenImportOptions): Promise<AsyncIterable<Buffer | string>> {
  if (!options.onBytes) return createReadStream(path);
  return counted(createReadStream(path), (await stat(path)).size, options.onBytes);
}

async function firstByte(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64);
    const { bytesRead } = await fh.read(buf, 0, 64, 0);
    return buf.subarray(0, bytesRead).toString('latin1').trimStart().charAt(0);
  } finally {
    await fh.close();
  }
}

async function readJsonDocument(path: string): Promise<unknown> {
  const { size } = await stat(path);
  if (size > MAX_JSON_DOCUMENT_BYTES) throw new FlauraError('WEARABLES_JSON_TOO_LARGE', 413, `JSON documents over ${MAX_JSON_DOCUMENT_BYTES} bytes must be sent as NDJSON`);
  const chunks: Buffer[] = [];
  for await (const c of createReadStream(path)) chunks.push(c as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (e) {
    throw new FlauraError('WEARABLES_BAD_JSON', 400, `Not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}

function* arrayLines(values: unknown[]): Generator<JsonLine> {
  let i = 0;
  for (const value of values) yield { line: ++i, value };
}

/**
 * Guesses the format of a file from its first bytes: a zip or XML is an Apple Health export; JSON with FHIR
 * `resourceType` is FHIR; Open mHealth data points have `header.schema_id`; Fitbit Web API responses have their
 * `activities-…`, `sleep` or `hrv` keys. Undefined when none fits (the caller asks for --format).
 */
export async function detectFormat(path: string): Promise<ImportFormat | undefined> {
  const fh = await open(path, 'r');
  let head: string;
  try {
    const buf = Buffer.alloc(65536);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
  const lead = head.trimStart().charAt(0);
  if (head.startsWith('PK') || lead === '<') return 'apple-health';
  if (lead !== '{' && lead !== '[') return undefined;
  if (/"resourceType"\s*:/.test(head)) return 'fhir';
  if (/"schema_id"\s*:/.test(head)) return 'omh';
  if (/"(activities-[a-z-]+|sleep|hrv)"\s*:/.test(head)) return 'fitbit';
  return undefined;
}

/**
 * Opens `path` as `format`: Apple Health export.zip (by its PK signature) or export.xml; Fitbit JSON (one response
 * or an array of responses); OMH data points as NDJSON or a JSON array; FHIR as a Bundle, an array or NDJSON.
 */
export async function openImport(path: string, format: ImportFormat, catalog: MetricCatalog, options: OpenImportOptions = {}): Promise<AsyncIterable<ImportItem>> {
  const lead = await firstByte(path);
  switch (format) {
    case 'apple-health':
      if (lead === 'P') {
        let size = 0;
        const entry = await openAppleHealthZip(path, (n) => (size = n));
        return importAppleHealthXml(options.onBytes ? counted(entry, size, options.onBytes) : entry, catalog);
      }
      return importAppleHealthXml(await fileStream(path, options), catalog);
    case 'fitbit': {
      if (!options.fitbit) throw new FlauraError('WEARABLES_FITBIT_OFFSET_REQUIRED', 400, 'Fitbit imports need the profile UTC offset (Fitbit times are local)');
      const doc = await readJsonDocument(path);
      return importFitbit(Array.isArray(doc) ? doc : [doc], catalog, options.fitbit);
    }
    case 'omh':
      if (lead === '[') {
        const doc = await readJsonDocument(path);
        return importOmh(arrayLines(doc as unknown[]), catalog);
      }
      return importOmh(readJsonLines(await fileStream(path, options)), catalog);
    case 'fhir': {
      if (lead !== '{' && lead !== '[') throw new FlauraError('WEARABLES_BAD_JSON', 400, 'FHIR input must be a Bundle, a JSON array or NDJSON');
      if (lead === '{') {
        // NDJSON when the first line is a whole non-Bundle resource; otherwise one (pretty-printed) document.
        const lines = readJsonLines(await fileStream(path, options));
        const first = await lines.next();
        const value = !first.done && 'value' in first.value ? (first.value.value as { resourceType?: string } | null) : undefined;
        if (value && value.resourceType !== 'Bundle') return importFhirObservations(prepend(first.value as JsonLine, lines), catalog);
        await lines.return(undefined);
      }
      const doc = await readJsonDocument(path);
      return importFhirObservations(Array.isArray(doc) ? arrayLines(doc) : bundleEntries(doc), catalog);
    }
  }
}

async function* prepend(first: JsonLine, rest: AsyncIterable<JsonLine>): AsyncGenerator<JsonLine> {
  yield first;
  yield* rest;
}
