// PGx summary API (GET /pgx/patients/{id}/summary), read tolerantly: the screen shows what the server states.
import { api } from './http.ts';

export interface PgxDrugGuidance {
  drug: string;
  guidance: string;
  /** e.g. CPIC "Strong" / "Moderate", or DPWG. */
  strength?: string;
  source?: string;
  url?: string;
  implication?: string;
}

export interface PgxGeneResult {
  gene: string;
  diplotype: string;
  phenotype: string;
  activityScore?: string;
  source?: string;
  date?: string;
  dataVersion?: string;
  drugs: PgxDrugGuidance[];
  /** Where the result came from: the stored FHIR result and the evidence for it. */
  evidence: { label: string; href?: string; text?: string }[];
  /** Plain-language explanation for the patient, when the server provides one. */
  explanation?: string;
}

export interface PgxSummary {
  genes: PgxGeneResult[];
  dataVersion?: string;
  explanation?: string;
}

type Raw = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const obj = (v: unknown): Raw => (v && typeof v === 'object' ? (v as Raw) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const label = (v: unknown): string | undefined => str(v) ?? str(obj(v).label) ?? str(obj(v).name) ?? str(obj(v).display) ?? str(obj(v).kind);

function readDrug(d: unknown): PgxDrugGuidance {
  const r = obj(d);
  return {
    drug: label(r.drug) ?? str(r.name) ?? 'Unknown medicine',
    guidance: str(r.guidance) ?? str(r.recommendation) ?? str(obj(r.guidance).text) ?? str(r.text) ?? '',
    strength: str(r.strength) ?? str(r.classification),
    source: label(r.source) ?? str(r.guideline),
    url: str(r.url) ?? str(obj(r.source).url) ?? str(r.guidelineUrl),
    implication: str(r.implication) ?? str(r.implications),
  };
}

function readEvidence(r: Raw): PgxGeneResult['evidence'] {
  const out: PgxGeneResult['evidence'] = [];
  for (const e of arr(r.evidence)) {
    const x = obj(e);
    out.push({ label: label(x) ?? str(x.reference) ?? 'Evidence', href: str(x.url) ?? str(x.href) ?? (str(x.reference) ? `/fhir/${str(x.reference)}` : undefined), text: str(x.text) ?? str(x.detail) });
  }
  const ev = obj(r.evidence);
  if (!Array.isArray(r.evidence) && Object.keys(ev).length) out.push({ label: label(ev) ?? 'Evidence', href: str(ev.url) ?? str(ev.href), text: str(ev.text) });
  for (const key of ['observation', 'observationId', 'resultReference', 'reference']) {
    const v = str(r[key]) ?? str(obj(r[key]).reference);
    if (v) out.push({ label: 'Stored result', href: `/fhir/${v.includes('/') ? v : `Observation/${v}`}` });
  }
  const calls = arr(r.alleles ?? r.calls ?? r.variants).map((a) => str(a) ?? label(a)).filter(Boolean);
  if (calls.length) out.push({ label: 'Alleles and variants found', text: calls.join(', ') });
  return out;
}

export function readPgxSummary(raw: unknown): PgxSummary {
  const r = obj(raw);
  const genes = arr(r.genes ?? r.results).map((g) => {
    const x = obj(g);
    return {
      gene: str(x.gene) ?? 'Unknown gene',
      diplotype: str(x.diplotype) ?? label(x.diplotype) ?? '—',
      phenotype: str(x.phenotype) ?? label(x.phenotype) ?? '—',
      activityScore: str(x.activityScore),
      source: label(x.source),
      date: str(x.date) ?? str(x.effectiveDate) ?? str(x.issued),
      dataVersion: str(x.dataVersion) ?? str(x.version),
      drugs: arr(x.drugs ?? x.affectedDrugs ?? x.guidance).map(readDrug),
      evidence: readEvidence(x),
      explanation: str(x.explanation) ?? str(x.patientExplanation),
    };
  });
  return { genes, dataVersion: str(r.dataVersion), explanation: str(r.explanation) ?? str(obj(r.explanation).text) };
}

export async function pgxSummary(patientId: string): Promise<PgxSummary> {
  return readPgxSummary(await api<unknown>(`/pgx/patients/${encodeURIComponent(patientId)}/summary`));
}
