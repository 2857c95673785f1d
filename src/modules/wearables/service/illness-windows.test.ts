// Illness windows a clinician declares, on a synthetic trajectory imported as FHIR: after an operation the resting
// heart rate sat 3 bpm high for four weeks (below the alert threshold, so no automatic episode excluded it) and
// pulled the baseline up; a later 5.5 bpm rise is then missed. Declaring the recovery weeks as an illness window
// takes them out of the baseline (alerts, chart band, weekly summary), so the rise is raised; changing or removing
// the window re-evaluates again and withdraws what it no longer supports. Bad input is a 4xx OperationOutcome.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../../test/test-server.ts';
import { testDbKind } from '../../../../test/test-db.ts';
import { addDays, baselineFor } from '../baselines/baseline.ts';
import { loadAlertRules } from '../alerts/rules.ts';
import type { IllnessWindow } from './illness-windows.ts';
import { importTrajectory, inbox, recentStart, restingHr } from './test-support.ts';

const rules = loadAlertRules();
const DAYS = 70;
const START = recentStart(DAYS); // day 69 is yesterday
const day = (i: number) => addDays(START, i);
/** Post-operative weeks (days 20–47) +3 bpm, ordinary days 48–59, then a +5.5 bpm rise from day 60. */
const afterSurgery = (i: number) => (i >= 20 && i <= 47 ? 3 : i >= 60 ? 5.5 : 0);
const trajectory = restingHr(START, DAYS, { mean: 60, sd: 0.4, seed: 31, shift: afterSurgery });
const RECOVERY = { start: day(20), end: day(47), reason: 'Recovery after laparoscopic cholecystectomy (Procedure/chole-1)' };

