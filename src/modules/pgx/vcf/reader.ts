// Streaming VCF 4.x reader (plain, gzip or bgzip) that keeps only the genotypes at requested PGx positions.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FlauraError } from '../../../errors.ts';
import { forEachLine } from './byte-lines.ts';
import { DataLineFilter, positionsByChromosome } from './line-filter.ts';
import { headerLine, parseDataLine, referenceBlock } from './lines.ts';
import type { VcfGenotype } from './lines.ts';

export type { VcfGenotype } from './lines.ts';

/** Options of one read. */
export interface ReadVcfOptions {
  /** Positions to keep, as `chrN:pos` (`chr`-prefixed). */
  positions: ReadonlySet<string>;
  /** Sample column to read; default the first. */
  sample?: string;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** What a read returns: the chosen sample and its genotypes by `chrN:pos` (duplicates: see `replaces`). */
export interface VcfReadResult {
  sample: string;
  genotypes: Map<string, VcfGenotype>;
}

function vcfError(message: string): FlauraError {
  return new FlauraError('PGX_VCF_INVALID', 400, message);
}

/** Peeks the first two bytes: gzip and bgzip both start with 1f 8b. */
async function isGzip(path: string): Promise<boolean> {
  const stream = createReadStream(path, { start: 0, end: 1 });
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  const head = Buffer.concat(chunks);
  return head.length === 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Reads a VCF file line by line (never whole into memory). Throws FlauraError 400 `PGX_VCF_INVALID` with the
 * line number for a missing `##fileformat`/`#CHROM` header or a malformed record, `PGX_VCF_WRONG_BUILD` when
 * `##reference` names GRCh37/hg19, `PGX_VCF_SAMPLE_UNKNOWN` for an unknown sample.
 */
export async function readVcf(path: string, options: ReadVcfOptions): Promise<VcfReadResult> {
  return withVcfBytes(path, options.onProgress, (chunks) => readVcfBytes(chunks, options));
}

/**
 * Opens a VCF (plain, gzip or bgzip) as a stream of (decompressed) byte chunks for `fn`; errors other than FlauraError
 * become 400 `PGX_VCF_INVALID`. Split it into lines with `forEachLine`: the bytes are not decoded as a whole.
 */
export async function withVcfBytes<T>(path: string, onProgress: ReadVcfOptions['onProgress'], fn: (chunks: AsyncIterable<Buffer>) => Promise<T>): Promise<T> {
  let total = 0;
  try {
    total = (await stat(path)).size;
  } catch (err) {
    throw new FlauraError('PGX_INPUT_UNREADABLE', 400, `cannot read VCF file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  }
  const gz = await isGzip(path);
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  let bytesRead = 0;
  if (onProgress) {
    raw.on('data', (chunk) => {
      bytesRead += chunk.length;
      onProgress(bytesRead, total);
    });
  }
  const bytes: Readable = gz ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
  if (gz) raw.on('error', (e) => bytes.destroy(e));
  try {
    return await fn(bytes);
  } catch (err) {
    if (err instanceof FlauraError) throw err;
    throw vcfError(`cannot read VCF file ${path}: ${(err as Error).message}`);
  } finally {
    raw.destroy();
    bytes.destroy();
  }
}

/**
 * Several records at one position (split multi-allelic sites, an indel and a SNV starting at the same base):
 * the first one wins unless it is a no-call or homozygous reference and the later one is called.
 */
export function replaces(existing: VcfGenotype | undefined, next: VcfGenotype): boolean {
  if (!existing) return true;
  if (!next.alleles) return false;
  return existing.blockReference === true || !existing.alleles || existing.alleles.every((a) => a === existing.ref);
}

/** Parses VCF lines from any line source (exported for tests and for in-memory input). */
export async function readLines(lines: AsyncIterable<string>, options: Omit<ReadVcfOptions, 'onProgress'>): Promise<VcfReadResult> {
  const reader = new SampleReader(options);
  for await (const line of lines) reader.line(line);
  return reader.result();
}

/**
 * Parses a VCF from (decompressed) byte chunks: the lines are split and pre-checked as bytes, and only the header,
 * the records at requested positions and the gVCF blocks that may cover them are decoded (see `DataLineFilter`).
 * Same results and errors as `readLines` over the same text.
 */
export async function readVcfBytes(chunks: AsyncIterable<Buffer>, options: Omit<ReadVcfOptions, 'onProgress'>): Promise<VcfReadResult> {
  const reader = new SampleReader(options);
  await forEachLine(chunks, (buf, start, end) => reader.bytes(buf, start, end));
  return reader.result();
}

/** One sample's genotypes, fed line by line (as text or as bytes). */
class SampleReader {
  private lineNo = 0;
  private sawFormat = false;
  private sampleColumn = -1;
  private sample = '';
  private readonly genotypes = new Map<string, VcfGenotype>();
  private readonly sortedByChrom: Map<string, number[]>;
  private readonly filter: DataLineFilter;

  constructor(private readonly options: Omit<ReadVcfOptions, 'onProgress'>) {
    this.sortedByChrom = positionsByChromosome(options.positions);
    this.filter = new DataLineFilter(options.positions, true);
  }

  line(line: string): void {
    this.lineNo++;
    if (line === '') return;
    if (this.sampleColumn < 0) this.header(line);
    else this.record(line);
  }

  bytes(buf: Buffer, start: number, end: number): void {
    this.lineNo++;
    if (start === end) return;
    if (this.sampleColumn < 0) this.header(buf.toString('utf8', start, end));
    else if (this.filter.mustParse(buf, start, end)) this.record(buf.toString('utf8', start, end));
  }

  private header(line: string): void {
    if (this.lineNo === 1) this.sawFormat = true;
    const samples = headerLine(line, this.lineNo);
    if (!samples) return;
    const wanted = this.options.sample ?? samples[0] ?? '';
    const idx = samples.indexOf(wanted);
    if (idx < 0) throw new FlauraError('PGX_VCF_SAMPLE_UNKNOWN', 400, `sample "${wanted}" is not in the VCF (samples: ${samples.join(', ')})`);
    this.sampleColumn = 9 + idx;
    this.sample = wanted;
  }

  private record(line: string): void {
    const { genotypes, lineNo, sampleColumn } = this;
    const record = parseDataLine(line, lineNo, sampleColumn, this.options.positions);
    if (record && replaces(genotypes.get(record.key), record.genotype)) genotypes.set(record.key, record.genotype);
    for (const block of referenceBlock(line, lineNo, sampleColumn, this.sortedByChrom)) {
      const key = `${block.chromosome}:${block.position}`;
      if (!genotypes.has(key)) genotypes.set(key, block);
    }
  }

  result(): VcfReadResult {
    if (!this.sawFormat) throw vcfError('line 1: empty file, not a VCF');
    if (this.sampleColumn < 0) throw vcfError(`line ${this.lineNo}: no #CHROM header line`);
    return { sample: this.sample, genotypes: this.genotypes };
  }
}
