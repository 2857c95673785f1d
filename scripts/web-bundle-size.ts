// Measures the web app's initial load: the files web/dist/index.html pulls in before any route chunk (entry script,
// its modulepreloads, stylesheets), raw and gzipped. Prints a table; `--json` prints the numbers.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const webDist = resolve(fileURLToPath(new URL('../web/dist', import.meta.url)));

export interface BundleSize {
  files: { file: string; bytes: number; gzip: number }[];
  bytes: number;
  gzip: number;
}

/** The initial files named by index.html (src/href under /assets/), plus index.html itself. */
export function initialBundle(dist = webDist): BundleSize {
  const indexPath = join(dist, 'index.html');
  if (!existsSync(indexPath)) throw new Error(`${indexPath} is missing: run npm run build:web first`);
  const html = readFileSync(indexPath, 'utf8');
  const refs = [...new Set([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!))];
  const files = ['index.html', ...refs].map((file) => {
    const bytes = readFileSync(join(dist, file));
    return { file, bytes: statSync(join(dist, file)).size, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  return { files, bytes: files.reduce((a, f) => a + f.bytes, 0), gzip: files.reduce((a, f) => a + f.gzip, 0) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const size = initialBundle();
  if (process.argv.includes('--json')) console.log(JSON.stringify(size, null, 2));
  else {
    for (const f of size.files) console.log(`${f.file.padEnd(40)} ${(f.bytes / 1024).toFixed(1).padStart(8)} kB ${(f.gzip / 1024).toFixed(1).padStart(8)} kB gzip`);
    console.log(`${'initial load'.padEnd(40)} ${(size.bytes / 1024).toFixed(1).padStart(8)} kB ${(size.gzip / 1024).toFixed(1).padStart(8)} kB gzip`);
  }
}
