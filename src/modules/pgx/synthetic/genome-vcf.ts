// Synthetic whole-genome-like VCFs for benchmarks: millions of GATK-shaped SNV records over chr1–22/X with the
// PGx panel records at their true positions, written plain and as real BGZF (bgzip) blocks. Never committed: the
// benchmark writes them into os.tmpdir() at run time.
import { closeSync, openSync, writeSync } from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';
import { prng } from '../../../demo/prng.ts';
import type { SyntheticRecord } from './allele-vcf.ts';
import { recordLine, vcfHeader } from './allele-vcf.ts';

/** GRCh38 primary chromosome lengths (Genome Reference Consortium, GCA_000001405.15). */
const GRCH38: ReadonlyArray<[string, number]> = [
  ['chr1', 248956422], ['chr2', 242193529], ['chr3', 198295559], ['chr4', 190214555], ['chr5', 181538259], ['chr6', 170805979],
  ['chr7', 159345973], ['chr8', 145138636], ['chr9', 138394717], ['chr10', 133797422], ['chr11', 135086622], ['chr12', 133275309],
  ['chr13', 114364328], ['chr14', 107043718], ['chr15', 101991189], ['chr16', 90338345], ['chr17', 83257441], ['chr18', 80373285],
  ['chr19', 58617616], ['chr20', 64444167], ['chr21', 46709983], ['chr22', 50818468], ['chrX', 156040895],
];

const BASES = ['A', 'C', 'G', 'T'] as const;

/** A GATK HaplotypeCaller-like SNV record (~190 bytes). */
function randomLine(chrom: string, pos: number, random: () => number): string {
  const ref = BASES[Math.floor(random() * 4)]!;
  const alt = BASES[(BASES.indexOf(ref) + 1 + Math.floor(random() * 3)) % 4]!;
  const hom = random() < 0.35;
  const dp = 20 + Math.floor(random() * 40);
  const altReads = hom ? dp : Math.floor(dp / 2);
  const qual = (30 + random() * 1500).toFixed(2);
  const info = `AC=${hom ? 2 : 1};AF=${hom ? '1.00' : '0.500'};AN=2;BaseQRankSum=0.${Math.floor(random() * 900)};DP=${dp};ExcessHet=3.0103;FS=0.000;MLEAC=${hom ? 2 : 1};MLEAF=${hom ? '1.00' : '0.500'};MQ=60.00;QD=${(Number(qual) / dp).toFixed(2)};SOR=0.693`;
  const pl = hom ? `${dp * 30},${dp * 3},0` : `${dp * 10},0,${dp * 12}`;
  return `${chrom}\t${pos}\t.\t${ref}\t${alt}\t${qual}\tPASS\t${info}\tGT:AD:DP:GQ:PL\t${hom ? '1/1' : '0/1'}:${dp - altReads},${altReads}:${dp}:99:${pl}`;
}

/** Sink for generated text: plain file and/or BGZF file. */
interface Sink {
  write(text: string): void;
  close(): void;
}

/** BGZF (SAM spec §4.1): gzip members of ≤ 64 KiB input with the `BC` extra field, then the 28-byte EOF block. */
export function bgzfWriter(path: string, level = 6): Sink {
  const fd = openSync(path, 'w');
  const MAX = 0xff00;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const block = (data: Buffer) => {
    const cdata = deflateRawSync(data, { level });
    const header = Buffer.from([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 0x42, 0x43, 2, 0, 0, 0]);
    header.writeUInt16LE(header.length + cdata.length + 8 - 1, 16);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc32(data) >>> 0, 0);
    trailer.writeUInt32LE(data.length, 4);
    writeSync(fd, Buffer.concat([header, cdata, trailer]));
  };
  const flush = (all: boolean) => {
    let buf = Buffer.concat(pending);
    while (buf.length >= MAX || (all && buf.length > 0)) {
      block(buf.subarray(0, MAX));
      buf = buf.subarray(Math.min(MAX, buf.length));
    }
    pending = buf.length > 0 ? [buf] : [];
    pendingBytes = buf.length;
  };
  return {
    write(text) {
      const b = Buffer.from(text);
      pending.push(b);
      pendingBytes += b.length;
      if (pendingBytes >= 64 * MAX) flush(false);
    },
    close() {
      flush(true);
      writeSync(fd, Buffer.from('1f8b08040000000000ff0600424302001b0003000000000000000000', 'hex'));
      closeSync(fd);
    },
  };
}

export function plainWriter(path: string): Sink {
  const fd = openSync(path, 'w');
  let buf: string[] = [];
  let size = 0;
  return {
    write(text) {
      buf.push(text);
      size += text.length;
      if (size >= 8 << 20) {
        writeSync(fd, buf.join(''));
        buf = [];
        size = 0;
      }
    },
    close() {
      writeSync(fd, buf.join(''));
      closeSync(fd);
    },
  };
}

/**
 * Writes about `targetBytes` of VCF text to every sink: random SNVs spread over the genome in proportion to
 * chromosome length, with `panel` records (e.g. from `panelVcf`) merged in at their positions. Returns the bytes and
 * records written.
 */
export function writeGenomeVcf(sinks: readonly Sink[], panel: readonly SyntheticRecord[], targetBytes: number, seed = 4242): { bytes: number; records: number } {
  const random = prng(seed);
  const genome = GRCH38.reduce((n, [, len]) => n + len, 0);
  const approxLine = 191;
  const gap = Math.max(2, Math.floor(genome / (targetBytes / approxLine)));
  let bytes = 0;
  let records = 0;
  const emit = (text: string) => {
    bytes += Buffer.byteLength(text);
    for (const s of sinks) s.write(text);
  };
  emit(vcfHeader(['NA00001'], GRCH38.map(([c, len]) => `##contig=<ID=${c},length=${len}>`)));
  for (const [chrom, length] of GRCH38) {
    const mine = panel.filter((r) => r.chromosome === chrom).sort((a, b) => a.position - b.position);
    let next = 0;
    let chunk: string[] = [];
    for (let pos = 1 + Math.floor(random() * gap); pos < length; pos += 1 + Math.floor(random() * 2 * gap)) {
      while (next < mine.length && mine[next]!.position <= pos) {
        chunk.push(recordLine(mine[next]!));
        if (mine[next]!.position === pos) pos++;
        next++;
      }
      chunk.push(randomLine(chrom, pos, random));
      records++;
      if (chunk.length >= 4096) {
        emit(chunk.join('\n') + '\n');
        chunk = [];
      }
    }
    for (; next < mine.length; next++) chunk.push(recordLine(mine[next]!));
    if (chunk.length > 0) emit(chunk.join('\n') + '\n');
  }
  for (const s of sinks) s.close();
  return { bytes, records };
}
