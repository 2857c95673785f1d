// Alerts in the EMR: each alert episode is a FHIR Flag (the state a care team sees on the chart, active → inactive on
// recovery) plus one Communication to the care team carrying the evidence (text + the daily summary Observations of
// the breaching days); acknowledgement is a reply Communication. An open alert the rules no longer raise is withdrawn
// (service/alert-withdrawal.ts). `wearable_alert` is the module's inbox index.
import { createHash } from 'node:crypto';
import type { Bundle, BundleEntry, CareTeam, Communication, Patient, Reference } from '@medplum/fhirtypes';
import { FlauraError } from '../../../errors.ts';
import type { RequestActor } from '../../../fhir/store/types.ts';
import type { Alert, AlertEvidence } from '../alerts/evaluate.ts';
import { ALERT_IDENTIFIER_SYSTEM, describeAlert, renderAlert } from '../alerts/render.ts';
import type { MetricCatalog } from '../metrics/catalog.ts';
import { writtenId, type WearablesDeps } from './deps.ts';
import { publishedObservationIds } from './publish-daily.ts';

/**
 * Inbox states: `active` = raised, not yet acknowledged, not resolved; `acknowledged`; `resolved` (values recovered);
 * `withdrawn` (open, then no longer raised by the rules as they stand: kept for the record, shown to no one as open).
 */
export const INBOX_STATUSES = ['active', 'acknowledged', 'resolved', 'withdrawn', 'all'] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];

/** One alert as the alerts inbox and the chart show it. */
export interface InboxAlert {
  /** The Flag's id (also the id acknowledgement takes). */
  id: string;
  patientId: string;
  ruleId: string;
  metric: string;
  title: string;
  severity: string;
  status: Exclude<InboxStatus, 'all'>;
  /** Onset day (the day the rule's condition was met). */
  start: string;
  resolvedOn?: string;
  detail: string;
  evidence: AlertEvidence[];
  flag: string;
  communication: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  note?: string;
  withdrawnAt?: string;
  withdrawnBy?: string;
  withdrawalReason?: string;
  /** The Communication that recorded the withdrawal. */
  withdrawal?: string;
}

export interface SyncAlertsResult {
  written: number;
  unchanged: number;
  /** Open alerts the evaluation no longer raises, withdrawn (see service/alert-withdrawal.ts). */
  withdrawn: number;
}

const hashOf = (v: unknown): string => createHash('sha256').update(JSON.stringify(v)).digest('hex');
const identifierQuery = (key: string) => `identifier=${encodeURIComponent(`${ALERT_IDENTIFIER_SYSTEM}|${key}`)}`;

/** The patient's care team: the general practitioners on the Patient and its active CareTeams. */
async function careTeamOf(deps: WearablesDeps, patientId: string): Promise<Reference[]> {
  const out: Reference[] = [];
  try {
    const p = await deps.store.read<Patient>('Patient', patientId);
    out.push(...(p.resource.generalPractitioner ?? []).filter((r) => r.reference).map((r) => ({ reference: r.reference, ...(r.display ? { display: r.display } : {}) })));
  } catch (e) {
    if (!(e instanceof FlauraError && e.status === 404)) throw e;
  }
  const teams = await deps.store.search('CareTeam', `patient=Patient/${encodeURIComponent(patientId)}&status=active`);
  for (const e of teams.entry ?? []) {
    const t = e.resource as CareTeam | undefined;
    if (t?.id) out.push({ reference: `CareTeam/${t.id}`, ...(t.name ? { display: t.name } : {}) });
  }
  return out;
}

/**
 * Stores the alerts of one patient: a new episode creates its Flag and Communication in one FHIR transaction; a
 * changed one (resolved, more evidence) updates the Flag in place (conditional update on the dedup identifier); an
 * unchanged one writes nothing. The Communication is sent once, when the alert is raised. A withdrawn alert the rules
 * raise again (thresholds set back) becomes active again on the same Flag.
 */
