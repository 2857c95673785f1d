// What the service remembers between calls (its own tables, see migrations.ts): cards it sent (so feedback can name
// the issue), override decisions (not raised again) and tests already suggested (once per patient and gene).
import type { Db, Queryable } from '../../db/index.ts';
import type { CardCandidate } from './cards.ts';

export interface IssuedCard {
  uuid: string;
  serviceId: string;
  patientId: string;
  drug: string;
  issueKey: string;
  kind: string;
  indicator: string;
  summary: string;
  suggestions: { uuid: string; label: string }[];
}

/** Issue keys overridden for the patient, per drug. */
export async function overriddenIssues(db: Queryable, patientId: string): Promise<Set<string>> {
  const { rows } = await db.query<{ drug: string; issue_key: string }>(`SELECT drug, issue_key FROM cds_decision WHERE patient_id = $1 AND outcome = 'overridden'`, [patientId]);
  return new Set(rows.map((r) => `${r.drug}\u0000${r.issue_key}`));
}

export async function suggestedTests(db: Queryable, patientId: string): Promise<Set<string>> {
  const { rows } = await db.query<{ gene: string }>('SELECT gene FROM cds_test_suggested WHERE patient_id = $1', [patientId]);
  return new Set(rows.map((r) => r.gene));
}

/**
 * Claims the test suggestion for each gene; returns the genes this call won (a concurrent call for the same patient
 * and gene gets none, so the suggestion is shown once).
 */
export async function claimTestSuggestion(db: Queryable, patientId: string, genes: readonly string[], cardUuid: string): Promise<string[]> {
  if (genes.length === 0) return [];
  const { rows } = await db.query<{ gene: string }>(
    `INSERT INTO cds_test_suggested (patient_id, gene, card_uuid) SELECT $1, g, $3 FROM unnest($2::text[]) AS g ON CONFLICT DO NOTHING RETURNING gene`,
    [patientId, genes, cardUuid],
  );
  return rows.map((r) => r.gene);
}

/** The override and test-suggestion memory of a patient, read once per call (start it alongside the patient data). */
export interface PatientMemory {
  overridden: Set<string>;
  testsSuggested: Set<string>;
}

export async function loadMemory(db: Queryable, patientId: string): Promise<PatientMemory> {
  const [overridden, testsSuggested] = await Promise.all([overriddenIssues(db, patientId), suggestedTests(db, patientId)]);
  return { overridden, testsSuggested };
}

/**
 * Records the cards sent. Without waiting for the WAL flush (synchronous_commit off for this transaction only): a crash
 * may lose the last cards' records, after which their feedback is answered 404; decisions are flushed as usual.
 */
export async function recordCards(db: Db, serviceId: string, patientId: string, cards: readonly CardCandidate[]): Promise<void> {
  if (cards.length === 0) return;
  const values: unknown[] = [];
  const tuples = cards.map((c, i) => {
    values.push(c.card.uuid, serviceId, patientId, c.drug, c.issueKey, c.kind, c.card.indicator, c.card.summary, JSON.stringify((c.card.suggestions ?? []).map((s) => ({ uuid: s.uuid, label: s.label }))));
    const b = i * 9;
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}, $${b + 9}::jsonb)`;
  });
  await db.transaction(async (tx) => {
    await tx.query('SET LOCAL synchronous_commit TO off');
    await tx.query(`INSERT INTO cds_card (uuid, service_id, patient_id, drug, issue_key, kind, indicator, summary, suggestions) VALUES ${tuples.join(', ')}`, values);
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findCard(db: Queryable, serviceId: string, uuid: string): Promise<IssuedCard | undefined> {
  if (!UUID.test(uuid)) return undefined;
  const { rows } = await db.query<{ uuid: string; service_id: string; patient_id: string; drug: string; issue_key: string; kind: string; indicator: string; summary: string; suggestions: IssuedCard['suggestions'] | string }>(
    'SELECT uuid::text AS uuid, service_id, patient_id, drug, issue_key, kind, indicator, summary, suggestions FROM cds_card WHERE uuid = $1 AND service_id = $2',
    [uuid, serviceId],
  );
  const r = rows[0];
  if (!r) return undefined;
  const suggestions = typeof r.suggestions === 'string' ? (JSON.parse(r.suggestions) as IssuedCard['suggestions']) : r.suggestions;
  return { uuid: r.uuid, serviceId: r.service_id, patientId: r.patient_id, drug: r.drug, issueKey: r.issue_key, kind: r.kind, indicator: r.indicator, summary: r.summary, suggestions };
}

export async function recordDecision(db: Queryable, card: IssuedCard, outcome: 'accepted' | 'overridden', detectedIssueId: string, at: string): Promise<void> {
  await db.query(
    `INSERT INTO cds_decision (patient_id, drug, issue_key, outcome, card_uuid, detected_issue_id, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (patient_id, drug, issue_key, card_uuid) DO UPDATE SET outcome = EXCLUDED.outcome, detected_issue_id = EXCLUDED.detected_issue_id, decided_at = EXCLUDED.decided_at`,
    [card.patientId, card.drug, card.issueKey, outcome, card.uuid, detectedIssueId, at],
  );
}
