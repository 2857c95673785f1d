// `flaura pgx call`: VCF and/or outside calls → report (json | fhir | html | text), with a progress bar on large files.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { Option } from 'commander';
import type { Command } from 'commander';
import { FlauraError } from '../../errors.ts';
import { runPgx } from './pipeline.ts';
import type { VcfCaller } from './pipeline.ts';
import { FORMAT_EXTENSION, PGX_FORMATS, renderPatientText, renderPgx } from './report/render.ts';
import type { PgxFormat } from './report/render.ts';

/** Files at least this big get a progress bar (when stderr is a terminal). */
const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

/** Injection points for tests and for wiring stages 1–2. */
export interface PgxCliOptions {
  callVcf?: VcfCaller;
  /** Clock for `generatedAt` (the only clock read in the PGx module). */
  now?: () => Date;
  stdout?: (text: string) => void;
  /** Force the progress bar on/off (default: stderr is a TTY and the VCF is large). */
  progress?: boolean;
}

interface CallFlags {
  sample?: string;
  outsideCalls?: string;
  allMatches?: boolean;
  assayedPositions?: string;
  cyp2d6FromVcf?: boolean;
  findCombinations?: boolean;
  format: PgxFormat;
  out?: string;
  sex?: 'male' | 'female';
  dpwg: boolean;
}

async function progressBar(vcf: string, forced: boolean | undefined): Promise<SingleBar | undefined> {
  const size = (await stat(vcf).catch(() => undefined))?.size ?? 0;
  const on = forced ?? (process.stderr.isTTY === true && size >= PROGRESS_MIN_BYTES);
  if (!on) return undefined;
  const bar = new SingleBar({ format: 'reading VCF [{bar}] {percentage}% | {value}/{total} MB', stream: process.stderr, hideCursor: true }, Presets.shades_classic);
  bar.start(Math.max(1, Math.ceil(size / 1048576)), 0);
  return bar;
}

/** Adds `pgx call <file.vcf[.gz]>` to the program (wiring into src/cli/main.ts is done by the CLI owner). */
export function registerPgxCli(program: Command, options: PgxCliOptions = {}): void {
  const pgx = program.commands.find((c) => c.name() === 'pgx') ?? program.command('pgx').description('pharmacogenomics: call genes, phenotype, recommend');
  pgx
    .command('call')
    .description('call PGx genes from a VCF (and/or outside calls) and write a report')
    .argument('<file>', 'VCF file (.vcf or .vcf.gz); use "-" with --outside-calls to skip the VCF')
    .option('--sample <id>', 'sample in a multi-sample VCF')
    .option('--outside-calls <file>', 'outside calls: TSV (gene, diplotype, phenotype, activity score) or FHIR JSON Observations')
    .option('--all-matches', 'report every plausible diplotype, not only the top-scoring ones')
    .option('--assayed-positions <bed>', 'BED file of the regions the assay covers: definition positions absent from the VCF but inside count as reference')
    .option('--cyp2d6-from-vcf', 'also call CYP2D6 from the VCF (SNVs/indels only: copy number and the *5 deletion are not assessed, the call says so)')
    .option('--find-combinations', "research: when no pair of defined alleles fits, report combination alleles ('[*2 + *3]', several defined alleles on one gene copy) and partial alleles ('[*3 + g.94942234G>T]'); these are not phenotyped")
    .addOption(new Option('--format <format>', 'report format').choices([...PGX_FORMATS]).default('text'))
    .option('--out <dir>', 'write the report (and a patient explanation) into this folder instead of stdout')
    .addOption(new Option('--sex <sex>', 'for X-linked genes (G6PD)').choices(['male', 'female']))
    .option('--no-dpwg', 'use CPIC (CC0) recommendations only, without DPWG (CC BY-SA 4.0)')
    .action(async (file: string, flags: CallFlags, cmd: Command) => {
      const vcf = file === '-' ? undefined : file;
      const bar = vcf ? await progressBar(vcf, options.progress) : undefined;
      try {
        const result = await runPgx(
          {
            ...(vcf ? { vcf } : {}),
            ...(flags.outsideCalls ? { outsideCalls: flags.outsideCalls } : {}),
            ...(flags.sample ? { sample: flags.sample } : {}),
            allMatches: flags.allMatches === true,
            ...(flags.assayedPositions ? { assayed: flags.assayedPositions } : {}),
            ...(flags.cyp2d6FromVcf ? { cyp2d6FromVcf: true } : {}),
            ...(flags.findCombinations ? { findCombinations: true } : {}),
            ...(flags.sex ? { sex: flags.sex } : {}),
            dpwg: flags.dpwg,
            ...(bar ? { onProgress: (read: number) => bar.update(Math.floor(read / 1048576)) } : {}),
          },
          options.callVcf,
        );
        bar?.stop();
        const generatedAt = (options.now ?? (() => new Date()))().toISOString();
        const report = renderPgx(result, flags.format, generatedAt);
        if (flags.out) {
          await mkdir(flags.out, { recursive: true });
          const stem = (result.sample ?? 'sample').replace(/[^\w.-]+/g, '_');
          await writeFile(join(flags.out, `${stem}.${FORMAT_EXTENSION[flags.format]}`), report);
          await writeFile(join(flags.out, `${stem}.patient.txt`), renderPatientText(result));
        } else {
          (options.stdout ?? ((t: string) => process.stdout.write(t)))(report);
        }
      } catch (err) {
        bar?.stop();
        if (err instanceof FlauraError) cmd.error(`error: ${err.message}`, { exitCode: err.status >= 500 ? 3 : 2, code: `pgx.${err.code}` });
        throw err;
      }
    });
}
