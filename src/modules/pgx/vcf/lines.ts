// Parsing of single VCF lines: meta lines (build check) and data records (GT of one sample at kept positions).
import { FlauraError } from '../../../errors.ts';

/** A sample's genotype at one position, as allele strings. `alleles` is null for a no-call (`./.`). */
export interface VcfGenotype {
  chromosome: string;
  position: number;
  ref: string;
  alts: string[];
  /** The two called alleles (a haploid call is repeated), or null when not called. */
  alleles: [string, string] | null;
  /** True when the GT uses `|` (or is haploid). */
  phased: boolean;
  /** A haploid GT (`1`, e.g. a male's chrX): `alleles` repeats the one allele. */
  haploid?: boolean;
  /** FORMAT `PS` (phase set) of a phased call: phased calls of one set are phased with each other only. */
  phaseSet?: string;
  /** Inside a gVCF homozygous-reference block (`END=`): the REF base is not in the file, `alleles` is null. */
  blockReference?: boolean;
  /** Inside a gVCF block whose GT is a no-call (`./.`) or not reference (`0/1` against `<NON_REF>`): not genotyped. */
  blockNotCalled?: 'no-call' | 'non-reference';
  /** Set by indel normalization: the VCF record (`chrN:pos REF>ALTS`) this definition-position genotype was read from. */
  normalizedFrom?: string;
}

const WRONG_BUILD = /grch37|hg19|b37|hs37d5|ncbi37|human_g1k_v37/i;

/**
 * One line of the header, in order: line 1 must be `##fileformat=VCF…`, `##` lines are checked (`parseHeaderLine`), and
 * the `#CHROM` line ends the header. Returns the sample names when `line` is the `#CHROM` line, else undefined; throws
 * 400 `PGX_VCF_INVALID` with the line number for anything else.
 */
export function headerLine(line: string, lineNo: number): string[] | undefined {
  if (lineNo === 1) {
    if (!line.startsWith('##fileformat=VCF')) throw new FlauraError('PGX_VCF_INVALID', 400, 'line 1: a VCF must start with ##fileformat=VCFv4.x');
    return undefined;
  }
  if (line.startsWith('##')) {
    parseHeaderLine(line, lineNo);
    return undefined;
  }
  if (!line.startsWith('#CHROM')) throw new FlauraError('PGX_VCF_INVALID', 400, `line ${lineNo}: expected the #CHROM header line before the records`);
  const cols = line.split('\t');
  if (cols.length < 10 || cols[8] !== 'FORMAT') throw new FlauraError('PGX_VCF_INVALID', 400, `line ${lineNo}: the #CHROM line has no FORMAT and sample columns`);
  return cols.slice(9);
}

/** Checks a `##` meta line; rejects a `##reference` / `##assembly` naming GRCh37 (the definitions are GRCh38). */
export function parseHeaderLine(line: string, lineNo: number): void {
  if ((line.startsWith('##reference=') || line.startsWith('##assembly=')) && WRONG_BUILD.test(line)) {
    throw new FlauraError('PGX_VCF_WRONG_BUILD', 400, `line ${lineNo}: the VCF is aligned to GRCh37/hg19 (${line.slice(0, 120)}); the allele definitions are GRCh38, lift the file over first`);
  }
}

/** `10`, `chr10`, `CHR10` → `chr10`; `MT`/`chrMT` → `chrM`. */
export function normalizeChromosome(chrom: string): string {
  const bare = chrom.replace(/^chr/i, '');
  return `chr${bare.toUpperCase() === 'MT' ? 'M' : bare}`;
}

function malformed(lineNo: number, why: string): FlauraError {
  return new FlauraError('PGX_VCF_INVALID', 400, `line ${lineNo}: malformed VCF record (${why})`);
}

/**
 * gVCF blocks: when a record has `END=` in INFO and only `<NON_REF>`/`<*>` ALTs, returns the kept positions it covers
 * after its start (gVCF spec, GATK HaplotypeCaller -ERC GVCF): as reference for a 0/0 genotype, as not called (with
 * the reason) for a no-call or a non-reference genotype. `sortedByChrom` holds the kept positions per chromosome, ascending.
 */
