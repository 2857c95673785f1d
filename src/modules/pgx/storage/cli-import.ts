// `flaura import pgx --patient <id> <file> [file] [--cyp2d6-from-vcf]`: store a VCF and/or outside-call result for a patient, through a
// running server's API when one owns the data directory (or --url is given), otherwise into the database opened here.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import type { Bundle } from '@medplum/fhirtypes';
import { loadConfig, type FlauraConfig } from '../../../config.ts';
import { readDataDirLock } from '../../../db/index.ts';
import { FlauraError } from '../../../errors.ts';
import type { FhirStore } from '../../../fhir/store/types.ts';
import type { VcfCaller } from '../pipeline.ts';
import { CYP2D6_FROM_VCF, partialVcfWarnings } from './import-options.ts';
import { importPgxResult, type PgxImportOutcome } from './import-result.ts';
import { MAX_STORED_FILE_BYTES, type UploadedFile } from './input-files.ts';

/** An opened EMR (in-process): what storing needs, and how to close it. */
export interface OpenedEmr {
  store: FhirStore;
  transaction: (bundle: Bundle) => Promise<Bundle>;
  close(): Promise<void>;
}

export interface PgxImportCliOptions {
  /** Opens the EMR on the configured database (wired in src/cli/program.ts, so this module needs no server import). */
  open: (config: FlauraConfig) => Promise<OpenedEmr>;
  callVcf: VcfCaller;
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
  /** Force the progress bar on/off (default: stderr is a terminal). */
  progress?: boolean;
}

interface Flags {
  patient: string;
  sample?: string;
  cyp2d6FromVcf?: boolean;
  data?: string;
  databaseUrl?: string;
  url?: string;
  token?: string;
}

/** The summary printed after an import. */
export function formatImportSummary(patientId: string, o: PgxImportOutcome): string[] {
  if (o.status === 'unchanged') return [`Already stored for Patient/${patientId}: DiagnosticReport/${o.reportId} (same content, sha256 ${o.contentHash.slice(0, 12)}…); nothing written.`];
  const called = o.genes.filter((g) => g.diplotypes.length > 0 || g.phenotype !== 'Indeterminate');
  const partial = partialVcfWarnings();
  return [
    `Stored PGx result DiagnosticReport/${o.reportId} for Patient/${patientId}: ${o.written} resources in one transaction; ${o.superseded.length} older Observation(s) amended.`,
    `${called.length} gene(s) called, ${o.genes.length - called.length} not called:`,
    ...called.map((g) => `  ${g.gene.padEnd(8)} ${(g.diplotypes.join(' or ') || '-').padEnd(16)} ${g.phenotype} (${[g.source, ...g.warnings.filter((w) => partial.has(w))].join('; ')})`),
    ...o.warnings.map((w) => `Note: ${w.message}`),
  ];
}

