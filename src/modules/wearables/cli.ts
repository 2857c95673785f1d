// `flaura wearables import|report`: load a device export into the time-series store; print alerts and the weekly summary.
import { randomUUID } from 'node:crypto';
import { Option, type Command } from 'commander';
import { migrate, type Db } from '../../db/index.ts';
import { FlauraError } from '../../errors.ts';
import { evaluateAlerts } from './alerts/evaluate.ts';
import { applyOverrides, loadAlertRules } from './alerts/rules.ts';
import { addDays } from './baselines/baseline.ts';
import { IMPORT_FORMATS, type ImportFormat } from './importers/open-import.ts';
import { loadMetricCatalog } from './metrics/catalog.ts';
import { runImport } from './pipeline.ts';
import { readDailySeries } from './storage/daily-series.ts';
import { wearablesMigrations } from './storage/migrations.ts';
import { weeklySummary } from './summaries/weekly.ts';

/** Injection points: the database to use, the clock, and where output goes. */
export interface WearablesCliOptions {
  openDb: () => Promise<Db>;
  now?: () => Date;
  stdout?: (text: string) => void;
  /** Import ids (default random UUIDs). */
  newId?: () => string;
}

interface ImportFlags {
  format: ImportFormat;
  patient: string;
  timeZone: string;
  utcOffset?: string;
}

interface ReportFlags {
  patient: string;
  timeZone: string;
  asOf?: string;
  json?: boolean;
}

/** Adds the `wearables` command group to the CLI. */
export function registerWearablesCli(program: Command, options: WearablesCliOptions): void {
  const now = options.now ?? (() => new Date());
  const out = options.stdout ?? ((t: string) => process.stdout.write(t));
  const group = program.commands.find((c) => c.name() === 'wearables') ?? program.command('wearables').description('lifestyle data: import device exports, alerts, weekly summary');
  const fail = (cmd: Command, err: unknown): never => {
    if (err instanceof FlauraError) cmd.error(`error: ${err.message}`, { exitCode: err.status >= 500 ? 3 : 2, code: `wearables.${err.code}` });
    throw err;
  };
  const withDb = async <T>(fn: (db: Db) => Promise<T>): Promise<T> => {
    const db = await options.openDb();
    try {
      await migrate(db, wearablesMigrations);
      return await fn(db);
    } finally {
      await db.close();
    }
  };

  group
    .command('import')
    .description('import an Apple Health export (zip or xml), Fitbit JSON, Open mHealth or FHIR file for a patient')
    .argument('<file>')
    .addOption(new Option('--format <format>', 'input format').choices([...IMPORT_FORMATS]).makeOptionMandatory())
    .requiredOption('--patient <id>', 'patient id')
    .option('--time-zone <iana>', 'time zone the patient days are cut in', 'UTC')
    .option('--utc-offset <minutes>', 'Fitbit only: the profile UTC offset in minutes')
    .action(async (file: string, flags: ImportFlags, cmd: Command) => {
      try {
        const offset = flags.utcOffset === undefined ? undefined : Number(flags.utcOffset);
        if (offset !== undefined && !Number.isInteger(offset)) throw new FlauraError('WEARABLES_BAD_OFFSET', 400, '--utc-offset must be whole minutes');
        const catalog = loadMetricCatalog();
        const result = await withDb((db) => runImport(db, file, catalog, {
          patientId: flags.patient, importId: (options.newId ?? randomUUID)(), format: flags.format, now: now(), timeZone: flags.timeZone,
          ...(offset !== undefined ? { fitbit: { utcOffsetMinutes: offset } } : {}),
        }));
        out(JSON.stringify(result, null, 2) + '\n');
      } catch (err) {
        fail(cmd, err);
      }
    });

  group
    .command('report')
    .description("alerts against the patient's own baselines and the plain-language weekly summary")
    .requiredOption('--patient <id>', 'patient id')
    .option('--time-zone <iana>', 'time zone the patient days are cut in', 'UTC')
    .option('--as-of <date>', 'last day evaluated (YYYY-MM-DD, default today)')
    .option('--json', 'print alerts and summary as JSON')
    .action(async (flags: ReportFlags, cmd: Command) => {
      try {
        const asOf = flags.asOf ?? now().toISOString().slice(0, 10);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(asOf))) throw new FlauraError('WEARABLES_BAD_DATE', 400, '--as-of must be a date YYYY-MM-DD');
        const catalog = loadMetricCatalog();
        const rules = loadAlertRules();
        const daily = await withDb((db) => readDailySeries(db, catalog, { patientId: flags.patient, from: addDays(asOf, -400), to: asOf, timeZone: flags.timeZone }));
        const alerts = evaluateAlerts({ patientId: flags.patient, daily, rules: applyOverrides(rules), baseline: rules.baseline, asOf });
        const summary = weeklySummary({ daily, weekEnd: asOf, alerts });
        if (flags.json) out(JSON.stringify({ alerts, summary }, null, 2) + '\n');
        else out([...alerts.map((a) => `[${a.status}] ${a.title} since ${a.onset}${a.resolvedOn ? `, resolved ${a.resolvedOn}` : ''}`), '', summary.text, ''].join('\n'));
      } catch (err) {
        fail(cmd, err);
      }
    });
}
