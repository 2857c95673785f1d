// The wearables services in a running EMR: daily summaries published as FHIR (idempotent), alerts stored as
// Flag + Communication with their evidence, the alerts inbox and acknowledgement, the chart answer, and who may call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Communication, Flag, Observation, Provenance } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../../../../test/test-server.ts';
import { testDbKind } from '../../../../test/test-db.ts';
import { addDays, baselineFor } from '../baselines/baseline.ts';
import { readDailySeries } from '../storage/daily-series.ts';
import { loadAlertRules } from '../alerts/rules.ts';
import { importAppleHealthXml } from '../importers/apple-health.ts';
import { loadMetricCatalog } from '../metrics/catalog.ts';
import { endDatedMetrics } from '../pipeline.ts';
import { ingestImport } from '../storage/ingest.ts';
import { appleHealthExport, type SyntheticProfile } from '../synthetic/apple-health-export.ts';
import type { WearablesDeps } from './deps.ts';
import { processImport } from './process-import.ts';
import type { InboxAlert } from './alert-store.ts';

const catalog = loadMetricCatalog();
const rules = loadAlertRules();
const TZ = 'Africa/Harare';
const START = '2024-01-01';
const ONSET_INDEX = 51; // the rise starts on day 50; two consecutive days make day 51 the onset
const base: Omit<SyntheticProfile, 'seed' | 'days'> = { start: START, utcOffsetMinutes: 120, restingHr: 60, hrvSdnn: 45, sleepHours: 7.5, steps: 8000, spo2: 97, weightKg: 72, heartRateEveryMinutes: 5 };
const rise = (from: number, to: number) => (m: string, i: number) => (m === 'resting-heart-rate' && i >= from && i < to ? 8 : 0);

