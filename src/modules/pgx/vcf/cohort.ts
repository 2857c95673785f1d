// Multi-sample VCFs in one pass: every sample's genotypes at the PGx positions (a 1,000-sample cohort file is read
// once, not once per sample). gVCF reference blocks are a single-sample feature and are not expanded here.
import { FlauraError } from '../../../errors.ts';
import { parseDataLineSamples, parseHeaderLine, type VcfGenotype } from './lines.ts';
import { replaces, withVcfLines, type ReadVcfOptions } from './reader.ts';

export interface VcfCohortResult {
  samples: string[];
  /** Per sample (same order), genotypes by `chrN:pos`. */
  genotypes: Map<string, VcfGenotype>[];
}

function vcfError(message: string): FlauraError {
  return new FlauraError('PGX_VCF_INVALID', 400, message);
}

/** Reads all samples (or the listed ones) of a VCF at `positions`. Errors as `readVcf`. */
export async function readVcfCohort(path: string, options: Omit<ReadVcfOptions, 'sample'> & { samples?: readonly string[] }): Promise<VcfCohortResult> {
  return withVcfLines(path, options.onProgress, async (lines) => {
    let lineNo = 0;
    let columns: number[] | undefined;
    let samples: string[] = [];
    let genotypes: Map<string, VcfGenotype>[] = [];
    for await (const line of lines) {
      lineNo++;
      if (line === '') continue;
      if (!columns) {
        if (lineNo === 1) {
          if (!line.startsWith('##fileformat=VCF')) throw vcfError('line 1: a VCF must start with ##fileformat=VCFv4.x');
          continue;
        }
        if (line.startsWith('##')) {
          parseHeaderLine(line, lineNo);
          continue;
        }
        if (!line.startsWith('#CHROM')) throw vcfError(`line ${lineNo}: expected the #CHROM header line before the records`);
        const cols = line.split('\t');
        if (cols.length < 10 || cols[8] !== 'FORMAT') throw vcfError(`line ${lineNo}: the #CHROM line has no FORMAT and sample columns`);
        const all = cols.slice(9);
        samples = options.samples ? [...options.samples] : all;
        const unknown = samples.filter((s) => !all.includes(s));
        if (unknown.length > 0) throw new FlauraError('PGX_VCF_SAMPLE_UNKNOWN', 400, `sample(s) ${unknown.join(', ')} not in the VCF`);
        columns = samples.map((s) => 9 + all.indexOf(s));
        genotypes = samples.map(() => new Map());
        continue;
      }
      const record = parseDataLineSamples(line, lineNo, columns, options.positions);
      if (!record) continue;
      record.genotypes.forEach((g, i) => {
        const map = genotypes[i]!;
        if (replaces(map.get(record.key), g)) map.set(record.key, g);
      });
    }
    if (lineNo === 0) throw vcfError('line 1: empty file, not a VCF');
    if (!columns) throw vcfError(`line ${lineNo}: no #CHROM header line`);
    return { samples, genotypes };
  });
}
