// Generates realistic Apple Health `export.xml` text (HealthKit export version 14 layout: DOCTYPE, ExportDate, Me,
// Record elements with sourceName/sourceVersion/device/unit/creationDate/startDate/endDate/value and metadata) for a
// synthetic person: demo data, tests with known alert onsets, and the large-import benchmark. Deterministic per seed.

/** A person's usual values; `shift(metric, dayIndex)` adds a change (e.g. a resting-heart-rate rise) on given days. */
export interface SyntheticProfile {
  /** First day (YYYY-MM-DD, local) and number of days. */
  start: string;
  days: number;
  /** Fixed UTC offset of the person's clock in minutes (e.g. 120 for Harare). */
  utcOffsetMinutes: number;
  seed: number;
  restingHr: number;
  hrvSdnn: number;
  sleepHours: number;
  steps: number;
  spo2: number;
  weightKg: number;
  /** Minutes between heart-rate records while awake (Apple Watch: about 5; benchmarks use 1). */
  heartRateEveryMinutes: number;
  /** Body mass recorded in pounds (a US scale) instead of kilograms: a unit variant for the importer. */
  weightInPounds?: boolean;
  shift?: (metric: 'resting-heart-rate' | 'hrv-sdnn' | 'sleep' | 'steps' | 'spo2' | 'weight', dayIndex: number) => number;
}

const WATCH = '&lt;&lt;HKDevice: 0x283f4a0d0&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,1, software:10.3&gt;';
const PHONE = '&lt;&lt;HKDevice: 0x283f4a1e0&gt;, name:iPhone, manufacturer:Apple Inc., model:iPhone, hardware:iPhone14,5, software:17.3.1&gt;';