export function referenceBlock(line: string, lineNo: number, sampleColumn: number, sortedByChrom: ReadonlyMap<string, number[]>): VcfGenotype[] {
  if (!line.includes('END=')) return [];
  const cols = line.split('\t');
  const chromosome = normalizeChromosome(cols[0] ?? '');
  const wanted = sortedByChrom.get(chromosome);
  if (!wanted) return [];
  const start = Number(cols[1]);
  const end = /(?:^|;)END=(\d+)/.exec(cols[7] ?? '')?.[1];
  if (end === undefined || !Number.isFinite(start)) return [];
  const alts = (cols[4] ?? '').split(',');
  if (!alts.every((a) => a === '<NON_REF>' || a === '<*>')) return [];
  const gtIndex = (cols[8] ?? '').split(':').indexOf('GT');
  const gt = gtIndex < 0 ? undefined : (cols[sampleColumn] ?? '').split(':')[gtIndex];
  if (gt === undefined) throw malformed(lineNo, 'FORMAT has no GT');
  const last = Number(end);
  const covered = wanted.filter((p) => p > start && p <= last);
  if (/^0([/|]0)?$/.test(gt)) return covered.map((position) => ({ chromosome, position, ref: '', alts: [], alleles: null, phased: true, blockReference: true }));
  // A block without a reference call says nothing usable about its positions: they stay no-calls, but marked so the
  // call can say why (a no-call block, or a non-reference allele of unknown sequence).
  const notCalled = gt.split(/[/|]/).some((a) => a === '.') ? 'no-call' : 'non-reference';
  return covered.map((position) => ({ chromosome, position, ref: '', alts: [], alleles: null, phased: false, blockNotCalled: notCalled }));
}

/**
 * Parses a data line when its position is one of `positions`; returns null for other positions without
 * splitting the whole line (most lines of a genome VCF are skipped). Throws 400 with the line number when bad.
 */
export function parseDataLine(line: string, lineNo: number, sampleColumn: number, positions: ReadonlySet<string>): { key: string; genotype: VcfGenotype } | null {
  const parsed = parseDataLineSamples(line, lineNo, [sampleColumn], positions);
  return parsed ? { key: parsed.key, genotype: parsed.genotypes[0]! } : null;
}

/**
 * The same for several sample columns at once (multi-sample VCFs): the line is split once, each column's GT (and
 * PS, the phase set) is parsed into its own genotype.
 */
export function parseDataLineSamples(line: string, lineNo: number, sampleColumns: readonly number[], positions: ReadonlySet<string>): { key: string; genotypes: VcfGenotype[] } | null {
  const t1 = line.indexOf('\t');
  const t2 = t1 < 0 ? -1 : line.indexOf('\t', t1 + 1);
  if (t2 < 0) throw malformed(lineNo, 'fewer than 10 tab-separated columns');
  const chromosome = normalizeChromosome(line.slice(0, t1));
  const posText = line.slice(t1 + 1, t2);
  if (!/^[0-9]+$/.test(posText)) throw malformed(lineNo, `POS "${posText}" is not a positive integer`);
  const key = `${chromosome}:${posText}`;
  if (!positions.has(key)) return null;
  const cols = line.split('\t');
  const ref = cols[3] ?? '';
  const altText = cols[4] ?? '';
  if (!/^[ACGTN]+$/i.test(ref)) throw malformed(lineNo, `REF "${ref}"`);
  const alts = altText === '.' ? [] : altText.split(',').map((a) => a.toUpperCase());
  const format = (cols[8] ?? '').split(':');
  const gtIndex = format.indexOf('GT');
  const psIndex = format.indexOf('PS');
  if (gtIndex < 0) throw malformed(lineNo, 'FORMAT has no GT');
  const genotypes = sampleColumns.map((column) => {
    if (cols.length <= column) throw malformed(lineNo, `${cols.length} columns, the sample column is ${column + 1}`);
    const fields = (cols[column] ?? '').split(':');
    const gt = fields[gtIndex] ?? '.';
    const phased = !gt.includes('/');
    const parts = gt.split(/[/|]/);
    if (parts.length > 2) throw malformed(lineNo, `GT "${gt}" is not diploid or haploid`);
    const ps = psIndex < 0 ? undefined : fields[psIndex];
    const genotype: VcfGenotype = { chromosome, position: Number(posText), ref: ref.toUpperCase(), alts, alleles: null, phased, ...(ps !== undefined && ps !== '.' && ps !== '' ? { phaseSet: ps } : {}) };
    if (parts.some((p) => p === '.')) return genotype;
    const bases = parts.map((p) => {
      if (!/^[0-9]+$/.test(p)) throw malformed(lineNo, `GT "${gt}"`);
      const i = Number(p);
      const allele = i === 0 ? genotype.ref : alts[i - 1];
      if (allele === undefined) throw malformed(lineNo, `GT "${gt}" refers to ALT ${i}, but there are ${alts.length}`);
      return allele;
    });
    // A called symbolic allele (`<NON_REF>`, `<*>`, `<DEL>`) or a spanning deletion (`*`) has no bases to match.
    if (bases.some((b) => b.startsWith('<') || b === '*')) return genotype;
    const [a = '', b = a] = bases;
    genotype.alleles = [a, b];
    if (bases.length === 1) genotype.haploid = true;
    return genotype;
  });
  return { key, genotypes };
}
