// `flaura import wearables --patient ID <file>` (alias `flaura wearables import`): stream a device export into the
// time-series store all-or-nothing with a progress bar and a per-record error report, then publish the daily
// summaries as FHIR and store alerts. `flaura wearables report`: alerts and the plain-language weekly summary.
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { SingleBar, Presets } from 'cli-progress';
import { Option, type Command } from 'commander';
import { FlauraError } from '../../errors.ts';
import { evaluateAlerts } from './alerts/evaluate.ts';
import { applyOverrides, loadAlertRules } from './alerts/rules.ts';
import { addDays } from './baselines/baseline.ts';
import { detectFormat, IMPORT_FORMATS, openImport, type ImportFormat } from './importers/open-import.ts';
import { loadMetricCatalog } from './metrics/catalog.ts';
import { endDatedMetrics } from './pipeline.ts';
import type { WearablesDeps } from './service/deps.ts';
import { processImport, type ProcessImportResult } from './service/process-import.ts';
import { readDailySeries } from './storage/daily-series.ts';
import { ingestImport, type ImportResult } from './storage/ingest.ts';
import { readAlertSettings } from './service/alert-settings.ts';
import { declaredExclusions } from './service/illness-windows.ts';
import { weeklySummary } from './summaries/weekly.ts';

/** An opened EMR: what the commands need, and how to close it. */
export interface WearablesEmr {
  deps: WearablesDeps;
  close(): Promise<void>;
}

/** Injection points: the EMR to open, the clock, where output goes. */
export interface WearablesCliOptions {
  /** Opens the EMR on the database the flags (or the environment) name. */
  open: (where: { data?: string; databaseUrl?: string }) => Promise<WearablesEmr>;
  now?: () => Date;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** Import ids (default random UUIDs). */
  newId?: () => string;
  /** Force the progress bar on/off (default: stderr is a terminal). */
  progress?: boolean;
}

interface DbFlags {
  data?: string;
  databaseUrl?: string;
}

interface ImportFlags extends DbFlags {
  format?: ImportFormat;
  patient: string;
  timeZone: string;
  utcOffset?: string;
  json?: boolean;
  errors?: string;
}

interface ReportFlags extends DbFlags {
  patient: string;
  timeZone: string;
  asOf?: string;
  json?: boolean;
}

/** Issues printed to the terminal; `--errors FILE` writes all of them (up to MAX_ISSUES). */
const SHOWN_ISSUES = 20;
const MAX_ISSUES = 100_000;

/** The human report of one import. */
export function formatImportReport(patientId: string, r: ImportResult, p: ProcessImportResult | undefined, errorsFile?: string): string[] {
  const lines = [
    `Imported for Patient/${patientId} (import ${r.importId}): ${r.received + r.rejected} records read, ${r.inserted} samples stored, ${r.duplicates} already stored, ${r.rejected} rejected.`,
  ];
  if (p?.days) lines.push(`Daily summaries ${p.days.from} … ${p.days.to}: ${p.summaries.published} FHIR Observations written, ${p.summaries.unchanged} unchanged; alerts: ${p.alerts.written} stored or updated${p.alerts.withdrawn ? `, ${p.alerts.withdrawn} withdrawn` : ''}.`);
  if (r.rejected > 0) {
    lines.push(`Rejected records${r.rejected > SHOWN_ISSUES ? ` (first ${SHOWN_ISSUES})` : ''}:`);
    for (const i of r.issues.slice(0, SHOWN_ISSUES)) lines.push(`  ${i.line !== undefined ? `line ${i.line}: ` : ''}${i.reason} — ${i.record.length > 160 ? `${i.record.slice(0, 160)}…` : i.record}`);
    if (errorsFile) lines.push(`All ${Math.min(r.rejected, MAX_ISSUES)} rejected records are listed in ${errorsFile}.`);
    else if (r.rejected > SHOWN_ISSUES) lines.push(`… ${r.rejected - SHOWN_ISSUES} more; pass --errors FILE for the full list.`);
  }
  return lines;
}

