// Multi-sample VCFs in one pass: every sample's genotypes at the PGx positions (a 1,000-sample cohort file is read
// once, not once per sample). gVCF reference blocks are a single-sample feature and are not expanded here.
import { FlauraError } from '../../../errors.ts';
import { headerLine, parseDataLineSamples, type VcfGenotype } from './lines.ts';
import { forEachLine } from './byte-lines.ts';
import { DataLineFilter } from './line-filter.ts';
import { replaces, withVcfBytes, type ReadVcfOptions } from './reader.ts';

export interface VcfCohortResult {
  samples: string[];
  /** Per sample (same order), genotypes by `chrN:pos`. */
  genotypes: Map<string, VcfGenotype>[];
}

function vcfError(message: string): FlauraError {
  return new FlauraError('PGX_VCF_INVALID', 400, message);
}

type CohortOptions = Omit<ReadVcfOptions, 'sample' | 'onProgress'> & { samples?: readonly string[] };

/** Reads all samples (or the listed ones) of a VCF at `positions`. Errors as `readVcf`. */
export async function readVcfCohort(path: string, options: CohortOptions & Pick<ReadVcfOptions, 'onProgress'>): Promise<VcfCohortResult> {
  return withVcfBytes(path, options.onProgress, (chunks) => readVcfCohortBytes(chunks, options));
}

/** The same from (decompressed) byte chunks; only the header and the records at requested positions are decoded. */
export async function readVcfCohortBytes(chunks: AsyncIterable<Buffer>, options: CohortOptions): Promise<VcfCohortResult> {
  const reader = new CohortReader(options);
  await forEachLine(chunks, (buf, start, end) => reader.bytes(buf, start, end));
  return reader.result();
}

class CohortReader {
  private lineNo = 0;
  private columns: number[] | undefined;
  private samples: string[] = [];
  private genotypes: Map<string, VcfGenotype>[] = [];
  private readonly filter: DataLineFilter;

  constructor(private readonly options: CohortOptions) {
    this.filter = new DataLineFilter(options.positions, false);
  }

  bytes(buf: Buffer, start: number, end: number): void {
    this.lineNo++;
    if (start === end) return;
    if (!this.columns) this.header(buf.toString('utf8', start, end));
    else if (this.filter.mustParse(buf, start, end)) this.record(buf.toString('utf8', start, end), this.columns);
  }

  private header(line: string): void {
    const all = headerLine(line, this.lineNo);
    if (!all) return;
    const samples = this.options.samples ? [...this.options.samples] : all;
    const unknown = samples.filter((s) => !all.includes(s));
    if (unknown.length > 0) throw new FlauraError('PGX_VCF_SAMPLE_UNKNOWN', 400, `sample(s) ${unknown.join(', ')} not in the VCF`);
    this.samples = samples;
    this.columns = samples.map((s) => 9 + all.indexOf(s));
    this.genotypes = samples.map(() => new Map());
  }

  private record(line: string, columns: number[]): void {
    const record = parseDataLineSamples(line, this.lineNo, columns, this.options.positions);
    if (!record) return;
    record.genotypes.forEach((g, i) => {
      const map = this.genotypes[i]!;
      if (replaces(map.get(record.key), g)) map.set(record.key, g);
    });
  }

  result(): VcfCohortResult {
    if (this.lineNo === 0) throw vcfError('line 1: empty file, not a VCF');
    if (!this.columns) throw vcfError(`line ${this.lineNo}: no #CHROM header line`);
    return { samples: this.samples, genotypes: this.genotypes };
  }
}
