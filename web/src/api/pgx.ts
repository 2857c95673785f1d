// PGx summary API: GET /pgx/patients/{id}/summary (src/modules/pgx/storage/summary.ts).
import { api } from './http.ts';
import { toPgxSummary, type PgxSummary, type PgxSummaryResponse } from '../logic/pgx.ts';

export type { PgxGeneResult, PgxSummary } from '../logic/pgx.ts';

export async function pgxSummary(patientId: string): Promise<PgxSummary> {
  return toPgxSummary(await api<PgxSummaryResponse>(`/pgx/patients/${encodeURIComponent(patientId)}/summary`, { headers: { accept: 'application/json' } }));
}