/** Adds `flaura import wearables` and the `wearables` command group (`import` alias, `report`). */
export function registerWearablesCli(program: Command, options: WearablesCliOptions): void {
  const now = options.now ?? (() => new Date());
  const out = options.stdout ?? ((t: string) => process.stdout.write(t));
  const err = options.stderr ?? ((t: string) => process.stderr.write(t));
  const fail = (cmd: Command, e: unknown): never => {
    if (e instanceof FlauraError) cmd.error(`error: ${e.message}`, { exitCode: e.status >= 500 ? 3 : 2, code: `wearables.${e.code}` });
    throw e;
  };
  const withEmr = async <T>(where: DbFlags, fn: (emr: WearablesEmr) => Promise<T>): Promise<T> => {
    const emr = await options.open({ ...(where.data ? { data: where.data } : {}), ...(where.databaseUrl ? { databaseUrl: where.databaseUrl } : {}) });
    try {
      return await fn(emr);
    } finally {
      await emr.close();
    }
  };

  const importAction = async (file: string, _own: ImportFlags, cmd: Command): Promise<void> => {
    // `import` declares --data/--database-url too and takes them wherever they appear.
    const flags = cmd.optsWithGlobals<ImportFlags>();
    let bar: SingleBar | undefined;
    try {
      const offset = flags.utcOffset === undefined ? undefined : Number(flags.utcOffset);
      if (offset !== undefined && !Number.isInteger(offset)) throw new FlauraError('WEARABLES_BAD_OFFSET', 400, '--utc-offset must be whole minutes');
      const format = flags.format ?? (await detectFormat(file).catch((e: NodeJS.ErrnoException) => {
        throw new FlauraError('WEARABLES_INPUT_UNREADABLE', 400, `cannot read ${file}: ${e.code ?? e.message}`, { cause: e });
      }));
      if (!format) throw new FlauraError('WEARABLES_UNKNOWN_FORMAT', 400, `Cannot tell the format of ${file}; pass --format ${IMPORT_FORMATS.join('|')}`);
      const catalog = loadMetricCatalog();
      const showBar = options.progress ?? process.stderr.isTTY === true;
      bar = showBar ? new SingleBar({ format: `importing ${format} [{bar}] {percentage}% | {value}/{total} MB | {records} records, {rejected} rejected`, stream: process.stderr, hideCursor: true }, Presets.shades_classic) : undefined;
      let records = { received: 0, rejected: 0 };
      let lastTenth = -1;
      const onBytes = (read: number, total: number) => {
        const mb = (n: number) => Math.round(n / 104857.6) / 10;
        if (bar) {
          if (bar.getTotal() !== mb(total)) bar.start(mb(total), 0, { records: 0, rejected: 0 });
          bar.update(mb(read), { records: records.received + records.rejected, rejected: records.rejected });
          return;
        }
        const tenth = Math.floor((10 * read) / Math.max(total, 1));
        if (tenth > lastTenth && options.progress !== false) {
          lastTenth = tenth;
          err(`importing ${format}: ${Math.min(100, tenth * 10)}% of the file read\n`);
        }
      };
      const { result, processed } = await withEmr(flags, async ({ deps }) => {
        const items = await openImport(file, format, catalog, { onBytes, ...(offset !== undefined ? { fitbit: { utcOffsetMinutes: offset } } : {}) });
        const at = now();
        const result = await ingestImport(deps.db, items, {
          patientId: flags.patient, importId: (options.newId ?? randomUUID)(), format, now: at, timeZone: flags.timeZone,
          sourcePriority: catalog.defaultSourcePriority, endDatedMetrics: endDatedMetrics(catalog), maxIssues: MAX_ISSUES,
          onProgress: (c) => (records = c),
        });
        bar?.stop();
        bar = undefined;
        const processed = await processImport(deps, catalog, loadAlertRules(), result, { patientId: flags.patient, timeZone: flags.timeZone, importFormat: format, now: at });
        return { result, processed };
      });
      if (flags.errors && result.rejected > 0) await writeFile(flags.errors, JSON.stringify(result.issues, null, 2) + '\n');
      if (flags.json) out(JSON.stringify({ ...result, summaries: processed.summaries, alerts: processed.alerts }, null, 2) + '\n');
      else out(formatImportReport(flags.patient, result, processed, flags.errors).join('\n') + '\n');
    } catch (e) {
      bar?.stop();
      // The samples are stored in one transaction: a fatal error leaves nothing behind.
      if (e instanceof FlauraError) err('nothing was imported.\n');
      fail(cmd, e);
    }
  };

  const importOptions = (c: Command): Command =>
    c
      .argument('<file>', 'Apple Health export.zip or export.xml, Fitbit Web API JSON, Open mHealth JSON/NDJSON, or FHIR Bundle/NDJSON')
      .requiredOption('--patient <id>', 'patient id')
      .addOption(new Option('--format <format>', 'input format (default: detected from the file)').choices([...IMPORT_FORMATS]))
      .option('--time-zone <iana>', 'time zone the patient days are cut in', 'UTC')
      .option('--utc-offset <minutes>', 'Fitbit only: the profile UTC offset in minutes')
      .option('--errors <file>', 'write every rejected record (JSON) to this file')
      .option('--json', 'print the result as JSON')
      .option('--data <dir>', 'embedded database directory (FLAURA_DATA)')
      .option('--database-url <url>', 'PostgreSQL URL (DATABASE_URL)')
      .action(importAction);

  const importParent = program.commands.find((c) => c.name() === 'import') ?? program.command('import').description('import data');
  importOptions(importParent.command('wearables').description('import a wearable or phone health export for a patient (all or nothing; bad records are reported)'));

  const group = program.commands.find((c) => c.name() === 'wearables') ?? program.command('wearables').description('lifestyle data: import device exports, alerts, weekly summary');
  importOptions(group.command('import').description('same as `flaura import wearables`'));

  group
    .command('report')
    .description("alerts against the patient's own baselines and the plain-language weekly summary")
    .requiredOption('--patient <id>', 'patient id')
    .option('--time-zone <iana>', 'time zone the patient days are cut in', 'UTC')
    .option('--as-of <date>', 'last day evaluated (YYYY-MM-DD, default today)')
    .option('--json', 'print alerts and summary as JSON')
    .option('--data <dir>', 'embedded database directory (FLAURA_DATA)')
    .option('--database-url <url>', 'PostgreSQL URL (DATABASE_URL)')
    .action(async (flags: ReportFlags, cmd: Command) => {
      try {
        const asOf = flags.asOf ?? now().toISOString().slice(0, 10);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(asOf))) throw new FlauraError('WEARABLES_BAD_DATE', 400, '--as-of must be a date YYYY-MM-DD');
        const catalog = loadMetricCatalog();
        const rules = loadAlertRules();
        const { daily, overrides, exclude } = await withEmr(flags, async ({ deps }) => ({
          daily: await readDailySeries(deps.db, catalog, { patientId: flags.patient, from: addDays(asOf, -400), to: asOf, timeZone: flags.timeZone }),
          overrides: (await readAlertSettings(deps.db, flags.patient)).overrides,
          exclude: await declaredExclusions(deps.db, flags.patient),
        }));
        const alerts = evaluateAlerts({ patientId: flags.patient, daily, rules: applyOverrides(rules, overrides), baseline: rules.baseline, exclude, asOf });
        const summary = weeklySummary({ daily, weekEnd: asOf, alerts });
        if (flags.json) out(JSON.stringify({ alerts, summary }, null, 2) + '\n');
        else out([...alerts.map((a) => `[${a.status}] ${a.title} since ${a.onset}${a.resolvedOn ? `, resolved ${a.resolvedOn}` : ''}`), '', summary.text, ''].join('\n'));
      } catch (e) {
        fail(cmd, e);
      }
    });
}
