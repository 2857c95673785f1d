// An import of old days (a watch that synced late, a better source's readings arriving after the fact) re-evaluates
// the alerts through the patient's latest day with data, not only up to the last day it touched: an alert that
// resolved after the touched days stays resolved, an acknowledged one is untouched, no alert is raised twice, and an
// open alert raised after the touched days is judged again (withdrawn when the corrected values no longer support it).
// Synthetic resting-heart-rate trajectories imported as FHIR Observation Bundles over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Communication, Flag } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../../../../test/test-server.ts';
import { testDbKind } from '../../../../test/test-db.ts';
import { addDays } from '../baselines/baseline.ts';
import { importTrajectory, inbox, recentStart, restingHr } from './test-support.ts';

const DAYS = 70;
const START = recentStart(DAYS); // day 69 is yesterday
const day = (i: number) => addDays(START, i);

describe(`an import of old days re-evaluates through the latest day, on ${testDbKind}`, () => {
  let s: TestServer;
  let clinician: string;
  beforeAll(async () => {
    s = await startTestServer();
    clinician = await s.token({ role: 'clinician', fhirUser: 'Practitioner/dr-l' });
    expect((await s.fhir('PUT', 'Practitioner/dr-l', { resourceType: 'Practitioner', id: 'dr-l', name: [{ family: 'Lungu' }] })).status).toBe(201);
    for (const id of ['p-late', 'p-under', 'p-clock']) {
      expect((await s.fhir('PUT', `Patient/${id}`, { resourceType: 'Patient', id, generalPractitioner: [{ reference: 'Practitioner/dr-l' }] })).status).toBe(201);
    }
  }, 120_000);
  afterAll(async () => {
    await s.close();
  });

  const search = async <T>(query: string): Promise<T[]> => (((await s.fhir('GET', query)).body as Bundle).entry ?? []).map((e) => e.resource as T);
  const versionOf = async (ref: string) => ((await s.fhir('GET', ref)).body as Flag).meta!.versionId;

  it('leaves a resolved and an acknowledged alert as they were when a watch syncs the weeks before them late', async () => {
    // Chest strap: +8 bpm on days 30–35 (raised on day 31, resolved after two normal days) and from day 60 on
    // (raised on day 61, still high, acknowledged by the clinician).
    const strap = restingHr(START, DAYS, { mean: 60, sd: 0.5, seed: 41, shift: (i) => ((i >= 30 && i < 36) || i >= 60 ? 8 : 0) });
    await importTrajectory(s, clinician, 'p-late', strap, 'Polar H10');
    const [acked0, resolved] = await inbox(s, 'status=all&patient=p-late');
    expect([acked0!.status, acked0!.start, resolved!.status, resolved!.start, resolved!.resolvedOn]).toEqual(['active', day(61), 'resolved', day(31), day(37)]);
    expect((await s.request('POST', `/wearables/alerts/${acked0!.id}/ack`, { note: 'Phoned: viral cold, resting at home' }, { authorization: `Bearer ${clinician}` })).status).toBe(200);
    const before = await inbox(s, 'status=all&patient=p-late');
    expect(before.map((a) => a.status)).toEqual(['acknowledged', 'resolved']);

    // The watch worn all along syncs its readings late: 60 days before the strap's first, and the strap's days up to
    // the first breaching day of the resolved episode (the strap, ranked above a watch, keeps those days' values).
    // The import's last touched day lies inside the resolved episode.
    const watch = restingHr(day(-60), 91, { mean: 60, sd: 0.5, seed: 42, shift: () => 0 });
    expect(watch.at(-1)!.date).toBe(day(30));
    const imported = await importTrajectory(s, clinician, 'p-late', watch, 'Apple Watch');
    expect(imported.alerts).toMatchObject({ written: 0, withdrawn: 0 });

    // The resolved episode is still resolved, the acknowledged one untouched: same rows, same Flag versions.
    expect(await inbox(s, 'status=all&patient=p-late')).toEqual(before);
    expect(await versionOf(resolved!.flag)).toBe('1');
    expect(((await s.fhir('GET', resolved!.flag)).body as Flag)).toMatchObject({ status: 'inactive', period: { start: day(31), end: day(37) } });
    expect(await versionOf(acked0!.flag)).toBe('1');
    // No alert raised twice: two Flags, two alert Communications, one per episode.
    expect(await search<Flag>('Flag?patient=Patient/p-late')).toHaveLength(2);
    const sent = await search<Communication>('Communication?subject=Patient/p-late&category=alert');
    expect(sent.map((c) => c.about![0]!.reference).sort()).toEqual([acked0!.flag, resolved!.flag].sort());
  }, 180_000);

  it('judges an open alert raised after the touched days again: corrected earlier values withdraw it', async () => {
    // The watch reads 60 bpm until day 59 and 68 from day 60 on: an open rise, raised on day 61.
    const watch = restingHr(START, DAYS, { mean: 60, sd: 0.5, seed: 43, shift: (i) => (i >= 60 ? 8 : 0) });
    await importTrajectory(s, clinician, 'p-under', watch, 'Apple Watch');
    const [open] = await inbox(s, 'status=active&patient=p-under');
    expect(open).toMatchObject({ ruleId: 'rhr-rise', start: day(61) });

    // A chest strap's readings of days 0–59 arrive late: the person's resting heart rate was 68 all along (the watch
    // read low until day 60). The import touches only days before the alert, yet the rise is gone.
    const strap = restingHr(START, 60, { mean: 68, sd: 0.5, seed: 44, shift: () => 0 });
    const imported = await importTrajectory(s, clinician, 'p-under', strap, 'Polar H10');
    expect(imported.alerts).toMatchObject({ written: 0, withdrawn: 1 });
    expect(await inbox(s, 'status=active&patient=p-under')).toEqual([]);
    const all = await inbox(s, 'status=all&patient=p-under');
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: open!.id, status: 'withdrawn', withdrawnBy: 'Practitioner/dr-l' });
    expect(all[0]!.withdrawalReason).toContain('import (fhir) changed the daily values');
    expect(((await s.fhir('GET', open!.flag)).body as Flag).status).toBe('inactive');
  }, 180_000);

  it('evaluates up to the patient\'s today: a reading dated in the future does not move the window off the data', async () => {
    // A device with its clock two years ahead sends one reading; the rise of days 60–69 is still raised.
    const trajectory = [...restingHr(START, DAYS, { mean: 60, sd: 0.5, seed: 45, shift: (i) => (i >= 60 ? 8 : 0) }), { date: day(DAYS + 730), value: 61 }];
    await importTrajectory(s, clinician, 'p-clock', trajectory, 'Apple Watch');
    const active = await inbox(s, 'status=active&patient=p-clock');
    expect(active.map((a) => [a.ruleId, a.start])).toEqual([['rhr-rise', day(61)]]);
  }, 120_000);
});
