// Declared assayed regions (BED, UCSC format: chrom, 0-based start, exclusive end): a panel's definition positions
// that the VCF omits but the BED covers are taken as homozygous reference (panels often write only variant sites).
import { readFile } from 'node:fs/promises';
import { FlauraError } from '../../../errors.ts';
import { normalizeChromosome } from './lines.ts';

/** Intervals per `chrN`, as 1-based inclusive [first, last] positions. */
export type AssayedRegions = ReadonlyMap<string, ReadonlyArray<readonly [number, number]>>;

function bedError(line: number, why: string): FlauraError {
  return new FlauraError('PGX_BED_INVALID', 400, `line ${line}: ${why}`);
}

/** Parses BED text; `track`, `browser` and `#` lines are skipped; a bad line is a 400 naming it. */
export function parseBed(text: string): AssayedRegions {
  const regions = new Map<string, Array<[number, number]>>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#') || line.startsWith('track') || line.startsWith('browser')) return;
    const [chrom, startText, endText] = line.split('\t');
    if (!chrom || startText === undefined || endText === undefined) throw bedError(i + 1, 'a BED line needs chrom, start and end separated by tabs');
    if (!/^\d+$/.test(startText) || !/^\d+$/.test(endText)) throw bedError(i + 1, `start "${startText}" and end "${endText}" must be non-negative integers`);
    const start = Number(startText);
    const end = Number(endText);
    if (end <= start) throw bedError(i + 1, `end ${end} must be greater than start ${start}`);
    const key = normalizeChromosome(chrom);
    const list = regions.get(key) ?? [];
    list.push([start + 1, end]);
    regions.set(key, list);
  });
  return regions;
}

export async function readBed(path: string): Promise<AssayedRegions> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new FlauraError('PGX_INPUT_UNREADABLE', 400, `cannot read BED file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  }
  return parseBed(text);
}

export function covers(regions: AssayedRegions, chromosome: string, position: number): boolean {
  return (regions.get(chromosome) ?? []).some(([first, last]) => position >= first && position <= last);
}
