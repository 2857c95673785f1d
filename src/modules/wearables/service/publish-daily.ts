// Publishes daily summaries as FHIR Observations (+ Provenance) through the FHIR transaction entry point.
import { createHash } from 'node:crypto';
import type { MetricCatalog } from '../metrics/catalog.ts';
import type { RequestActor } from '../../../fhir/store/types.ts';
import { readDailyValues } from '../storage/daily-values.ts';
import type { DailyValue } from '../summaries/daily.ts';
import type { Observation } from '@medplum/fhirtypes';
import { DAILY_IDENTIFIER_SYSTEM, dailyIdentifierValue, dailyObservation, dailyObservationsBundle } from '../summaries/fhir-daily.ts';
import { writtenId, type WearablesDeps } from './deps.ts';

export interface PublishDailyOptions {
  patientId: string;
  /** Days `from`…`to` (YYYY-MM-DD in `timeZone`). */
  from: string;
  to: string;
  timeZone: string;
  importId: string;
  importFormat: string;
  now: Date;
  actor?: RequestActor;
  /** Observations per transaction (default 250). */
  chunk?: number;
}

export interface PublishDailyResult {
  /** Observations created or updated. */
  published: number;
  /** Days whose summary had not changed since it was last published (nothing written). */
  unchanged: number;
}

/** Content fingerprint of a summary, without the issue time: a re-run over unchanged data writes nothing. */
function fingerprint(d: DailyValue, patientId: string, catalog: MetricCatalog): string | undefined {
  const obs = dailyObservation(d, { patientId, now: new Date(0) }, catalog);
  return obs ? createHash('sha256').update(JSON.stringify(obs)).digest('hex') : undefined;
}

/**
 * Publishes the daily summaries of `from`…`to`: each changed day becomes a conditional update on its identifier
 * (created the first time, updated in place afterwards: never a duplicate), with one Provenance per transaction
 * naming the import, the source apps and the devices. Days whose content is unchanged are skipped, so re-running an
 * import adds no versions and no events.
 */
export async function publishDailySummaries(deps: WearablesDeps, catalog: MetricCatalog, o: PublishDailyOptions): Promise<PublishDailyResult> {
  const values = await readDailyValues(deps.db, catalog, { patientId: o.patientId, from: o.from, to: o.to, timeZone: o.timeZone });
  const known = await deps.db.query<{ metric: string; day: string; content_hash: string }>(
    `SELECT metric, to_char(day, 'YYYY-MM-DD') AS day, content_hash FROM wearable_published_day WHERE patient_id = $1 AND day BETWEEN $2::date AND $3::date`,
    [o.patientId, o.from, o.to],
  );
  const previous = new Map(known.rows.map((r) => [`${r.metric}|${r.day}`, r.content_hash]));
  const changed: { value: DailyValue; hash: string }[] = [];
  let unchanged = 0;
  for (const d of values) {
    const hash = fingerprint(d, o.patientId, catalog);
    if (!hash) continue;
    if (previous.get(`${d.metric}|${d.date}`) === hash) unchanged++;
    else changed.push({ value: d, hash });
  }
  const size = o.chunk ?? 250;
  for (let i = 0; i < changed.length; i += size) {
    const part = changed.slice(i, i + size);
    // Days never published are created in bulk once one search shows no Observation has their identifier (say, from
    // an earlier run whose bookkeeping was lost); every other day is a conditional update on its identifier.
    const stored = await storedIdentifiers(deps, o.patientId, part.filter((p) => !previous.has(`${p.value.metric}|${p.value.date}`)).map((p) => dailyIdentifierValue(o.patientId, p.value.metric, p.value.date)));
    const isNew = (d: DailyValue) => !previous.has(`${d.metric}|${d.date}`) && !stored.has(dailyIdentifierValue(o.patientId, d.metric, d.date));
    const bundle = dailyObservationsBundle({ patientId: o.patientId, daily: part.map((p) => p.value), importId: o.importId, importFormat: o.importFormat, now: o.now, isNew }, catalog);
    const response = await deps.transaction(bundle, o.actor);
    const rows = part.map((p, k) => [o.patientId, p.value.metric, p.value.date, p.hash, writtenId(response, k, 'Observation'), o.now.toISOString()]);
    await deps.db.query(
      `INSERT INTO wearable_published_day (patient_id, metric, day, content_hash, observation_id, published_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[], $5::text[], $6::timestamptz[])
       ON CONFLICT (patient_id, metric, day) DO UPDATE SET content_hash = excluded.content_hash, observation_id = excluded.observation_id, published_at = excluded.published_at`,
      [0, 1, 2, 3, 4, 5].map((c) => rows.map((r) => r[c])),
    );
  }
  return { published: changed.length, unchanged };
}

/** Which of these daily identifier values some stored Observation of the patient already carries. */
async function storedIdentifiers(deps: WearablesDeps, patientId: string, values: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  if (values.length === 0) return found;
  const query = new URLSearchParams({ patient: `Patient/${patientId}`, identifier: values.map((v) => `${DAILY_IDENTIFIER_SYSTEM}|${v.replace(/([,|$\\])/g, '\\$1')}`).join(','), _count: String(values.length), _elements: 'identifier' });
  const bundle = await deps.store.search('Observation', query);
  for (const e of bundle.entry ?? []) {
    for (const id of (e.resource as Observation | undefined)?.identifier ?? []) if (id.system === DAILY_IDENTIFIER_SYSTEM && id.value) found.add(id.value);
  }
  return found;
}

/** Observation ids of published daily summaries, keyed `metric|YYYY-MM-DD` (alert evidence links to them). */
export async function publishedObservationIds(deps: Pick<WearablesDeps, 'db'>, patientId: string, metric: string, days: readonly string[]): Promise<Map<string, string>> {
  if (days.length === 0) return new Map();
  const r = await deps.db.query<{ day: string; observation_id: string }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, observation_id FROM wearable_published_day WHERE patient_id = $1 AND metric = $2 AND day = ANY($3::date[])`,
    [patientId, metric, days],
  );
  return new Map(r.rows.map((x) => [x.day, x.observation_id]));
}
