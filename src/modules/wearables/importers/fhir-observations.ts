// FHIR R4 Observation importer (Vital Signs profile shapes) from a Bundle or NDJSON, into samples.
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { FlauraError } from '../../../errors.ts';
import type { MetricCatalog } from '../metrics/catalog.ts';
import type { ImportItem } from '../model.ts';
import { parseIsoInstant } from '../normalize/dates.ts';
import { issue, toItem } from './emit.ts';
import type { JsonLine } from './json-lines.ts';

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

/** The entries of a Bundle as numbered values (entry index + 1), for `importFhirObservations`. */
export function* bundleEntries(bundle: unknown): Generator<JsonLine> {
  const b = bundle as Bundle;
  if (typeof bundle !== 'object' || bundle === null || b.resourceType !== 'Bundle') throw new FlauraError('WEARABLES_NOT_A_BUNDLE', 400, 'Expected a FHIR Bundle');
  let i = 0;
  for (const e of b.entry ?? []) yield { line: ++i, value: e.resource };
}

/** Turns Observations into items; other resource types, non-LOINC codes and non-UCUM quantities are reported. */
export async function* importFhirObservations(resources: AsyncIterable<JsonLine> | Iterable<JsonLine>, catalog: MetricCatalog): AsyncGenerator<ImportItem> {
  for await (const r of resources) {
    if ('error' in r) yield issue(r.text, `invalid JSON: ${r.error}`, r.line);
    else yield observationToItem(r.value, r.line, catalog);
  }
}

function observationToItem(value: unknown, line: number, catalog: MetricCatalog): ImportItem {
  const obs = value as Observation;
  if (typeof value !== 'object' || value === null || obs.resourceType !== 'Observation') return issue(`entry ${line}`, `not an Observation (${String((value as { resourceType?: unknown } | null)?.resourceType)})`, line);
  const label = `Observation/${obs.id ?? `(entry ${line})`}`;
  if (obs.status === 'entered-in-error' || obs.status === 'cancelled') return issue(label, `status ${obs.status}: not a measurement`, line);
  const codes = (obs.code?.coding ?? []).filter((c) => c.system === LOINC && c.code).map((c) => c.code!);
  const metric = codes.map((c) => catalog.byLoinc.get(c)).find((m) => m !== undefined);
  if (!metric) return issue(label, `no supported LOINC code (${codes.join(', ') || 'none'})`, line);
  const q = obs.valueQuantity;
  if (!q || typeof q.value !== 'number') return issue(label, 'valueQuantity.value is required', line);
  if (q.system !== UCUM || !q.code) return issue(label, `valueQuantity must carry a UCUM code (system ${UCUM})`, line);
  let start: number, end: number;
  if (obs.effectiveDateTime ?? obs.effectiveInstant) start = end = parseIsoInstant((obs.effectiveDateTime ?? obs.effectiveInstant)!);
  else if (obs.effectivePeriod?.start) {
    start = parseIsoInstant(obs.effectivePeriod.start);
    end = obs.effectivePeriod.end ? parseIsoInstant(obs.effectivePeriod.end) : start;
  } else return issue(label, 'effective[x] with a time zone is required', line);
  if (Number.isNaN(start) || Number.isNaN(end)) return issue(label, 'effective[x] must be a date-time with a time zone (Z or ±hh:mm)', line);
  const source = obs.device?.display ?? obs.performer?.[0]?.display ?? 'FHIR';
  return toItem({ metric: metric.id, start, end, value: q.value, unit: q.code, unitSystem: 'ucum', source, device: obs.device?.display ?? null }, catalog, label, line);
}