describe(`wearables services on ${testDbKind}`, () => {
  let s: TestServer;
  let deps: WearablesDeps;
  let n = 0;

  async function importProfile(patientId: string, p: SyntheticProfile) {
    const now = new Date('2024-04-01T00:00:00Z');
    const result = await ingestImport(deps.db, importAppleHealthXml(appleHealthExport(p), catalog), {
      patientId, importId: `imp-${patientId}-${++n}`, format: 'apple-health', now, timeZone: TZ, sourcePriority: catalog.defaultSourcePriority, endDatedMetrics: endDatedMetrics(catalog),
    });
    const processed = await processImport(deps, catalog, rules, result, { patientId, timeZone: TZ, importFormat: 'apple-health', now });
    return { result, processed };
  }
  const alertsOf = async (query: string, token?: string) => {
    const res = await s.request('GET', `/wearables/alerts?${query}`, undefined, token ? { authorization: `Bearer ${token}` } : {});
    expect(res.status).toBe(200);
    return (res.body as unknown as { alerts: InboxAlert[] }).alerts;
  };

  beforeAll(async () => {
    s = await startTestServer();
    const f = s.flaura;
    deps = {
      db: f.db,
      store: f.store,
      transaction: async (bundle) => (await f.router.handle({ method: 'POST', path: '', query: [], headers: {}, body: bundle, contentType: 'application/fhir+json', baseUrl: f.store.baseUrl })).body as Bundle,
    };
    for (const id of ['p-rise', 'p-calm']) {
      expect((await s.fhir('PUT', `Patient/${id}`, { resourceType: 'Patient', id, generalPractitioner: [{ reference: 'Practitioner/dr-a' }] })).status).toBe(201);
    }
    expect((await s.fhir('PUT', 'Practitioner/dr-a', { resourceType: 'Practitioner', id: 'dr-a', name: [{ family: 'Moyo' }] })).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await s.close();
  });

  it('publishes daily summaries as searchable Vital Signs Observations with a Provenance; re-running writes nothing', async () => {
    const { result, processed } = await importProfile('p-rise', { ...base, seed: 11, days: 60, shift: rise(50, 60) });
    expect(result.rejected).toBe(0);
    expect(processed.summaries.published).toBeGreaterThan(60 * 6);
    const rhr = await s.fhir('GET', 'Observation?patient=Patient/p-rise&code=http://loinc.org|40443-4&_count=200');
    const obs = ((rhr.body as Bundle).entry ?? []).map((e) => e.resource as Observation);
    expect(obs).toHaveLength(60);
    const first = obs.find((o) => o.identifier![0]!.value === `p-rise/resting-heart-rate/${START}`)!;
    expect(first.meta?.profile).toEqual(['http://hl7.org/fhir/StructureDefinition/heartrate']);
    expect(first.valueQuantity).toMatchObject({ system: 'http://unitsofmeasure.org', code: '/min' });
    expect(first.category![0]!.coding![0]!.code).toBe('vital-signs');
    // Weight came in kg, steps from two overlapping sources: the watch (better ranked) wins over the phone.
    const steps = await s.fhir('GET', `Observation?identifier=${encodeURIComponent(`https://flaura.dev/fhir/sid/wearable-daily|p-rise/steps/${addDays(START, 3)}`)}`);
    const stepObs = (steps.body as Bundle).entry![0]!.resource as Observation;
    expect(stepObs.note![0]!.text).toContain('sources: Watch');
    expect(stepObs.note![0]!.text).not.toContain('iPhone');
    const prov = await s.fhir('GET', `Provenance?target=Observation/${first.id}`);
    const p = (prov.body as Bundle).entry![0]!.resource as Provenance;
    expect(p.agent.map((a) => a.who.display).join(' ')).toContain('Watch6,1');
    expect(p.entity!.some((e) => e.what.display === 'source app: Watch')).toBe(true);

    // Same data again (a re-import under a new id): no new samples, no new Observation versions, no duplicates.
    const again = await importProfile('p-rise', { ...base, seed: 11, days: 60, shift: rise(50, 60) });
    expect(again.result.inserted).toBe(0);
    expect(again.processed.summaries).toEqual({ published: 0, unchanged: processed.summaries.published });
    const reread = await s.fhir('GET', `Observation/${first.id}`);
    expect((reread.body as Observation).meta!.versionId).toBe('1');
    expect(((await s.fhir('GET', 'Observation?patient=Patient/p-rise&code=http://loinc.org|40443-4&_count=200')).body as Bundle).entry).toHaveLength(60);
  }, 120_000);

  it('raises the resting-heart-rate alert on the onset day with its evidence, as a Flag and a Communication; silent on normal variation', async () => {
    const active = await alertsOf('status=active&patient=p-rise');
    expect(active.map((a) => a.ruleId)).toEqual(['rhr-rise']);
    const a = active[0]!;
    expect(a.start).toBe(addDays(START, ONSET_INDEX));
    expect(a.evidence.map((e) => e.date)).toEqual([addDays(START, 50), addDays(START, 51)]);
    for (const e of a.evidence) {
      expect(e.baseline!.median).toBeGreaterThanOrEqual(58);
      expect(e.baseline!.median).toBeLessThanOrEqual(62);
      expect(e.value).toBeGreaterThanOrEqual(e.baseline!.median + 4);
    }
    const flag = (await s.fhir('GET', a.flag)).body as Flag;
    expect(flag).toMatchObject({ status: 'active', subject: { reference: 'Patient/p-rise' }, period: { start: a.start } });
    const msg = (await s.fhir('GET', a.communication)).body as Communication;
    expect(msg.recipient).toEqual([{ reference: 'Practitioner/dr-a' }]);
    expect(msg.about![0]!.reference).toBe(a.flag);
    expect(msg.payload![0]!.contentString).toContain(`${a.evidence[0]!.date}: ${a.evidence[0]!.value} /min (baseline median`);
    // The evidence days point at the published daily summaries.
    const refs = msg.payload!.slice(1).map((x) => x.contentReference!.reference!);
    expect(refs).toHaveLength(2);
    const evidenceObs = (await s.fhir('GET', refs[1]!)).body as Observation;
    expect(evidenceObs.identifier![0]!.value).toBe(`p-rise/resting-heart-rate/${addDays(START, 51)}`);

    await importProfile('p-calm', { ...base, seed: 12, days: 90 });
    expect(await alertsOf('status=all&patient=p-calm')).toEqual([]);
  }, 120_000);

  it('acknowledges an alert with a note (recorded as a reply Communication); only the care team may', async () => {
    const [a] = await alertsOf('status=active&patient=p-rise');
    const patient = await s.token({ role: 'patient', patientId: 'p-rise' });
    const clinician = await s.token({ role: 'clinician', fhirUser: 'Practitioner/dr-a' });
    expect((await s.request('POST', `/wearables/alerts/${a!.id}/ack`, { note: 'ok' }, { authorization: `Bearer ${patient}` })).status).toBe(403);
    expect((await s.request('POST', `/wearables/alerts/${a!.id}/ack`, { note: '  ' }, { authorization: `Bearer ${clinician}` })).status).toBe(400);
    expect((await s.request('POST', '/wearables/alerts/no-such-flag/ack', { note: 'x' }, { authorization: `Bearer ${clinician}` })).status).toBe(404);
    const ack = await s.request('POST', `/wearables/alerts/${a!.id}/ack`, { note: 'Called the patient: flu symptoms, advised rest and a test.' }, { authorization: `Bearer ${clinician}` });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Practitioner/dr-a', note: 'Called the patient: flu symptoms, advised rest and a test.' });
    expect(await alertsOf('status=active&patient=p-rise')).toEqual([]);
    expect((await alertsOf('status=acknowledged')).map((x) => x.id)).toEqual([a!.id]);
    const again = await s.request('POST', `/wearables/alerts/${a!.id}/ack`, { note: 'twice' }, { authorization: `Bearer ${clinician}` });
    expect(again.status).toBe(409);
    expect(again.body.resourceType).toBe('OperationOutcome');
    const replies = (await s.fhir('GET', `Communication?subject=Patient/p-rise&category=notification`)).body as Bundle;
    const reply = replies.entry![0]!.resource as Communication;
    expect(reply).toMatchObject({ inResponseTo: [{ reference: a!.communication }], sender: { reference: 'Practitioner/dr-a' }, payload: [{ contentString: 'Called the patient: flu symptoms, advised rest and a test.' }] });
  }, 60_000);

  it('closes the alert when values recover: the Flag becomes inactive with the resolution day', async () => {
    await importProfile('p-rise', { ...base, seed: 11, days: 75, shift: rise(50, 60) });
    const [a] = await alertsOf('status=resolved&patient=p-rise');
    expect(a).toMatchObject({ ruleId: 'rhr-rise', start: addDays(START, ONSET_INDEX), resolvedOn: addDays(START, 61), acknowledgedBy: 'Practitioner/dr-a' });
    expect((await s.fhir('GET', a!.flag)).body).toMatchObject({ status: 'inactive', period: { start: a!.start, end: addDays(START, 61) } });
    // One Flag and one alert Communication for the episode, however often it was re-evaluated.
    expect(((await s.fhir('GET', 'Flag?patient=Patient/p-rise')).body as Bundle).entry).toHaveLength(1);
    expect(((await s.fhir('GET', 'Communication?subject=Patient/p-rise&category=alert')).body as Bundle).entry).toHaveLength(1);
  }, 120_000);

  it('answers the chart with downsampled points, the baseline band per day and the alert marker', async () => {
    const q = `patient=p-rise&metric=resting-heart-rate&from=${START}T00:00:00%2B02:00&to=${addDays(START, 75)}T00:00:00%2B02:00&points=100`;
    const res = await s.request('GET', `/wearables/chart?${q}`);
    expect(res.status).toBe(200);
    const chart = res.body as unknown as { resolution: string; points: { t: number; v: number }[]; baseline: { date: string; t: number; median: number; low: number; high: number; n: number }[]; alerts: { t: number; day: string; ruleId: string }[] };
    expect(chart.resolution).toBe('day');
    expect(chart.points).toHaveLength(75);
    // No band before 14 days of history; afterwards one per day, centred on the person's usual ~60 bpm.
    expect(chart.baseline[0]!.date).toBe(addDays(START, 14));
    const b = chart.baseline.find((x) => x.date === addDays(START, 50))!;
    expect(b.low).toBeLessThan(b.median);
    expect(b.high).toBeGreaterThan(b.median);
    expect(b.median).toBeGreaterThanOrEqual(58);
    expect(b.n).toBe(28);
    expect(b.t).toBe(Date.parse(`${addDays(START, 50)}T00:00:00+02:00`));
    expect(chart.alerts).toEqual([expect.objectContaining({ ruleId: 'rhr-rise', day: addDays(START, ONSET_INDEX), t: Date.parse(`${addDays(START, ONSET_INDEX)}T00:00:00+02:00`) })]);
    // After the episode (resolved on day 61) the band leaves the ill days out, as the alert rule's baseline does.
    const after = await s.request('GET', `/wearables/chart?patient=p-rise&metric=resting-heart-rate&from=${addDays(START, 70)}T00:00:00%2B02:00&to=${addDays(START, 72)}T00:00:00%2B02:00&points=10`);
    const band70 = (after.body as unknown as { baseline: { date: string; median: number; high: number }[] }).baseline.find((x) => x.date === addDays(START, 70))!;
    const rhr = (await readDailySeries(deps.db, catalog, { patientId: 'p-rise', from: START, to: addDays(START, 75), timeZone: TZ })).get('resting-heart-rate')!;
    const clean = baselineFor(rhr, addDays(START, 70), { ...rules.baseline, exclude: [{ start: addDays(START, 50), end: addDays(START, 61) }] })!;
    const polluted = baselineFor(rhr, addDays(START, 70), rules.baseline)!;
    expect(band70.median).toBeCloseTo(clean.median, 2);
    expect(Math.abs(polluted.median - clean.median) + Math.abs(polluted.mad - clean.mad)).toBeGreaterThan(0.1);
    // A two-day window of heart rate is read raw and downsampled.
    const raw = await s.request('GET', `/wearables/chart?patient=p-rise&metric=heart-rate&from=${START}T00:00:00Z&to=${addDays(START, 2)}T00:00:00Z&points=50`);
    expect(raw.body).toMatchObject({ resolution: 'raw' });
    expect((raw.body as unknown as { points: unknown[] }).points).toHaveLength(50);
  });

  it('takes samples only from the patient or a device bound to the patient; staff and patients read per role', async () => {
    const omh = JSON.stringify({ header: { id: 'a1', creation_date_time: '2024-03-20T07:20:00Z', schema_id: { namespace: 'omh', name: 'heart-rate', version: '2.0' } }, body: { heart_rate: { value: 66, unit: 'beats/min' }, effective_time_frame: { date_time: '2024-03-20T07:15:00Z' } } });
    const post = async (token: string, key: string, patient = 'p-calm') => s.request('POST', `/wearables/samples?patient=${patient}`, omh, { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson', 'idempotency-key': key });
    const clinician = await s.token({ role: 'clinician' });
    const other = await s.token({ role: 'patient', patientId: 'p-rise' });
    const own = await s.token({ role: 'patient', patientId: 'p-calm' });
    const device = await s.token({ role: 'device', patientId: 'p-calm', clientId: 'ring-42' });
    expect((await post(clinician, 'k1')).status).toBe(403);
    expect((await post(other, 'k1')).status).toBe(403);
    const stored = await post(device, 'k1');
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ inserted: 1 });
    // A retried request with the same Idempotency-Key answers the stored result and stores nothing.
    const retry = await post(device, 'k1');
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toMatchObject({ inserted: 1, received: 1 });
    expect((await post(own, 'k2')).body).toMatchObject({ inserted: 0, duplicates: 1 });
    // Reads: a patient sees only their own chart and alerts; staff see any.
    const chart = (token: string, patient: string) => s.request('GET', `/wearables/chart?patient=${patient}&metric=heart-rate&from=2024-03-20T00:00:00Z&to=2024-03-21T00:00:00Z`, undefined, { authorization: `Bearer ${token}` });
    expect((await chart(own, 'p-calm')).status).toBe(200);
    expect((await chart(own, 'p-rise')).status).toBe(403);
    expect((await chart(clinician, 'p-rise')).status).toBe(200);
    expect(await alertsOf('status=all', own)).toEqual([]);
    expect((await alertsOf('status=all', other)).map((a) => a.patientId)).toEqual(['p-rise']);
    expect((await s.request('GET', '/wearables/alerts?status=bogus')).status).toBe(400);
  }, 60_000);
  it('lets a clinician tune one patient\'s alert thresholds, with a reason; later evaluations use them', async () => {
    expect((await s.fhir('PUT', 'Patient/p-tuned', { resourceType: 'Patient', id: 'p-tuned', generalPractitioner: [{ reference: 'Practitioner/dr-a' }] })).status).toBe(201);
    const put = (token: string, body: unknown, patient = 'p-tuned') => s.request('PUT', `/wearables/alert-rules?patient=${patient}`, body, { authorization: `Bearer ${token}` });
    const clinician = await s.token({ role: 'clinician', fhirUser: 'Practitioner/dr-a' });
    const nurse = await s.token({ role: 'nurse' });
    const patient = await s.token({ role: 'patient', patientId: 'p-tuned' });
    // COPD: SpO2 around 97 % is below this (hypothetical) patient's tuned target of 99 % on two days.
    const tuned = { overrides: { 'low-spo2': { threshold: 99, consecutiveDays: 2 }, 'sleep-deficit': { enabled: false } }, reason: 'Target saturation agreed with the respiratory team' };
    expect((await put(patient, tuned)).status).toBe(403);
    expect((await put(nurse, tuned)).status).toBe(403);
    const refused = [
      { overrides: { 'no-such-rule': { delta: 1 } }, reason: 'x' },
      { overrides: { 'low-spo2': { threshold: 'high' } }, reason: 'x' },
      { overrides: { 'low-spo2': { tolerance: 3 } }, reason: 'x' },
      { overrides: { 'low-spo2': { consecutiveDays: 0.5 } }, reason: 'x' },
      { overrides: { 'low-spo2': { threshold: 99 } } },
      { overrides: [] , reason: 'x' },
    ];
    for (const body of refused) {
      const res = await put(clinician, body);
      expect(res.status).toBe(400);
      expect(res.body.resourceType).toBe('OperationOutcome');
    }
    const saved = await put(clinician, tuned);
    expect(saved.status).toBe(200);
    const view = saved.body as unknown as { reason: string; updatedBy: string; rules: { id: string; enabled: boolean; overridden: boolean; params: { threshold?: number }; defaults: { threshold?: number }; sources: unknown[] }[] };
    expect(view).toMatchObject({ reason: tuned.reason, updatedBy: 'Practitioner/dr-a' });
    const spo2 = view.rules.find((r) => r.id === 'low-spo2')!;
    expect(spo2).toMatchObject({ enabled: true, overridden: true, params: { threshold: 99 }, defaults: { threshold: 94 } });
    expect(spo2.sources.length).toBeGreaterThan(0);
    expect(view.rules.find((r) => r.id === 'sleep-deficit')!.enabled).toBe(false);
    expect(view.rules.find((r) => r.id === 'rhr-rise')!.overridden).toBe(false);
    // The patient reads their own settings (and why); another patient may not.
    expect((await s.request('GET', '/wearables/alert-rules?patient=p-tuned', undefined, { authorization: `Bearer ${patient}` })).body).toMatchObject({ reason: tuned.reason });
    const other = await s.token({ role: 'patient', patientId: 'p-rise' });
    expect((await s.request('GET', '/wearables/alert-rules?patient=p-tuned', undefined, { authorization: `Bearer ${other}` })).status).toBe(403);

    // An import evaluates with the stored thresholds: the tuned SpO2 rule fires; with the defaults it would not.
    await importProfile('p-tuned', { ...base, seed: 13, days: 30 });
    const alerts = await alertsOf('status=all&patient=p-tuned');
    expect(alerts.map((a) => a.ruleId)).toEqual(['low-spo2']);
    expect(alerts[0]!.evidence.every((e) => e.value < 99)).toBe(true);
    await importProfile('p-calm', { ...base, seed: 12, days: 90 });
    expect(await alertsOf('status=all&patient=p-calm')).toEqual([]);
  }, 120_000);

  it('writes the patient\'s weekly summary in plain language from the same daily values', async () => {
    const weekEnd = addDays(START, 89);
    const get = (token: string, query: string) => s.request('GET', `/wearables/weekly-summary?${query}`, undefined, { authorization: `Bearer ${token}` });
    const own = await s.token({ role: 'patient', patientId: 'p-calm' });
    const res = await get(own, `patient=p-calm&weekEnd=${weekEnd}`);
    expect(res.status).toBe(200);
    const summary = res.body as unknown as { weekStart: string; weekEnd: string; lines: string[]; text: string };
    expect(summary).toMatchObject({ weekStart: addDays(START, 83), weekEnd });
    expect(summary.text).toMatch(/You slept 7 h( \d+ min)? a night on average, about the same as usual/);
    expect(summary.lines.some((l) => /steps/.test(l))).toBe(true);
    expect(summary.text).not.toMatch(/NaN|undefined/);
    const other = await s.token({ role: 'patient', patientId: 'p-rise' });
    expect((await get(other, `patient=p-calm&weekEnd=${weekEnd}`)).status).toBe(403);
    expect((await get(own, 'patient=p-calm&weekEnd=last-week')).status).toBe(400);
  });
});
