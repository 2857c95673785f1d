// Test helper: writes small VCF texts (plain or gzip) from a list of records.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One VCF record for the builder; `gts` are the sample GT strings in column order. */
export interface TestRecord { chrom: string; pos: number; ref: string; alt: string; gts: string[] }

/** Builds VCF text: header (with optional extra meta lines and sample names) then records. */
export function vcfText(records: TestRecord[], opts: { samples?: string[]; meta?: string[] } = {}): string {
  const samples = opts.samples ?? ['S1'];
  const lines = ['##fileformat=VCFv4.2', ...(opts.meta ?? []), ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', ...samples].join('\t')];
  for (const r of records) lines.push([r.chrom, r.pos, '.', r.ref, r.alt, '50', 'PASS', '.', 'GT:DP', ...r.gts.map((g) => `${g}:30`)].join('\t'));
  return lines.join('\n') + '\n';
}

/** Writes text into a fresh temporary file (gzip-compressed when `gzip`, as two members like bgzip). */
export function writeVcf(text: string, gzip = false): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgx-vcf-'));
  const path = join(dir, gzip ? 'in.vcf.gz' : 'in.vcf');
  if (!gzip) writeFileSync(path, text);
  else {
    const half = Math.floor(text.length / 2);
    writeFileSync(path, Buffer.concat([gzipSync(text.slice(0, half)), gzipSync(text.slice(half))]));
  }
  return path;
}

/** Yields `text`'s bytes in chunks of `size` (the last one shorter), to put lines across chunk boundaries. */
export async function* chunked(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
