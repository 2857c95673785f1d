// Daily values as FHIR R4 Observations (Vital Signs profile where one applies) plus one Provenance per import.
import { createHash } from 'node:crypto';
import type { Bundle, BundleEntry, Observation, Provenance } from '@medplum/fhirtypes';
import type { MetricCatalog, MetricCoding } from '../metrics/catalog.ts';
import { SLEEP_TOTAL, type DailyValue } from './daily.ts';

/** Flaura's own code system for wearable metrics (every Observation carries it beside LOINC). */
export const METRIC_SYSTEM = 'https://flaura.dev/fhir/CodeSystem/wearable-metric';
/** Identifier system of daily summary Observations: `<patient>/<metric>/<date>` makes regeneration idempotent. */
export const DAILY_IDENTIFIER_SYSTEM = 'https://flaura.dev/fhir/sid/wearable-daily';
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';

export interface DailyFhirInput {
  patientId: string;
  daily: readonly DailyValue[];
  /** Import whose data the summaries derive from (recorded in the Provenance). */
  importId: string;
  importFormat: string;
  /** Issue time (passed in: pure). */
  now: Date;
  /**
   * Days the caller has checked no Observation carries the identifier of: written as plain creates (the transaction
   * inserts them in bulk) instead of conditional updates. Default: none.
   */
  isNew?: (d: DailyValue) => boolean;
}

const AGGREGATION_TEXT = { mean: 'daily mean', sum: 'daily total', max: 'daily maximum' } as const;

/** A stable UUID (RFC 4122 layout, name-based from SHA-1) so the same summary always gets the same fullUrl. */
function nameUuid(name: string): string {
  const h = createHash('sha1').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

/**
 * Builds a FHIR transaction Bundle: one Observation per daily value of a metric with a code, written as a
 * conditional update on its identifier (`PUT Observation?identifier=…`: the first run creates it, a re-run updates
 * the same resource, never a duplicate), and one Provenance over them naming the import, the sources (apps) and the
 * devices. Observations use `effectivePeriod` (the day's first to last sample), `device` as a display when one
 * device contributed, and no `derivedFrom` (the raw samples are not FHIR resources). Pure.
 */
export function dailyObservationsBundle(input: DailyFhirInput, catalog: MetricCatalog): Bundle {
  const entries: BundleEntry[] = [];
  const sources = new Set<string>();
  const devices = new Set<string>();
  for (const d of input.daily) {
    const obs = dailyObservation(d, input, catalog);
    if (!obs) continue;
    d.sources.forEach((x) => sources.add(x));
    d.devices.forEach((x) => devices.add(x));
    const idValue = dailyIdentifierValue(input.patientId, d.metric, d.date);
    entries.push({
      fullUrl: `urn:uuid:${nameUuid(`${DAILY_IDENTIFIER_SYSTEM}|${idValue}`)}`,
      resource: obs,
      request: input.isNew?.(d)
        ? { method: 'POST', url: 'Observation' }
        : { method: 'PUT', url: `Observation?identifier=${encodeURIComponent(`${DAILY_IDENTIFIER_SYSTEM}|${idValue}`)}` },
    });
  }
  if (entries.length === 0) return { resourceType: 'Bundle', type: 'transaction', entry: [] };
  const participant = (code: string, display: string) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code, display }] });
  const provenance: Provenance = {
    resourceType: 'Provenance',
    target: entries.map((e) => ({ reference: e.fullUrl })),
    recorded: input.now.toISOString(),
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'CREATE', display: 'create' }], text: 'Daily summary derived from imported wearable data' },
    agent: [
      { type: participant('assembler', 'Assembler'), who: { display: 'Flaura wearables module' } },
      // The measuring devices (HealthKit device strings, Fitbit device names) as displays: they are not Device resources.
      ...[...devices].sort().map((d) => ({ type: participant('performer', 'Performer'), who: { display: d } })),
    ],
    entity: [
      { role: 'source' as const, what: { identifier: { system: 'https://flaura.dev/fhir/sid/wearable-import', value: input.importId }, display: `${input.importFormat} import ${input.importId}` } },
      ...[...sources].sort().map((s) => ({ role: 'source' as const, what: { display: `source app: ${s}` } })),
    ],
  };
  entries.push({ fullUrl: `urn:uuid:${nameUuid(`provenance|${input.importId}|${input.patientId}|${entries.map((e) => e.fullUrl).join(',')}`)}`, resource: provenance, request: { method: 'POST', url: 'Provenance' } });
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}

/** The identifier value of one daily summary: `<patient>/<metric>/<date>`. */
export function dailyIdentifierValue(patientId: string, metric: string, date: string): string {
  return `${patientId}/${metric}/${date}`;
}

function codings(d: DailyValue, catalog: MetricCatalog): { loinc: MetricCoding[]; display: string; profile: string | null } | undefined {
  if (d.metric === SLEEP_TOTAL) {
    const asleep = catalog.byId.get('sleep-asleep');
    return asleep?.loinc ? { loinc: [asleep.loinc], display: 'Total sleep time', profile: null } : undefined;
  }
  const def = catalog.byId.get(d.metric);
  if (!def) return undefined;
  return { loinc: def.loinc ? [def.loinc, ...def.extraCodings] : [], display: def.display, profile: def.vitalSignsProfile };
}

/** The daily summary Observation of one value, or undefined when the metric has no LOINC code to publish it under. Pure. */
export function dailyObservation(d: DailyValue, input: Pick<DailyFhirInput, 'patientId' | 'now'>, catalog: MetricCatalog): Observation | undefined {
  const c = codings(d, catalog);
  // Only metrics with a LOINC code become FHIR summaries (sleep stages and RMSSD stay in the time-series store and
  // the chart API): an Observation coded only in Flaura's own system would be unsearchable by other systems.
  if (!c || c.loinc.length === 0) return undefined;
  const obs: Observation = {
    resourceType: 'Observation',
    ...(c.profile ? { meta: { profile: [c.profile] } } : {}),
    identifier: [{ system: DAILY_IDENTIFIER_SYSTEM, value: dailyIdentifierValue(input.patientId, d.metric, d.date) }],
    status: 'final',
    category: [{ coding: [c.profile ? { system: CATEGORY, code: 'vital-signs', display: 'Vital Signs' } : { system: CATEGORY, code: 'activity', display: 'Activity' }] }],
    code: {
      coding: [...c.loinc.map((l) => ({ system: LOINC, code: l.code, display: l.display })), { system: METRIC_SYSTEM, code: d.metric, display: c.display }],
      text: `${c.display} (${AGGREGATION_TEXT[d.aggregation]})`,
    },
    subject: { reference: `Patient/${input.patientId}` },
    effectivePeriod: { start: new Date(d.start).toISOString(), end: new Date(d.end).toISOString() },
    issued: input.now.toISOString(),
    valueQuantity: { value: d.value, unit: d.unit, system: UCUM, code: d.unit },
    note: [{ text: `${AGGREGATION_TEXT[d.aggregation]} of ${d.n} sample${d.n === 1 ? '' : 's'} on ${d.date} (range ${d.min}–${d.max} ${d.unit}); sources: ${d.sources.join(', ')}` }],
  };
  if (d.devices.length === 1) obs.device = { display: d.devices[0] };
  return obs;
}
