// The demo cast's lifestyle data: ~90 days of Apple Watch exports per patient (heart rate, resting heart rate, HRV,
// sleep stages, steps from watch and phone, SpO2, weight from a scale app), generated deterministically and run
// through the real import path (Apple Health importer → time-series store → FHIR daily summaries → alerts).
// James's resting heart rate rises over his last days, so the chart shows the baseline band and an alert marker.
// Seeding again finds each patient's import by id and writes nothing.
import { loadAlertRules } from '../modules/wearables/alerts/rules.ts';
import { addDays } from '../modules/wearables/baselines/baseline.ts';
import { importAppleHealthXml } from '../modules/wearables/importers/apple-health.ts';
import { loadMetricCatalog } from '../modules/wearables/metrics/catalog.ts';
import { endDatedMetrics } from '../modules/wearables/pipeline.ts';
import type { WearablesDeps } from '../modules/wearables/service/deps.ts';
import { processImport } from '../modules/wearables/service/process-import.ts';
import { ingestImport } from '../modules/wearables/storage/ingest.ts';
import { localDate } from '../modules/wearables/summaries/daily.ts';
import { appleHealthExport, type SyntheticProfile } from '../modules/wearables/synthetic/apple-health-export.ts';

/** Bump when the generated data changes, so a re-seed imports the new version next to the old. */
const DATA_VERSION = 1;
export const DEMO_WEARABLE_DAYS = 90;
/** Days before the last day on which James's resting heart rate is up by RISE_BPM (the alert's onset is the 2nd). */
export const JAMES_RISE_DAYS = 4;
const RISE_BPM = 8;

interface DemoWearer {
  patientId: string;
  timeZone: string;
  profile: Omit<SyntheticProfile, 'start' | 'days' | 'utcOffsetMinutes'>;
}

export const demoWearers: readonly DemoWearer[] = [
  { patientId: 'demo-tendai', timeZone: 'Africa/Harare', profile: { seed: 101, restingHr: 62, hrvSdnn: 48, sleepHours: 7.2, steps: 9500, spo2: 97, weightKg: 71, heartRateEveryMinutes: 10 } },
  // Maria's scale reports pounds: the importer converts them (a unit variant in the demo too).
  { patientId: 'demo-maria', timeZone: 'Europe/Lisbon', profile: { seed: 102, restingHr: 68, hrvSdnn: 32, sleepHours: 6.8, steps: 5200, spo2: 96, weightKg: 74, heartRateEveryMinutes: 10, weightInPounds: true } },
  { patientId: 'demo-grace', timeZone: 'Africa/Harare', profile: { seed: 103, restingHr: 64, hrvSdnn: 41, sleepHours: 6.5, steps: 7000, spo2: 98, weightKg: 63, heartRateEveryMinutes: 10 } },
  { patientId: 'demo-james', timeZone: 'Africa/Lagos', profile: { seed: 104, restingHr: 66, hrvSdnn: 36, sleepHours: 7.0, steps: 6400, spo2: 97, weightKg: 88, heartRateEveryMinutes: 10 } },
];

/** The UTC offset of `timeZone` at `at`, in minutes (Intl's `longOffset`, e.g. `GMT+02:00`). */
function offsetMinutes(timeZone: string, at: Date): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

export interface SeedWearablesResult {
  imported: string[];
  skipped: string[];
  samples: number;
}

/** Imports each demo patient's export unless already imported; the data ends the day before `now`. */
export async function seedDemoWearables(deps: WearablesDeps, now = new Date()): Promise<SeedWearablesResult> {
  const catalog = loadMetricCatalog();
  const rules = loadAlertRules();
  const out: SeedWearablesResult = { imported: [], skipped: [], samples: 0 };
  for (const w of demoWearers) {
    const importId = `demo-wearables-${w.patientId}-v${DATA_VERSION}`;
    const done = await deps.db.query(`SELECT 1 FROM wearable_import WHERE id = $1`, [importId]);
    if (done.rows.length > 0) {
      out.skipped.push(w.patientId);
      continue;
    }
    const start = addDays(localDate(now.getTime(), w.timeZone), -DEMO_WEARABLE_DAYS);
    const rise = w.patientId === 'demo-james' ? (m: string, i: number) => (m === 'resting-heart-rate' && i >= DEMO_WEARABLE_DAYS - JAMES_RISE_DAYS ? RISE_BPM : 0) : undefined;
    const profile: SyntheticProfile = { ...w.profile, start, days: DEMO_WEARABLE_DAYS, utcOffsetMinutes: offsetMinutes(w.timeZone, now), ...(rise ? { shift: rise } : {}) };
    const result = await ingestImport(deps.db, importAppleHealthXml(appleHealthExport(profile), catalog), {
      patientId: w.patientId, importId, format: 'apple-health', now, timeZone: w.timeZone, sourcePriority: catalog.defaultSourcePriority, endDatedMetrics: endDatedMetrics(catalog),
    });
    await processImport(deps, catalog, rules, result, { patientId: w.patientId, timeZone: w.timeZone, importFormat: 'apple-health', now });
    out.imported.push(w.patientId);
    out.samples += result.inserted;
  }
  return out;
}
