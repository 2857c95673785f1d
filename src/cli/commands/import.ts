// `flaura import <bundle.json|file.ndjson>...`: FHIR Bundles and NDJSON into Flaura, through a running server's API
// when one owns the data directory (or --url is given), otherwise into the database opened here.
import { createReadStream, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { loadConfig } from '../../config.ts';
import { readDataDirLock } from '../../db/index.ts';
import { FlauraError } from '../../errors.ts';
import { createFlaura, FHIR_PREFIX, type Flaura } from '../../server.ts';

/** Sends one Bundle (batch or transaction) and returns the response Bundle. */
type Send = (bundle: Bundle) => Promise<Bundle>;

export interface ImportSummary {
  files: number;
  imported: Record<string, number>;
  failures: { where: string; message: string }[];
  seconds: number;
}

function entryFor(resource: Resource): BundleEntry {
  return resource.id
    ? { resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } }
    : { resource, request: { method: 'POST', url: resource.resourceType } };
}

function record(summary: ImportSummary, response: Bundle, wheres: string[]): void {
  (response.entry ?? []).forEach((e, i) => {
    const status = Number(e.response?.status?.split(' ')[0]);
    if (status >= 200 && status < 300) {
      const type = e.resource?.resourceType ?? e.response?.location?.split('/')[0] ?? 'unknown';
      summary.imported[type] = (summary.imported[type] ?? 0) + 1;
    } else {
      const diagnostics = (e.response?.outcome as { issue?: { diagnostics?: string }[] } | undefined)?.issue?.map((x) => x.diagnostics).join('; ');
      summary.failures.push({ where: wheres[i] ?? '?', message: `${e.response?.status}: ${diagnostics ?? 'failed'}` });
    }
  });
}