async function viaHttp(url: string, token: string | undefined, flags: Flags, files: { name: string; bytes: Buffer }[]): Promise<PgxImportOutcome> {
  const form = new FormData();
  files.forEach((f, i) => form.append(`file${i}`, new Blob([new Uint8Array(f.bytes)]), f.name));
  const params = new URLSearchParams({ ...(flags.sample ? { sample: flags.sample } : {}), ...(flags.cyp2d6FromVcf ? { [CYP2D6_FROM_VCF]: 'true' } : {}) });
  const query = params.size > 0 ? `?${params.toString()}` : '';
  const res = await fetch(`${url.replace(/\/$/, '')}/pgx/patients/${encodeURIComponent(flags.patient)}/results${query}`, { method: 'POST', body: form, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = (await res.json()) as PgxImportOutcome & { issue?: { diagnostics?: string }[] };
  if (!res.ok) throw new FlauraError('PGX_IMPORT_REJECTED', res.status, body.issue?.map((i) => i.diagnostics).join('; ') ?? `HTTP ${res.status}`);
  return body;
}

/** Adds `pgx` under the existing `import` command (`flaura import pgx ...`). */
export function registerPgxImportCli(program: Command, options: PgxImportCliOptions): void {
  const parent = program.commands.find((c) => c.name() === 'import') ?? program.command('import').description('import data');
  const out = options.stdout ?? ((l: string) => console.log(l));
  const err = options.stderr ?? ((l: string) => console.error(l));
  parent
    .command('pgx')
    .description('store a pharmacogenomic result for a patient: a VCF (plain or bgzip) and/or a lab outside-call file')
    .argument('<files...>', 'one VCF and/or one outside-call file (TSV or FHIR JSON)')
    .requiredOption('--patient <id>', 'patient id')
    .option('--sample <id>', 'sample in a multi-sample VCF')
    .option('--cyp2d6-from-vcf', 'also call CYP2D6 from the VCF (SNVs/indels only: copy number and the *5 deletion are not assessed, the stored call says so; needs a VCF)')
    .option('--data <dir>', 'embedded database directory (FLAURA_DATA)')
    .option('--database-url <url>', 'PostgreSQL URL (DATABASE_URL)')
    .option('--url <url>', 'a running Flaura server to import through')
    .option('--token <token>', 'access token for --url (FLAURA_TOKEN)')
    .action(async (paths: string[], _own: Flags, cmd: Command) => {
      // `import` declares --data/--url/... too and, without positional options, takes them wherever they appear.
      const flags = cmd.optsWithGlobals<Flags>();
      let bar: SingleBar | undefined;
      try {
        // Sizes first, so a whole-genome VCF is refused before it is read into memory.
        for (const p of paths) {
          const size = (await stat(p).catch(() => undefined))?.size ?? 0;
          if (size > MAX_STORED_FILE_BYTES) throw new FlauraError('PGX_FILE_TOO_LARGE', 413, `${p} is ${(size / 1048576).toFixed(1)} MiB; at most ${MAX_STORED_FILE_BYTES / 1048576} MiB is stored with a result. Cut it to the PGx regions first (bcftools view -R), or call it with flaura pgx call.`);
        }
        const files = await Promise.all(
          paths.map(async (p) => {
            try {
              return { name: basename(p), bytes: await readFile(p) };
            } catch (e) {
              throw new FlauraError('PGX_INPUT_UNREADABLE', 400, `cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e });
            }
          }),
        );
        const config = loadConfig({ dataDir: flags.data, databaseUrl: flags.databaseUrl, logLevel: 'warn' });
        const running = flags.url ?? (config.databaseUrl ? undefined : readDataDirLock(config.dataDir)?.url);
        let outcome: PgxImportOutcome;
        if (running) {
          err(`sending ${files.length} file(s) to ${running} …`);
          outcome = await viaHttp(running, flags.token ?? process.env.FLAURA_TOKEN, flags, files);
        } else {
          const showBar = options.progress ?? process.stderr.isTTY === true;
          bar = showBar ? new SingleBar({ format: 'reading VCF [{bar}] {percentage}% | {value}/{total} KB', stream: process.stderr }, Presets.shades_classic) : undefined;
          let lastTenth = -1;
          const onProgress = (read: number, total: number) => {
            if (bar) {
              if (bar.getTotal() !== Math.ceil(total / 1024)) bar.start(Math.ceil(total / 1024), 0);
              bar.update(Math.floor(read / 1024));
            } else {
              const tenth = Math.floor((10 * read) / Math.max(total, 1));
              if (tenth > lastTenth) {
                lastTenth = tenth;
                err(`reading VCF ${Math.min(100, tenth * 10)}%`);
              }
            }
          };
          const emr = await options.open(config);
          try {
            const uploads: UploadedFile[] = files.map((f) => ({ name: f.name, bytes: f.bytes }));
            outcome = await importPgxResult(
              { store: emr.store, transaction: emr.transaction, callVcf: options.callVcf },
              { patientId: flags.patient, files: uploads, ...(flags.sample ? { sample: flags.sample } : {}), ...(flags.cyp2d6FromVcf ? { cyp2d6FromVcf: true } : {}), authorDisplay: 'operator (flaura import pgx)', onProgress },
            );
          } finally {
            bar?.stop();
            await emr.close();
          }
        }
        for (const line of formatImportSummary(flags.patient, outcome)) out(line);
      } catch (e) {
        bar?.stop();
        if (e instanceof FlauraError) cmd.error(`error: ${e.message}`, { exitCode: e.status >= 500 ? 3 : 2, code: `pgx.${e.code}` });
        throw e;
      }
    });
}
