// Withdrawing open alerts the rules no longer raise: after a clinician loosens a threshold, switches a rule off or
// declares an illness window, or after new data changes the daily values, the stored open alert would otherwise stay
// in the inbox and the portal although nothing supports it any more.
//
// FHIR: the Flag becomes `inactive` with `period.end` = the withdrawal time (R4 Flag.status has only active, inactive
// and entered-in-error; the alert was raised correctly under the thresholds of its day, so entered-in-error — "should
// never have existed" — would misstate the record), its text says why; a Communication in reply to the alert's
// Communication, about the Flag, from the clinician, carries who and why (as an acknowledgement does). The inbox row
// keeps everything, with status `withdrawn`. Acknowledged and resolved alerts are closed decisions: never touched.
import type { Communication, Flag } from '@medplum/fhirtypes';
import type { RequestActor } from '../../../fhir/store/types.ts';
import type { AlertEvidence } from '../alerts/evaluate.ts';
import { writtenId, type WearablesDeps } from './deps.ts';

/** Who caused the re-evaluation and why, in words a colleague reads in the record. */
export interface WithdrawalCause {
  /** `Practitioner/…` when known, else the token subject, `operator` or `system`. */
  by: string;
  /** Sender of the withdrawal Communication, when the caller has a FHIR user. */
  sender?: string;
  /** E.g. `Alert thresholds changed by Practitioner/x: "athlete, resting HR swings 8 bpm"`. */
  reason: string;
}

export interface WithdrawInput {
  patientId: string;
  /** Dedup keys the evaluation raises (active or resolved): these stay. */
  raised: ReadonlySet<string>;
  /**
   * The days the evaluation judged: only open alerts whose first breaching day is on or after `from` and whose onset is
   * on or before `asOf` are withdrawn (an older one was not re-judged, a later one not yet seen).
   */
  from: string;
  asOf: string;
  cause: WithdrawalCause;
  now: Date;
  actor?: RequestActor;
}

/** Withdraws the patient's open, unacknowledged alerts the evaluation no longer raises; returns how many. */
export async function withdrawUnsupportedAlerts(deps: WearablesDeps, o: WithdrawInput): Promise<number> {
  const open = await deps.db.query<{ dedup_key: string; flag_id: string; communication_id: string; title: string; evidence: AlertEvidence[] | string }>(
    `SELECT dedup_key, flag_id, communication_id, title, evidence FROM wearable_alert
     WHERE patient_id = $1 AND status = 'active' AND acknowledged_at IS NULL AND onset <= $2::date ORDER BY onset`,
    [o.patientId, o.asOf],
  );
  let withdrawn = 0;
  for (const row of open.rows) {
    if (o.raised.has(row.dedup_key)) continue;
    const evidence = typeof row.evidence === 'string' ? (JSON.parse(row.evidence) as AlertEvidence[]) : row.evidence;
    if ((evidence[0]?.date ?? '') < o.from) continue;
    await withdrawOne(deps, o, row);
    withdrawn++;
  }
  return withdrawn;
}

async function withdrawOne(deps: WearablesDeps, o: WithdrawInput, row: { dedup_key: string; flag_id: string; communication_id: string; title: string }): Promise<void> {
  const when = o.now.toISOString();
  const sentence = `Withdrawn on ${when.slice(0, 10)}: ${o.cause.reason.replace(/[.\s]+$/, '')}. The alert rules as they now stand no longer raise this alert.`;
  const flag = (await deps.store.read<Flag>('Flag', row.flag_id)).resource;
  const { meta: _meta, ...rest } = flag;
  const updated: Flag = {
    ...rest,
    status: 'inactive',
    period: { ...flag.period, end: when },
    code: { ...flag.code, text: `${flag.code.text ?? row.title} ${sentence}` },
  };
  const message: Communication = {
    resourceType: 'Communication',
    status: 'completed',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/communication-category', code: 'notification', display: 'Notification' }], text: 'Alert withdrawn' }],
    subject: { reference: `Patient/${o.patientId}` },
    inResponseTo: [{ reference: `Communication/${row.communication_id}` }],
    about: [{ reference: `Flag/${row.flag_id}`, display: row.title }],
    ...(o.cause.sender ? { sender: { reference: o.cause.sender } } : {}),
    sent: when,
    payload: [{ contentString: sentence }],
  };
  const response = await deps.transaction({
    resourceType: 'Bundle', type: 'transaction',
    entry: [
      { resource: updated, request: { method: 'PUT', url: `Flag/${row.flag_id}` } },
      { resource: message, request: { method: 'POST', url: 'Communication' } },
    ],
  }, o.actor);
  const communicationId = writtenId(response, 1, 'Communication');
  await deps.db.query(
    `UPDATE wearable_alert SET status = 'withdrawn', withdrawn_at = $2, withdrawn_by = $3, withdrawal_reason = $4, withdrawal_communication_id = $5, updated_at = $2
     WHERE dedup_key = $1 AND status = 'active' AND acknowledged_at IS NULL`,
    [row.dedup_key, when, o.cause.by, o.cause.reason, communicationId],
  );
}