const HEADER = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord|Audiogram|VisionPrescription)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate
  value CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
]>
`;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `yyyy-MM-dd HH:mm:ss ±hhmm` as HealthKit writes it, for epoch ms `t` at a fixed offset. */
export function healthKitDate(t: number, offsetMinutes: number): string {
  const d = new Date(t + offsetMinutes * 60_000).toISOString();
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${d.slice(0, 10)} ${d.slice(11, 19)} ${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/**
 * The export as text chunks (one per day, plus header and footer), so even a gigabyte export streams with bounded
 * memory. Per day: heart rate every `heartRateEveryMinutes` minutes while awake (motion-context metadata), one
 * resting heart rate, two HRV SDNN readings, a night of sleep stages (in bed, core, deep, REM, awake), hourly steps
 * from the watch and overlapping hourly steps from the phone, SpO2 (as a fraction, unit `%`) and body mass every
 * other day from a scale app.
 */
export function* appleHealthExport(p: SyntheticProfile): Generator<string> {
  const r = rng(p.seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const shift = p.shift ?? (() => 0);
  const off = p.utcOffsetMinutes;
  const at = (t: number) => healthKitDate(t, off);
  const day0 = Date.parse(`${p.start}T00:00:00Z`) - off * 60_000; // local midnight of the first day
  yield `${HEADER}<HealthData locale="en_US">\n <ExportDate value="${at(day0 + p.days * 86_400_000)}"/>\n <Me HKCharacteristicTypeIdentifierDateOfBirth="1979-06-02" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexMale" HKCharacteristicTypeIdentifierBloodType="HKBloodTypeNotSet" HKCharacteristicTypeIdentifierFitzpatrickSkinType="HKFitzpatrickSkinTypeNotSet" HKCharacteristicTypeIdentifierCardioFitnessMedicationsUse="None"/>\n`;
  const watch = (type: string, unit: string, start: number, end: number, value: string, extra = '') =>
    ` <Record type="${type}" sourceName="Watch" sourceVersion="10.3" device="${WATCH}" unit="${unit}" creationDate="${at(end + 4_000)}" startDate="${at(start)}" endDate="${at(end)}" value="${value}"${extra ? `>\n${extra} </Record>` : '/>'}\n`;
  for (let i = 0; i < p.days; i++) {
    const mid = day0 + i * 86_400_000;
    const out: string[] = [];
    const rhr = p.restingHr + 1.2 * normal() + shift('resting-heart-rate', i);
    // Sleep: bed at ~23:00 the evening before, stages until the wake-up time; the night belongs to this day.
    const sleepMin = Math.round(p.sleepHours * 60 + 25 * normal() + shift('sleep', i));
    const bed = mid - 60 * 60_000 + Math.round(20 * normal()) * 60_000;
    const wake = bed + (sleepMin + 25) * 60_000;
    out.push(` <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" sourceVersion="10.3" device="${WATCH}" creationDate="${at(wake + 60_000)}" startDate="${at(bed)}" endDate="${at(wake)}" value="HKCategoryValueSleepAnalysisInBed"/>\n`);
    const stages: [string, number][] = [['AsleepCore', 0.3], ['AsleepDeep', 0.15], ['AsleepREM', 0.12], ['AsleepCore', 0.28], ['AsleepREM', 0.15]];
    let t = bed + 10 * 60_000;
    for (const [stage, share] of stages) {
      const end = t + Math.round(sleepMin * share) * 60_000;
      out.push(` <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" sourceVersion="10.3" device="${WATCH}" creationDate="${at(wake + 60_000)}" startDate="${at(t)}" endDate="${at(end)}" value="HKCategoryValueSleepAnalysis${stage}"/>\n`);
      t = end;
    }
    out.push(` <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" sourceVersion="10.3" device="${WATCH}" creationDate="${at(wake + 60_000)}" startDate="${at(t)}" endDate="${at(t + 15 * 60_000)}" value="HKCategoryValueSleepAnalysisAwake"/>\n`);
    out.push(watch('HKQuantityTypeIdentifierRestingHeartRate', 'count/min', mid + 3 * 60_000, mid + 23 * 3_600_000 + 50 * 60_000, String(Math.round(rhr))));
    for (const h of [3, 15]) {
      const s = mid + h * 3_600_000 + 11 * 60_000;
      const sdnn = Math.max(8, p.hrvSdnn + 7 * normal() + shift('hrv-sdnn', i));
      out.push(watch('HKQuantityTypeIdentifierHeartRateVariabilitySDNN', 'ms', s, s + 61_000, sdnn.toFixed(4), `  <HeartRateVariabilityMetadataList>\n   <InstantaneousBeatsPerMinute bpm="${Math.round(rhr + 4)}" time="${at(s).slice(11, 19)}"/>\n  </HeartRateVariabilityMetadataList>\n`));
    }
    const spo2 = Math.min(1, (p.spo2 + 0.8 * normal() + shift('spo2', i)) / 100);
    out.push(watch('HKQuantityTypeIdentifierOxygenSaturation', '%', mid + 2 * 3_600_000 + 40 * 60_000, mid + 2 * 3_600_000 + 40 * 60_000, spo2.toFixed(2)));
    if (i % 2 === 0) {
      const kg = p.weightKg + 0.3 * normal() + shift('weight', i);
      const w = p.weightInPounds ? { unit: 'lb', value: (kg / 0.45359237).toFixed(1) } : { unit: 'kg', value: kg.toFixed(1) };
      const s = mid + 7 * 3_600_000 + 5 * 60_000;
      out.push(` <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="Withings" sourceVersion="6.4.1" unit="${w.unit}" creationDate="${at(s + 12_000)}" startDate="${at(s)}" endDate="${at(s)}" value="${w.value}">\n  <MetadataEntry key="HKWasUserEntered" value="0"/>\n </Record>\n`);
    }
    // Awake hours 07:00–22:59: heart rate (sedentary most of the time, a walk at 18:00), steps per hour.
    const dailySteps = Math.max(300, p.steps + 1500 * normal() + shift('steps', i));
    for (let h = 7; h < 23; h++) {
      const hs = mid + h * 3_600_000;
      const walking = h === 18;
      for (let m = 0; m < 60; m += p.heartRateEveryMinutes) {
        const s = hs + m * 60_000;
        const bpm = rhr + 14 + (walking ? 35 : 0) + 5 * normal();
        out.push(` <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" sourceVersion="10.3" device="${WATCH}" unit="count/min" creationDate="${at(s + 5_000)}" startDate="${at(s)}" endDate="${at(s)}" value="${Math.round(bpm)}">\n  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="${walking ? 2 : 1}"/>\n </Record>\n`);
      }
      const steps = Math.round((dailySteps / 16) * (walking ? 3 : 0.87) * (0.8 + 0.4 * r()));
      out.push(watch('HKQuantityTypeIdentifierStepCount', 'count', hs + 60_000, hs + 59 * 60_000, String(steps)));
      // The phone counts the same walking, overlapping the watch: source priority keeps the watch's count.
      out.push(` <Record type="HKQuantityTypeIdentifierStepCount" sourceName="iPhone" sourceVersion="17.3.1" device="${PHONE}" unit="count" creationDate="${at(hs + 3_600_000)}" startDate="${at(hs)}" endDate="${at(hs + 3_599_000)}" value="${Math.round(steps * 0.8)}"/>\n`);
    }
    yield out.join('');
  }
  yield '</HealthData>\n';
}
