// What the service remembers between calls (its own tables, see migrations.ts): cards it sent (so feedback can name
// the issue), override decisions (not raised again) and tests already suggested (once per patient and gene).
import type { Queryable } from '../../db/index.ts';
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

/** The override and test-suggestion memory of a patient, read once per call (with the event tail: context-cache.ts). */
export interface PatientMemory {
  overridden: Set<string>;
  testsSuggested: Set<string>;
}

type CardRow = [string, string, string, string, string, string, string, string, string];

/**
 * Records the cards sent, off the request path: rows are queued and written in one multi-row INSERT per tick (at most
 * 500 rows), so a burst of hook calls costs one statement and one commit instead of one each. Feedback first waits for
 * the queue (`flush`), so a card is always found by the process that issued it; a crash may lose the last few
 * milliseconds of card records, whose feedback would then answer 404.
 */
export class CardRecorder {
  private queue: CardRow[] = [];
  private running: Promise<void> | undefined;
  private scheduled = false;

  constructor(
    private readonly db: Queryable,
    private readonly onError: (err: unknown) => void,
  ) {}

  record(serviceId: string, patientId: string, cards: readonly CardCandidate[]): void {
    for (const c of cards) {
      this.queue.push([c.card.uuid, serviceId, patientId, c.drug, c.issueKey, c.kind, c.card.indicator, c.card.summary, JSON.stringify((c.card.suggestions ?? []).map((x) => ({ uuid: x.uuid, label: x.label })))]);
    }
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush().catch(this.onError);
      });
    }
  }

  /** Writes everything queued so far; resolves when it is committed. */
  async flush(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
    if (this.queue.length === 0) return;
    const batch = this.queue.splice(0, 500);
    this.running = this.write(batch).finally(() => (this.running = undefined));
    await this.running;
    if (this.queue.length > 0) await this.flush();
  }

  private async write(rows: CardRow[]): Promise<void> {
    const values: unknown[] = [];
    const tuples = rows.map((row, i) => {
      values.push(...row);
      const b = i * 9;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}, $${b + 9}::jsonb)`;
    });
    await this.db.query(`INSERT INTO cds_card (uuid, service_id, patient_id, drug, issue_key, kind, indicator, summary, suggestions) VALUES ${tuples.join(', ')} ON CONFLICT (uuid) DO NOTHING`, values);
  }
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