/** Imports the files; bad lines and rejected resources are reported, the rest is imported. */
export async function importFiles(files: readonly string[], send: Send, options: { batchSize: number; onProgress?: (bytes: number) => void }): Promise<ImportSummary> {
  const started = performance.now();
  const summary: ImportSummary = { files: files.length, imported: {}, failures: [], seconds: 0 };
  for (const file of files) {
    if (/\.ndjson$/i.test(file)) {
      let batch: BundleEntry[] = [];
      let wheres: string[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        record(summary, await send({ resourceType: 'Bundle', type: 'batch', entry: batch }), wheres);
        batch = [];
        wheres = [];
      };
      let lineNo = 0;
      const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
      for await (const line of lines) {
        lineNo++;
        options.onProgress?.(Buffer.byteLength(line) + 1);
        if (line.trim() === '') continue;
        let resource: Resource;
        try {
          resource = JSON.parse(line) as Resource;
        } catch (err) {
          summary.failures.push({ where: `${file}:${lineNo}`, message: `not JSON: ${(err as Error).message}` });
          continue;
        }
        if (typeof resource !== 'object' || resource === null || typeof resource.resourceType !== 'string') {
          summary.failures.push({ where: `${file}:${lineNo}`, message: 'not a FHIR resource (no resourceType)' });
          continue;
        }
        batch.push(entryFor(resource));
        wheres.push(`${file}:${lineNo}`);
        if (batch.length >= options.batchSize) await flush();
      }
      await flush();
    } else {
      const text = await readFile(file, 'utf8');
      options.onProgress?.(Buffer.byteLength(text));
      let bundle: Bundle;
      try {
        bundle = JSON.parse(text) as Bundle;
      } catch (err) {
        summary.failures.push({ where: file, message: `not JSON: ${(err as Error).message}` });
        continue;
      }
      if (bundle.resourceType !== 'Bundle') {
        bundle = { resourceType: 'Bundle', type: 'batch', entry: [entryFor(bundle as Resource)] };
      } else if (bundle.type !== 'transaction' && bundle.type !== 'batch') {
        // A collection or searchset: its resources are loaded as a batch.
        bundle = { resourceType: 'Bundle', type: 'batch', entry: (bundle.entry ?? []).filter((e) => e.resource).map((e) => entryFor(e.resource!)) };
      }
      try {
        const response = await send(bundle);
        record(summary, response, (bundle.entry ?? []).map((_, i) => `${file}#entry[${i}]`));
      } catch (err) {
        summary.failures.push({ where: file, message: (err as Error).message });
      }
    }
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

function httpSender(baseUrl: string, token?: string): Send {
  return async (bundle) => {
    const res = await fetch(`${baseUrl.replace(/\/$/, '')}${FHIR_PREFIX}`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(bundle),
    });
    const body = (await res.json()) as Bundle | { issue?: { diagnostics?: string }[] };
    if (!res.ok) throw new FlauraError('IMPORT_REJECTED', res.status, (body as { issue?: { diagnostics?: string }[] }).issue?.map((i) => i.diagnostics).join('; ') ?? `HTTP ${res.status}`);
    return body as Bundle;
  };
}

function embeddedSender(flaura: Flaura): Send {
  return async (bundle) => {
    const res = await flaura.router.handle({ method: 'POST', path: '', query: [], headers: {}, body: bundle, contentType: 'application/fhir+json', baseUrl: flaura.store.baseUrl });
    return res.body as Bundle;
  };
}

export function printSummary(summary: ImportSummary, log: (line: string) => void = console.log): void {
  const total = Object.values(summary.imported).reduce((a, b) => a + b, 0);
  log(`Imported ${total} resources from ${summary.files} file(s) in ${summary.seconds.toFixed(1)} s (${(total / Math.max(summary.seconds, 0.001)).toFixed(0)} resources/s).`);
  for (const [type, n] of Object.entries(summary.imported).sort()) log(`  ${type}: ${n}`);
  if (summary.failures.length > 0) {
    log(`${summary.failures.length} failure(s):`);
    for (const f of summary.failures.slice(0, 100)) log(`  ${f.where}: ${f.message}`);
  }
}

export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description('Import FHIR Bundles (.json) or NDJSON (.ndjson), with a progress bar and a summary')
    .argument('<files...>')
    .option('--data <dir>', 'embedded database directory (FLAURA_DATA)')
    .option('--database-url <url>', 'PostgreSQL URL (DATABASE_URL)')
    .option('--url <url>', 'a running Flaura server to import through')
    .option('--token <token>', 'access token for --url (FLAURA_TOKEN)')
    .option('--batch-size <n>', 'NDJSON resources per request', '500')
    .action(async (files: string[], opts: { data?: string; databaseUrl?: string; url?: string; token?: string; batchSize: string }) => {
      const batchSize = Number(opts.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new FlauraError('CONFIG_INVALID', 400, '--batch-size must be 1 to 10000');
      const totalBytes = files.reduce((n, f) => {
        try {
          return n + statSync(f).size;
        } catch {
          throw new FlauraError('IMPORT_FILE_MISSING', 400, `Cannot read ${f}`);
        }
      }, 0);
      const config = loadConfig({ dataDir: opts.data, databaseUrl: opts.databaseUrl, logLevel: 'warn' });
      const running = opts.url ?? (config.databaseUrl ? undefined : readDataDirLock(config.dataDir)?.url);
      const bar = process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'importing [{bar}] {percentage}% {value}/{total} bytes' }, cliProgress.Presets.shades_classic) : undefined;
      let done = 0;
      let lastLine = 0;
      bar?.start(totalBytes, 0);
      const onProgress = (bytes: number) => {
        done += bytes;
        if (bar) bar.update(done);
        else if (done - lastLine > totalBytes / 10) {
          lastLine = done;
          console.error(`imported ${Math.round((100 * done) / Math.max(totalBytes, 1))}%`);
        }
      };
      let summary: ImportSummary;
      if (running) summary = await importFiles(files, httpSender(running, opts.token ?? process.env.FLAURA_TOKEN), { batchSize, onProgress });
      else {
        const flaura = await createFlaura(config);
        try {
          summary = await importFiles(files, embeddedSender(flaura), { batchSize, onProgress });
        } finally {
          await flaura.close();
        }
      }
      bar?.stop();
      printSummary(summary);
      if (summary.failures.length > 0) process.exitCode = 1;
    });
}
