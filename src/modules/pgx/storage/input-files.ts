// Uploaded PGx input: which kind a file is (VCF or outside calls), its content hash, and a safe file name.
import { createHash } from 'node:crypto';
import { FlauraError } from '../../../errors.ts';

/** One uploaded file: a VCF (plain or bgzip) or an outside-call file (TSV or FHIR JSON). */
export interface UploadedFile {
  name?: string;
  bytes: Buffer;
}

export type InputKind = 'vcf' | 'outside-call' | 'bed';

function isGzip(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * A file named `*.bed` declares the assayed regions; a gzip stream is a (b)gzipped VCF; text starting
 * `##fileformat=VCF` is a VCF; anything else is an outside-call file.
 */
export function classifyInput(file: UploadedFile): InputKind {
  if (/\.bed$/i.test(file.name ?? '')) return 'bed';
  if (isGzip(file.bytes)) return 'vcf';
  const head = file.bytes.subarray(0, 64).toString('utf8').replace(/^\uFEFF/, '');
  return head.startsWith('##fileformat=VCF') ? 'vcf' : 'outside-call';
}

export function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The idempotency key of an import: SHA-256 over the sorted per-file hashes (one file: its own hash's hash). Options
 * that change the result are part of it (the same VCF with `cyp2d6FromVcf` is a different result, stored anew);
 * without options the key is the files' alone, as before options existed.
 */
export function contentHash(files: readonly UploadedFile[], options: { cyp2d6FromVcf?: boolean; sample?: string } = {}): string {
  const lines = files.map((f) => sha256Hex(f.bytes)).sort();
  if (options.cyp2d6FromVcf) lines.push('option:cyp2d6FromVcf');
  // Another sample column of the same multi-sample VCF is another person's result.
  if (options.sample !== undefined) lines.push(`option:sample=${options.sample}`);
  return sha256Hex(lines.join('\n'));
}

/** A file name safe to write in a temporary folder, keeping the extension the pipeline reads (.vcf.gz, .json, .tsv). */
export function safeFileName(file: UploadedFile, kind: InputKind): string {
  const base = (file.name ?? '').split(/[\\/]/).pop()?.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '') ?? '';
  if (kind === 'bed') return base || 'assayed.bed';
  if (kind === 'vcf') {
    const stem = base || 'upload.vcf';
    if (isGzip(file.bytes)) return stem.endsWith('.gz') ? stem : `${stem}.gz`;
    return stem.endsWith('.gz') ? stem.slice(0, -3) : stem;
  }
  const json = /^\s*[[{]/.test(file.bytes.subarray(0, 256).toString('utf8'));
  const stem = base || (json ? 'outside-calls.json' : 'outside-calls.tsv');
  return json && !stem.endsWith('.json') ? `${stem}.json` : stem;
}

/**
 * Largest upload stored as a Binary (the raw file is kept in the database, base64 in a JSON row): 48 MiB. Whole-genome
 * VCFs should be cut to the PGx regions first (e.g. `bcftools view -R`), or called with `flaura pgx call`.
 */
export const MAX_STORED_FILE_BYTES = 48 * 1024 * 1024;

/** At most one VCF, one outside-call file and one BED (with the VCF) per import (what the pipeline combines). */
export function splitInputs(files: readonly UploadedFile[]): { vcf?: UploadedFile; outside?: UploadedFile; bed?: UploadedFile } {
  const total = files.reduce((n, f) => n + f.bytes.length, 0);
  if (total > MAX_STORED_FILE_BYTES) {
    throw new FlauraError('PGX_FILE_TOO_LARGE', 413, `the upload is ${(total / 1048576).toFixed(1)} MiB; at most ${MAX_STORED_FILE_BYTES / 1048576} MiB is stored with a result. Cut a whole-genome VCF to the PGx regions first (bcftools view -R), or call it with flaura pgx call.`, { type: 'too-long' });
  }
  if (files.length === 0) throw new FlauraError('PGX_IMPORT_NO_FILE', 400, 'no file given: send a VCF (plain or bgzip) and/or an outside-call file');
  const out: { vcf?: UploadedFile; outside?: UploadedFile; bed?: UploadedFile } = {};
  const label = { vcf: 'VCF', outside: 'outside-call file', bed: 'BED file' } as const;
  for (const f of files) {
    if (f.bytes.length === 0) throw new FlauraError('PGX_IMPORT_NO_FILE', 400, `${f.name ?? 'the upload'} is empty`);
    const kind = classifyInput(f);
    const slot = kind === 'vcf' ? 'vcf' : kind === 'bed' ? 'bed' : 'outside';
    if (out[slot]) throw new FlauraError('PGX_IMPORT_TOO_MANY_FILES', 400, `at most one ${label[slot]} per import`);
    out[slot] = f;
  }
  if (out.bed && !out.vcf) throw new FlauraError('PGX_IMPORT_NO_FILE', 400, 'a BED file of assayed regions needs the VCF it describes');
  return out;
}