export async function syncAlerts(deps: WearablesDeps, catalog: MetricCatalog, o: { patientId: string; alerts: readonly Alert[]; now: Date; actor?: RequestActor }): Promise<SyncAlertsResult> {
  const existing = await deps.db.query<{ dedup_key: string; content_hash: string; status: string }>(`SELECT dedup_key, content_hash, status FROM wearable_alert WHERE patient_id = $1`, [o.patientId]);
  // A withdrawn row never counts as unchanged: raised again, it must be written again.
  const known = new Map(existing.rows.map((r) => [r.dedup_key, r.status === 'withdrawn' ? '' : r.content_hash]));
  let written = 0, unchanged = 0;
  let recipients: Reference[] | undefined;
  for (const alert of o.alerts) {
    const unit = catalog.byId.get(alert.metric)?.ucum ?? '';
    const detail = describeAlert(alert, unit);
    const hash = hashOf({ status: alert.status, resolvedOn: alert.resolvedOn ?? null, evidence: alert.evidence, detail });
    if (known.get(alert.dedupKey) === hash) {
      unchanged++;
      continue;
    }
    recipients ??= await careTeamOf(deps, o.patientId);
    const { flag, communication } = renderAlert({ alert, recipients: recipients as Parameters<typeof renderAlert>[0]['recipients'], unitOf: () => unit, now: o.now });
    const evidenceIds = await publishedObservationIds(deps, o.patientId, alert.metric, alert.evidence.map((e) => e.date));
    const flagUrl = `urn:uuid:${uuidFrom(`flag|${alert.dedupKey}`)}`;
    const message: Communication = {
      ...communication,
      about: [{ reference: flagUrl, display: alert.title }],
      payload: [
        ...(communication.payload ?? []),
        ...alert.evidence.flatMap((e) => {
          const id = evidenceIds.get(e.date);
          return id ? [{ contentReference: { reference: `Observation/${id}`, display: `${alert.metric} on ${e.date}` } }] : [];
        }),
      ],
    };
    const entries: BundleEntry[] = [
      { fullUrl: flagUrl, resource: flag, request: { method: 'PUT', url: `Flag?${identifierQuery(alert.dedupKey)}` } },
      { fullUrl: `urn:uuid:${uuidFrom(`communication|${alert.dedupKey}`)}`, resource: message, request: { method: 'POST', url: 'Communication', ifNoneExist: identifierQuery(alert.dedupKey) } },
    ];
    const response = await deps.transaction({ resourceType: 'Bundle', type: 'transaction', entry: entries } satisfies Bundle, o.actor);
    const flagId = writtenId(response, 0, 'Flag');
    const communicationId = writtenId(response, 1, 'Communication');
    await deps.db.query(
      `INSERT INTO wearable_alert (dedup_key, patient_id, rule_id, metric, title, severity, onset, status, resolved_on, evidence, detail, content_hash, flag_id, communication_id, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT (dedup_key) DO UPDATE SET status = excluded.status, resolved_on = excluded.resolved_on, evidence = excluded.evidence, detail = excluded.detail,
         content_hash = excluded.content_hash, flag_id = excluded.flag_id, communication_id = excluded.communication_id, updated_at = excluded.updated_at,
         withdrawn_at = NULL, withdrawn_by = NULL, withdrawal_reason = NULL, withdrawal_communication_id = NULL`,
      [alert.dedupKey, o.patientId, alert.ruleId, alert.metric, alert.title, alert.severity, alert.onset, alert.status, alert.resolvedOn ?? null, JSON.stringify(alert.evidence), detail, hash, flagId, communicationId, o.now.toISOString()],
    );
    written++;
  }
  return { written, unchanged, withdrawn: 0 };
}

interface AlertRow {
  patient_id: string;
  rule_id: string;
  metric: string;
  title: string;
  severity: string;
  onset: string;
  status: 'active' | 'resolved' | 'withdrawn';
  resolved_on: string | null;
  evidence: AlertEvidence[] | string;
  detail: string;
  flag_id: string;
  communication_id: string;
  acknowledged_at: Date | string | null;
  acknowledged_by: string | null;
  ack_note: string | null;
  withdrawn_at: Date | string | null;
  withdrawn_by: string | null;
  withdrawal_reason: string | null;
  withdrawal_communication_id: string | null;
}

const COLUMNS = `patient_id, rule_id, metric, title, severity, to_char(onset, 'YYYY-MM-DD') AS onset, status, to_char(resolved_on, 'YYYY-MM-DD') AS resolved_on,
  evidence, detail, flag_id, communication_id, acknowledged_at, acknowledged_by, ack_note, withdrawn_at, withdrawn_by, withdrawal_reason, withdrawal_communication_id`;

function toInbox(r: AlertRow): InboxAlert {
  return {
    id: r.flag_id, patientId: r.patient_id, ruleId: r.rule_id, metric: r.metric, title: r.title, severity: r.severity,
    status: r.status === 'resolved' || r.status === 'withdrawn' ? r.status : r.acknowledged_at ? 'acknowledged' : 'active',
    start: r.onset, ...(r.resolved_on ? { resolvedOn: r.resolved_on } : {}), detail: r.detail,
    evidence: typeof r.evidence === 'string' ? (JSON.parse(r.evidence) as AlertEvidence[]) : r.evidence,
    flag: `Flag/${r.flag_id}`, communication: `Communication/${r.communication_id}`,
    ...(r.acknowledged_at ? { acknowledgedAt: new Date(r.acknowledged_at).toISOString() } : {}),
    ...(r.acknowledged_by ? { acknowledgedBy: r.acknowledged_by } : {}),
    ...(r.ack_note !== null ? { note: r.ack_note } : {}),
    ...(r.withdrawn_at ? { withdrawnAt: new Date(r.withdrawn_at).toISOString() } : {}),
    ...(r.withdrawn_by ? { withdrawnBy: r.withdrawn_by } : {}),
    ...(r.withdrawal_reason !== null ? { withdrawalReason: r.withdrawal_reason } : {}),
    ...(r.withdrawal_communication_id ? { withdrawal: `Communication/${r.withdrawal_communication_id}` } : {}),
  };
}