describe(`declared illness windows on ${testDbKind}`, () => {
  let s: TestServer;
  let clinician: string;
  let patient: string;
  beforeAll(async () => {
    s = await startTestServer();
    clinician = await s.token({ role: 'clinician', fhirUser: 'Practitioner/dr-c' });
    patient = await s.token({ role: 'patient', patientId: 'p-surgery' });
    for (const id of ['p-surgery', 'p-other']) expect((await s.fhir('PUT', `Patient/${id}`, { resourceType: 'Patient', id })).status).toBe(201);
    await importTrajectory(s, clinician, 'p-surgery', trajectory);
  }, 120_000);
  afterAll(async () => {
    await s.close();
  });

  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const declare = (body: unknown, token = clinician, patientId = 'p-surgery') => s.request('POST', `/wearables/illness-windows?patient=${patientId}`, body, as(token));
  type Answer = { window: IllnessWindow; alerts: { written: number; unchanged: number; withdrawn: number } };
  const bandOn = async (d: string) => {
    const res = await s.request('GET', `/wearables/chart?patient=p-surgery&metric=resting-heart-rate&from=${d}T00:00:00Z&to=${addDays(d, 1)}T00:00:00Z&points=10`);
    return (res.body as unknown as { baseline: { date: string; median: number }[] }).baseline.find((b) => b.date === d)!;
  };

  it('refuses bad windows with a 4xx OperationOutcome, and callers who may not set thresholds', async () => {
    const refused: [unknown, number, string][] = [
      [{ ...RECOVERY, end: day(10) }, 400, 'before start'],
      [{ ...RECOVERY, start: '2024-02-30' }, 400, 'start must be a calendar date'],
      [{ ...RECOVERY, end: 'next week' }, 400, 'end must be a calendar date'],
      [{ start: day(20), end: day(47) }, 400, 'reason'],
      [{ ...RECOVERY, reason: '   ' }, 400, 'reason'],
      [{ ...RECOVERY, metric: 'resting-heart-rate' }, 400, 'Unknown field(s) metric'],
      [[RECOVERY], 400, 'The body must be'],
    ];
    for (const [body, status, says] of refused) {
      const res = await declare(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(res.text).toContain(says);
    }
    const unknown = await declare(RECOVERY, clinician, 'p-nobody');
    expect(unknown.status).toBe(404);
    expect(unknown.body.resourceType).toBe('OperationOutcome');
    expect((await declare(RECOVERY, patient)).status).toBe(403);
    expect((await declare(RECOVERY, await s.token({ role: 'nurse' }))).status).toBe(403);
    expect((await s.request('DELETE', '/wearables/illness-windows/no-such-window', undefined, as(clinician))).status).toBe(404);
    expect(await inbox(s, 'status=all&patient=p-surgery')).toEqual([]); // nothing was stored, nothing re-evaluated
  }, 60_000);

  it('keeps a declared window out of the baseline: the later rise is raised at once, and the band leaves the weeks out', async () => {
    // Without the window the polluted baseline (~63 bpm) hides the rise to ~65.5 bpm.
    const polluted = await bandOn(day(61));
    const res = await declare(RECOVERY);
    expect(res.status, res.text).toBe(201);
    const { window, alerts } = res.body as unknown as Answer;
    expect(window).toMatchObject({ patientId: 'p-surgery', start: day(20), end: day(47), reason: RECOVERY.reason, recordedBy: 'Practitioner/dr-c' });
    expect(alerts).toMatchObject({ written: 1, withdrawn: 0 });
    const [raised] = await inbox(s, 'status=active&patient=p-surgery');
    expect(raised).toMatchObject({ ruleId: 'rhr-rise', start: day(61) });
    for (const e of raised!.evidence) {
      expect(e.baseline!.median).toBeGreaterThan(59.5);
      expect(e.baseline!.median).toBeLessThan(60.5);
    }
    // The band on day 61 is the baseline with the window excluded, not the polluted one.
    const clean = baselineFor(trajectory, day(61), { ...rules.baseline, exclude: [{ start: day(20), end: day(47) }] })!;
    const band = await bandOn(day(61));
    expect(band.median).toBeCloseTo(clean.median, 2);
    expect(polluted.median - band.median).toBeGreaterThan(2);
    // The patient's weekly summary is judged the same way.
    const weekly = await s.request('GET', `/wearables/weekly-summary?patient=p-surgery&weekEnd=${day(69)}`, undefined, as(patient));
    expect(weekly.status).toBe(200);
    expect((weekly.body as unknown as { text: string }).text).toContain('Your care team has been told');
  }, 60_000);

  it('refuses an overlapping window (409 naming the one it overlaps); the patient reads their own windows', async () => {
    const [current] = (((await s.request('GET', '/wearables/illness-windows?patient=p-surgery', undefined, as(patient))).body as unknown) as { windows: IllnessWindow[] }).windows;
    expect(current).toMatchObject(RECOVERY);
    for (const body of [{ start: day(40), end: day(50), reason: 'Fever' }, { start: day(10), end: null, reason: 'Chemotherapy' }]) {
      const overlap = await declare(body);
      expect(overlap.status).toBe(409);
      expect(overlap.body.resourceType).toBe('OperationOutcome');
      expect(overlap.text).toContain(current!.id);
    }
    // A window that only touches the next day is not an overlap.
    const next = await declare({ start: day(48), end: day(49), reason: 'Travel across eight time zones' });
    expect(next.status).toBe(201);
    expect((await s.request('DELETE', `/wearables/illness-windows/${(next.body as unknown as Answer).window.id}`, undefined, as(clinician))).status).toBe(200);
    expect((await s.request('GET', '/wearables/illness-windows?patient=p-surgery', undefined, as(await s.token({ role: 'patient', patientId: 'p-other' })))).status).toBe(403);
  }, 60_000);

  it('re-evaluates on every change: a shortened or removed window withdraws the alert it no longer supports', async () => {
    const [w] = (((await s.request('GET', '/wearables/illness-windows?patient=p-surgery')).body as unknown) as { windows: IllnessWindow[] }).windows;
    const [raised] = await inbox(s, 'status=active&patient=p-surgery');
    // Removed: the recovery weeks count again, the rise is no longer an alert; the window stays on record.
    const removed = await s.request('DELETE', `/wearables/illness-windows/${w!.id}`, undefined, as(clinician));
    expect(removed.status, removed.text).toBe(200);
    expect(removed.body).toMatchObject({ window: { id: w!.id, removedBy: 'Practitioner/dr-c' }, alerts: { withdrawn: 1 } });
    expect(await inbox(s, 'status=active&patient=p-surgery')).toEqual([]);
    const [withdrawn] = await inbox(s, 'status=withdrawn&patient=p-surgery');
    expect(withdrawn).toMatchObject({ id: raised!.id, withdrawnBy: 'Practitioner/dr-c' });
    expect(withdrawn!.withdrawalReason).toContain(`illness window ${day(20)}…${day(47)} removed`);
    expect((await s.flaura.db.query(`SELECT removed_by FROM wearable_illness_window WHERE id = $1`, [w!.id])).rows).toEqual([{ removed_by: 'Practitioner/dr-c' }]);

    // Open-ended (still recovering): every day from the operation on is left out; the rise is judged against the weeks before.
    const open = await declare({ start: day(20), end: null, reason: 'Recovery after cholecystectomy, not yet complete' });
    expect(open.status).toBe(201);
    const openWindow = (open.body as unknown as Answer).window;
    expect(openWindow.end).toBeNull();
    expect((await inbox(s, 'status=active&patient=p-surgery')).map((a) => a.id)).toEqual([raised!.id]);

    // Closed on the day recovery ended: the same alert stays raised, its evidence now against a baseline that takes
    // in the ordinary days after the window too.
    const closed = await s.request('PUT', `/wearables/illness-windows/${openWindow.id}`, RECOVERY, as(clinician));
    expect(closed.status, closed.text).toBe(200);
    expect(closed.body).toMatchObject({ window: { id: openWindow.id, end: day(47), reason: RECOVERY.reason }, alerts: { withdrawn: 0 } });
    const [still] = await inbox(s, 'status=active&patient=p-surgery');
    expect(still).toMatchObject({ id: raised!.id });
    expect(still!.evidence[0]!.baseline!.to).toBe(day(59));
    // Shortened to its first week: the later recovery days pull the baseline up again, the alert is withdrawn.
    const shortened = await s.request('PUT', `/wearables/illness-windows/${openWindow.id}`, { ...RECOVERY, end: day(27) }, as(clinician));
    expect(shortened.body).toMatchObject({ alerts: { withdrawn: 1 } });
    expect(await inbox(s, 'status=active&patient=p-surgery')).toEqual([]);
    const bad = await s.request('PUT', `/wearables/illness-windows/${openWindow.id}`, { ...RECOVERY, end: day(5) }, as(clinician));
    expect(bad.status).toBe(400);
    expect((await s.request('PUT', `/wearables/illness-windows/${openWindow.id}`, RECOVERY, as(patient))).status).toBe(403);
  }, 120_000);
});
