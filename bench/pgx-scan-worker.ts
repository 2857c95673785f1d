// Child process of the pgx benchmark: scans one VCF and reports time and peak RSS of this process alone.
//   node --import tsx bench/pgx-scan-worker.ts <call|raw|gunzip> <file>
import { createReadStream, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { callVcf } from '../src/modules/pgx/matcher/caller.ts';

const [mode, file] = process.argv.slice(2);
if (!file) throw new Error('usage: pgx-scan-worker.ts <call|raw|gunzip> <file>');
if (mode === 'call') {
  // Load and prepare the allele definitions first: the scan rate is the reader's, not the start-up's.
  const warm = join(mkdtempSync(join(tmpdir(), 'pgx-warm-')), 'warm.vcf');
  writeFileSync(warm, '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS\n');
  await callVcf(warm, { allMatches: false });
}
const started = performance.now();
let summary = '';
if (mode === 'call') {
  const { calls } = await callVcf(file, { allMatches: false });
  summary = calls.filter((c) => c.diplotypes.length > 0).map((c) => `${c.gene} ${c.diplotypes[0]!.name}`).join('; ');
} else {
  // Baselines: the bytes alone (raw read) and the decompression alone, consumed without any parsing.
  let n = 0;
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const stream = mode === 'gunzip' ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
  for await (const chunk of stream) n += (chunk as Buffer).length;
  summary = `${n} bytes`;
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(JSON.stringify({ mode, seconds, fileBytes: statSync(file).size, maxRssMiB: process.resourceUsage().maxRSS / 1024, summary }) + '\n');
