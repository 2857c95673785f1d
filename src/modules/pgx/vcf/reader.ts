// Streaming VCF 4.x reader (plain, gzip or bgzip) that keeps only the genotypes at requested PGx positions.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FlauraError } from '../../../errors.ts';
import { parseDataLine, parseHeaderLine, referenceBlock } from './lines.ts';
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
  return withVcfLines(path, options.onProgress, (lines) => readLines(lines, options));
}

/** Opens a VCF (plain, gzip or bgzip) as lines for `fn`; errors other than FlauraError become 400 `PGX_VCF_INVALID`. */
export async function withVcfLines<T>(path: string, onProgress: ReadVcfOptions['onProgress'], fn: (lines: AsyncIterable<string>) => Promise<T>): Promise<T> {
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
  const text: Readable = gz ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
  if (gz) raw.on('error', (e) => text.destroy(e));
  try {
    return await fn(createInterface({ input: text, crlfDelay: Infinity }));
  } catch (err) {
    if (err instanceof FlauraError) throw err;
    throw vcfError(`cannot read VCF file ${path}: ${(err as Error).message}`);
  } finally {
    raw.destroy();
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
  let lineNo = 0;
  let sawFormat = false;
  let sampleColumn = -1;
  let sample = '';
  const genotypes = new Map<string, VcfGenotype>();
  const sortedByChrom = new Map<string, number[]>();
  for (const key of options.positions) {
    const colon = key.lastIndexOf(':');
    const chrom = key.slice(0, colon);
    const list = sortedByChrom.get(chrom) ?? [];
    list.push(Number(key.slice(colon + 1)));
    sortedByChrom.set(chrom, list);
  }
  for (const list of sortedByChrom.values()) list.sort((a, b) => a - b);
  for await (const line of lines) {
    lineNo++;
    if (line === '') continue;
    if (sampleColumn < 0) {
      if (lineNo === 1) {
        if (!line.startsWith('##fileformat=VCF')) throw vcfError(`line 1: a VCF must start with ##fileformat=VCFv4.x`);
        sawFormat = true;
        continue;
      }
      if (line.startsWith('##')) {
        parseHeaderLine(line, lineNo);
        continue;
      }
      if (!line.startsWith('#CHROM')) throw vcfError(`line ${lineNo}: expected the #CHROM header line before the records`);
      const cols = line.split('\t');
      const samples = cols.slice(9);
      if (cols.length < 10 || cols[8] !== 'FORMAT') throw vcfError(`line ${lineNo}: the #CHROM line has no FORMAT and sample columns`);
      const wanted = options.sample ?? samples[0] ?? '';
      const idx = samples.indexOf(wanted);
      if (idx < 0) throw new FlauraError('PGX_VCF_SAMPLE_UNKNOWN', 400, `sample "${wanted}" is not in the VCF (samples: ${samples.join(', ')})`);
      sampleColumn = 9 + idx;
      sample = wanted;
      continue;
    }
    const record = parseDataLine(line, lineNo, sampleColumn, options.positions);
    if (record && replaces(genotypes.get(record.key), record.genotype)) genotypes.set(record.key, record.genotype);
    for (const block of referenceBlock(line, lineNo, sampleColumn, sortedByChrom)) {
      const key = `${block.chromosome}:${block.position}`;
      if (!genotypes.has(key)) genotypes.set(key, block);
    }
  }
  if (!sawFormat) throw vcfError('line 1: empty file, not a VCF');
  if (sampleColumn < 0) throw vcfError(`line ${lineNo}: no #CHROM header line`);
  return { sample, genotypes };
}
