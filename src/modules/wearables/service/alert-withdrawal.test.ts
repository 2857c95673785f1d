// Withdrawing open alerts the rules no longer raise, on synthetic resting-heart-rate trajectories imported as FHIR:
// a loosened threshold withdraws the open alert (Flag inactive, a Communication saying who and why, gone from the
// open inbox of the clinician and the portal), leaves resolved and acknowledged alerts exactly as they were, and a
// tightened threshold still raises — the withdrawn alert itself again when the old thresholds come back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Communication, Flag } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../../../../test/test-server.ts';
import { testDbKind } from '../../../../test/test-db.ts';
import { addDays } from '../baselines/baseline.ts';
import { importTrajectory, inbox, recentStart, restingHr } from './test-support.ts';

const DAYS = 70;
const START = recentStart(DAYS); // day 69 is yesterday
const day = (i: number) => addDays(START, i);
/** +8 bpm on days 20–25 (an episode that recovers) and from day 60 on (still open). */
const twoEpisodes = (i: number) => ((i >= 20 && i < 26) || i >= 60 ? 8 : 0);

describe(`withdrawing alerts the rules no longer raise, on ${testDbKind}`, () => {
  let s: TestServer;
  let clinician: string;
  beforeAll(async () => {
    s = await startTestServer();
    clinician = await s.token({ role: 'clinician', fhirUser: 'Practitioner/dr-b' });
    expect((await s.fhir('PUT', 'Practitioner/dr-b', { resourceType: 'Practitioner', id: 'dr-b', name: [{ family: 'Dube' }] })).status).toBe(201);
    for (const id of ['p-loose', 'p-acked', 'p-tight', 'p-strap']) {
      expect((await s.fhir('PUT', `Patient/${id}`, { resourceType: 'Patient', id, generalPractitioner: [{ reference: 'Practitioner/dr-b' }] })).status).toBe(201);
    }
  }, 120_000);
  afterAll(async () => {
    await s.close();
  });

  const putRules = async (patient: string, body: unknown) => {
    const res = await s.request('PUT', `/wearables/alert-rules?patient=${patient}`, body, { authorization: `Bearer ${clinician}` });
    expect(res.status, res.text).toBe(200);
    return res.body as unknown as { alerts: { written: number; unchanged: number; withdrawn: number } };
  };
  const flag = async (ref: string) => (await s.fhir('GET', ref)).body as Flag;
  const ATHLETE = { overrides: { 'rhr-rise': { delta: 12 } }, reason: 'Endurance athlete: resting HR swings 8 bpm with training load' };

  it('withdraws the open alert a loosened threshold no longer raises; the resolved one stays as it was', async () => {
    await importTrajectory(s, clinician, 'p-loose', restingHr(START, DAYS, { mean: 60, sd: 0.5, seed: 21, shift: twoEpisodes }));
    const before = await inbox(s, 'status=all&patient=p-loose');
    expect(before.map((a) => [a.status, a.start])).toEqual([['active', day(61)], ['resolved', day(21)]]);
    const [open, closed] = before as [(typeof before)[0], (typeof before)[0]];
    expect((await flag(closed.flag)).meta!.versionId).toBe('1');

    const saved = await putRules('p-loose', ATHLETE);
    expect(saved.alerts).toMatchObject({ withdrawn: 1 });

    // Gone from the open inbox of the care team and of the patient's portal, and from the chart markers.
    expect(await inbox(s, 'status=active')).toEqual([]);
    const patient = await s.token({ role: 'patient', patientId: 'p-loose' });
    expect(await inbox(s, 'status=active&patient=p-loose', patient)).toEqual([]);
    const chart = await s.request('GET', `/wearables/chart?patient=p-loose&metric=resting-heart-rate&from=${START}T00:00:00Z&to=${day(DAYS)}T00:00:00Z&points=100`);
    expect((chart.body as unknown as { alerts: { day: string }[] }).alerts.map((m) => m.day)).toEqual([day(21)]);

    // Kept for the record: the inbox row says who and why; the Flag is inactive with the end of its display period.
    const [withdrawn] = await inbox(s, 'status=withdrawn&patient=p-loose');
    expect(withdrawn).toMatchObject({ id: open.id, status: 'withdrawn', start: day(61), withdrawnBy: 'Practitioner/dr-b', evidence: open.evidence });
    expect(withdrawn!.withdrawalReason).toContain(ATHLETE.reason);
    const f = await flag(open.flag);
    expect(f).toMatchObject({ status: 'inactive', period: { start: day(61), end: withdrawn!.withdrawnAt } });
    expect(f.meta!.versionId).toBe('2');
    expect(f.code.text).toContain('Withdrawn on');
    expect(f.code.text).toContain(ATHLETE.reason);
    const note = (await s.fhir('GET', withdrawn!.withdrawal!)).body as Communication;
    expect(note).toMatchObject({
      status: 'completed', subject: { reference: 'Patient/p-loose' }, sender: { reference: 'Practitioner/dr-b' },
      inResponseTo: [{ reference: open.communication }], about: [{ reference: open.flag }],
    });
    expect(note.payload![0]!.contentString).toContain('thresholds changed by Practitioner/dr-b');
    // The alert's own Communication is still there, unchanged.
    expect(((await s.fhir('GET', open.communication)).body as Communication).meta!.versionId).toBe('1');

    // The resolved episode is a closed record: same row, same Flag version.
    const [stillResolved] = await inbox(s, 'status=resolved&patient=p-loose');
    expect(stillResolved).toEqual(closed);
    expect((await flag(closed.flag)).meta!.versionId).toBe('1');

    // A withdrawn alert cannot be acknowledged.
    const ack = await s.request('POST', `/wearables/alerts/${open.id}/ack`, { note: 'seen' }, { authorization: `Bearer ${clinician}` });
    expect(ack.status).toBe(409);
    expect(ack.body.resourceType).toBe('OperationOutcome');

    // Saving the same thresholds again withdraws nothing more.
    expect((await putRules('p-loose', ATHLETE)).alerts).toMatchObject({ withdrawn: 0, written: 0 });
  }, 120_000);

  it('raises the withdrawn alert again, on the same Flag, when the default thresholds come back', async () => {
    const [withdrawn] = await inbox(s, 'status=withdrawn&patient=p-loose');
    const saved = await putRules('p-loose', { overrides: {}, reason: 'Back to the population defaults after review' });
    expect(saved.alerts).toMatchObject({ written: 1, withdrawn: 0 });
    const active = await inbox(s, 'status=active&patient=p-loose');
    expect(active).toHaveLength(1);
    expect(active[0]).toMatchObject({ id: withdrawn!.id, status: 'active', start: day(61) });
    expect(active[0]!.withdrawnAt).toBeUndefined();
    const f = await flag(withdrawn!.flag);
    expect(f.status).toBe('active');
    expect(f.period!.end).toBeUndefined();
    expect(f.meta!.versionId).toBe('3');
    // One alert Communication per episode, however often it was withdrawn and raised.
    const sent = (((await s.fhir('GET', 'Communication?subject=Patient/p-loose&category=alert')).body as Bundle).entry ?? []).map((e) => e.resource as Communication);
    expect(sent.filter((c) => c.about?.[0]?.reference === withdrawn!.flag)).toHaveLength(1);
    expect(sent).toHaveLength(2);
  }, 60_000);

  it('leaves an acknowledged alert untouched when the threshold is loosened', async () => {
    await importTrajectory(s, clinician, 'p-acked', restingHr(START, DAYS, { mean: 60, sd: 0.5, seed: 22, shift: (i) => (i >= 60 ? 8 : 0) }));
    const [open] = await inbox(s, 'status=active&patient=p-acked');
    expect(open).toMatchObject({ start: day(61) });
    expect((await s.request('POST', `/wearables/alerts/${open!.id}/ack`, { note: 'Phoned: hard training week, no symptoms' }, { authorization: `Bearer ${clinician}` })).status).toBe(200);
    const [acked] = await inbox(s, 'status=acknowledged&patient=p-acked');

    expect((await putRules('p-acked', ATHLETE)).alerts).toMatchObject({ withdrawn: 0 });
    expect(await inbox(s, 'status=acknowledged&patient=p-acked')).toEqual([acked]);
    expect(await inbox(s, 'status=withdrawn&patient=p-acked')).toEqual([]);
    const f = await flag(acked!.flag);
    expect(f).toMatchObject({ status: 'active' });
    expect(f.meta!.versionId).toBe('1');
  }, 120_000);

  it('withdraws an open alert when new data changes the daily values it was raised on', async () => {
    // The watch read the resting heart rate 8 bpm high from day 60; a chest strap (ranked above a watch) worn on the
    // same days reads it normal: the daily values are the strap's, and nothing supports the alert any more.
    const watch = restingHr(START, DAYS, { mean: 60, sd: 0.5, seed: 24, shift: (i) => (i >= 60 ? 8 : 0) });
    await importTrajectory(s, clinician, 'p-strap', watch, 'Apple Watch');
    const [open] = await inbox(s, 'status=active&patient=p-strap');
    expect(open).toMatchObject({ start: day(61) });
    const strap = restingHr(day(60), DAYS - 60, { mean: 60, sd: 0.5, seed: 25, shift: () => 0 });
    const imported = await importTrajectory(s, clinician, 'p-strap', strap, 'Polar H10');
    expect(imported.alerts).toMatchObject({ withdrawn: 1 });
    const [withdrawn] = await inbox(s, 'status=withdrawn&patient=p-strap');
    expect(withdrawn).toMatchObject({ id: open!.id, withdrawnBy: 'Practitioner/dr-b' });
    expect(withdrawn!.withdrawalReason).toContain('import (fhir) changed the daily values');
    expect(await inbox(s, 'status=active&patient=p-strap')).toEqual([]);
  }, 120_000);

  it('raises the alert a tightened threshold now supports, at once', async () => {
    // +3 bpm from day 60: under the default 4 bpm nothing; under a 2 bpm threshold the rise is an alert.
    await importTrajectory(s, clinician, 'p-tight', restingHr(START, DAYS, { mean: 60, sd: 0.4, seed: 23, shift: (i) => (i >= 60 ? 3 : 0) }));
    expect(await inbox(s, 'status=all&patient=p-tight')).toEqual([]);
    const saved = await putRules('p-tight', { overrides: { 'rhr-rise': { delta: 2 } }, reason: 'Heart failure: act on smaller rises' });
    expect(saved.alerts).toMatchObject({ written: 1, withdrawn: 0 });
    const [raised] = await inbox(s, 'status=active&patient=p-tight');
    expect(raised).toMatchObject({ ruleId: 'rhr-rise', start: day(61) });
    expect(raised!.evidence.every((e) => e.value >= e.baseline!.median + 2)).toBe(true);
  }, 120_000);
});
