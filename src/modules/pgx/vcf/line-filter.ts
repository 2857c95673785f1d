// Byte-level pre-check of VCF data lines: CHROM and POS are read from the bytes and looked up in the requested
// positions, so the ~99.98 % of a genome VCF's records that no PGx definition needs are never decoded or split.
import { normalizeChromosome } from './lines.ts';

const TAB = 0x09;
const ZERO = 0x30;
const NINE = 0x39;
const END_EQ = Buffer.from('END=');

/** The requested positions per chromosome (the `chrN` part of the `chrN:pos` keys), ascending. */
export function positionsByChromosome(positions: ReadonlySet<string>): Map<string, number[]> {
  const sorted = new Map<string, number[]>();
  for (const key of positions) {
    const colon = key.lastIndexOf(':');
    const chrom = key.slice(0, colon);
    const list = sorted.get(chrom) ?? [];
    list.push(Number(key.slice(colon + 1)));
    sorted.set(chrom, list);
  }
  for (const list of sorted.values()) list.sort((a, b) => a - b);
  return sorted;
}

/**
 * Decides from a data line's bytes whether the string parser must see it. It must when the line is not well formed
 * up to POS (fewer than two tabs, POS not digits: the parser throws the error with the line number, as for every line
 * before), when its position is requested, or, with `blocks`, when it mentions `END=` on a chromosome with requested
 * positions (a gVCF block may cover them). Anything unusual (a POS with a leading zero or too many digits to be exact
 * as a number) also goes to the parser, which compares the POS text as it always has.
 */
export class DataLineFilter {
  /** Requested positions per normalized chromosome, as numbers (only keys whose POS text is a plain integer). */
  private readonly numeric = new Map<string, Set<number>>();
  private readonly chromosomes: ReadonlySet<string>;
  // The last CHROM seen, as bytes, and what it maps to: a sorted VCF changes chromosome a few dozen times.
  private lastChrom = Buffer.alloc(64);
  private lastChromLength = -1;
  private wanted: Set<number> | undefined;
  private chromWanted = false;
  // The next `END=` at or after some earlier line start in `endBuf` (Infinity: none), reused until passed.
  private endBuf: Buffer | null = null;
  private endAt = -1;

  constructor(positions: ReadonlySet<string>, private readonly blocks: boolean) {
    for (const key of positions) {
      const colon = key.lastIndexOf(':');
      const chrom = key.slice(0, colon);
      const text = key.slice(colon + 1);
      const set = this.numeric.get(chrom) ?? new Set<number>();
      if (/^(0|[1-9][0-9]{0,14})$/.test(text)) set.add(Number(text));
      this.numeric.set(chrom, set);
    }
    this.chromosomes = new Set(this.numeric.keys());
  }

  /** True when the data line `buf[start, end)` has to be decoded and parsed; false when it can be skipped. */
  mustParse(buf: Buffer, start: number, end: number): boolean {
    let t1 = start;
    while (t1 < end && buf[t1] !== TAB) t1++;
    if (t1 >= end) return true;
    if (!this.sameChromosome(buf, start, t1)) this.switchChromosome(buf, start, t1);
    if (!this.chromWanted) {
      // Still check the POS syntax, as the string parser does for every line.
      let p = t1 + 1;
      while (p < end && buf[p]! >= ZERO && buf[p]! <= NINE) p++;
      return p === t1 + 1 || p >= end || buf[p] !== TAB;
    }
    let p = t1 + 1;
    let pos = 0;
    while (p < end) {
      const c = buf[p]!;
      if (c < ZERO || c > NINE) break;
      pos = pos * 10 + (c - ZERO);
      p++;
    }
    const digits = p - t1 - 1;
    if (digits === 0 || p >= end || buf[p] !== TAB) return true;
    if ((digits > 1 && buf[t1 + 1] === ZERO) || digits > 15) return true;
    if (this.wanted!.has(pos)) return true;
    return this.blocks && this.mentionsEnd(buf, start, end);
  }

  private sameChromosome(buf: Buffer, start: number, t1: number): boolean {
    const n = t1 - start;
    if (n !== this.lastChromLength) return false;
    const last = this.lastChrom;
    for (let i = 0; i < n; i++) if (buf[start + i] !== last[i]) return false;
    return true;
  }

  private switchChromosome(buf: Buffer, start: number, t1: number): void {
    const n = t1 - start;
    if (this.lastChrom.length < n) this.lastChrom = Buffer.alloc(n);
    buf.copy(this.lastChrom, 0, start, t1);
    this.lastChromLength = n;
    const chromosome = normalizeChromosome(buf.toString('utf8', start, t1));
    this.wanted = this.numeric.get(chromosome);
    this.chromWanted = this.chromosomes.has(chromosome);
  }

  /** Whether `END=` occurs in `buf[start, end)` (anywhere in the line, as the block parser's first test). */
  private mentionsEnd(buf: Buffer, start: number, end: number): boolean {
    if (buf !== this.endBuf || this.endAt < start) {
      const i = buf.indexOf(END_EQ, start);
      this.endBuf = buf;
      this.endAt = i < 0 ? Infinity : i;
    }
    return this.endAt + END_EQ.length <= end;
  }
}