/** The alerts inbox, newest onset first; `patientIds` limits it (e.g. to the patients a caller may see). */
export async function listAlerts(deps: Pick<WearablesDeps, 'db'>, q: { status: InboxStatus; patientId?: string; from?: string; to?: string; limit?: number }): Promise<InboxAlert[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.status === 'active') where.push(`status = 'active' AND acknowledged_at IS NULL`);
  if (q.status === 'acknowledged') where.push(`status = 'active' AND acknowledged_at IS NOT NULL`);
  if (q.status === 'resolved') where.push(`status = 'resolved'`);
  if (q.status === 'withdrawn') where.push(`status = 'withdrawn'`);
  if (q.patientId) add('patient_id = ?', q.patientId);
  // Alerts overlapping a window (chart markers): raised before its end, not resolved before its start.
  if (q.to) add('onset <= ?::date', q.to);
  if (q.from) add('(resolved_on IS NULL OR resolved_on >= ?::date)', q.from);
  params.push(q.limit ?? 500);
  const r = await deps.db.query<AlertRow>(`SELECT ${COLUMNS} FROM wearable_alert ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY onset DESC, rule_id LIMIT $${params.length}`, params);
  return r.rows.map(toInbox);
}

/** One alert by its Flag id (404 when unknown). */
export async function getAlert(deps: Pick<WearablesDeps, 'db'>, flagId: string): Promise<InboxAlert> {
  const r = await deps.db.query<AlertRow>(`SELECT ${COLUMNS} FROM wearable_alert WHERE flag_id = $1`, [flagId]);
  if (!r.rows[0]) throw new FlauraError('WEARABLES_ALERT_NOT_FOUND', 404, `No wearable alert with Flag id '${flagId}'`);
  return toInbox(r.rows[0]);
}

export interface AcknowledgeInput {
  flagId: string;
  note: string;
  /** Who acknowledges (a `Practitioner/…` reference when known, else the subject). */
  by: string;
  /** Sender reference for the reply Communication, when the caller has a FHIR user. */
  sender?: string;
  now: Date;
  actor?: RequestActor;
}

/**
 * Acknowledges an alert with a note: recorded as a Communication in reply to the alert's Communication (about the
 * Flag, from the acknowledging user) and in the inbox. The Flag stays active until the values recover. A second
 * acknowledgement is a 409.
 */
export async function acknowledgeAlert(deps: WearablesDeps, input: AcknowledgeInput): Promise<InboxAlert> {
  const alert = await getAlert(deps, input.flagId);
  if (alert.acknowledgedAt) throw new FlauraError('WEARABLES_ALERT_ACKNOWLEDGED', 409, `The alert was already acknowledged by ${alert.acknowledgedBy} at ${alert.acknowledgedAt}`);
  if (alert.status === 'withdrawn') throw new FlauraError('WEARABLES_ALERT_WITHDRAWN', 409, `The alert was withdrawn by ${alert.withdrawnBy} at ${alert.withdrawnAt}: ${alert.withdrawalReason}`, { type: 'conflict' });
  const reply: Communication = {
    resourceType: 'Communication',
    status: 'completed',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/communication-category', code: 'notification', display: 'Notification' }], text: 'Alert acknowledged' }],
    subject: { reference: `Patient/${alert.patientId}` },
    inResponseTo: [{ reference: alert.communication }],
    about: [{ reference: alert.flag, display: alert.title }],
    ...(input.sender ? { sender: { reference: input.sender } } : {}),
    sent: input.now.toISOString(),
    payload: [{ contentString: input.note }],
  };
  const response = await deps.transaction({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: reply, request: { method: 'POST', url: 'Communication' } }] }, input.actor);
  const replyId = writtenId(response, 0, 'Communication');
  const r = await deps.db.query(
    `UPDATE wearable_alert SET acknowledged_at = $2, acknowledged_by = $3, ack_note = $4, ack_communication_id = $5 WHERE flag_id = $1 AND acknowledged_at IS NULL AND status <> 'withdrawn'`,
    [input.flagId, input.now.toISOString(), input.by, input.note, replyId],
  );
  if (r.rowCount === 0) throw new FlauraError('WEARABLES_ALERT_ACKNOWLEDGED', 409, 'The alert was acknowledged or withdrawn concurrently');
  return getAlert(deps, input.flagId);
}

/** A stable RFC 4122 name-based UUID, so rebuilding a bundle gives the same fullUrls. */
function uuidFrom(name: string): string {
  const h = createHash('sha1').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}
