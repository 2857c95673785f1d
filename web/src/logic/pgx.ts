// The PGx summary as the server sends it (src/modules/pgx/storage/summary.ts), shaped for the screens: per gene the
// result and the medicines it affects with their guidance.

/** As the server sends it. */
export interface PgxSummaryResponse {
  patient: string;
  genes: {
    gene: string;
    diplotypes: string[];
    phenotype: string;
    activityScore: string | null;
    lookupKeys: string[];
    source: 'vcf' | 'outside-call' | 'unknown';
    date: string;
    reportId: string;
    dataVersion: Record<string, string>;
    observationIds: string[];
  }[];
  drugs: {
    drug: string;
    genes: string[];
    date: string;
    reportId: string;
    guidance: { source: string; classification: string | null; population: string | null; text: string; implications: string[]; lookupKey: Record<string, string>; observationId: string }[];
  }[];
  reports: { id: string; status: string; issued: string | null; conclusion: string | null; contentHash: string | null }[];
}

export interface PgxDrugGuidance {
  drug: string;
  /** Other genes that shape this recommendation. */
  withGenes: string[];
  items: { source: string; strength?: string; population?: string; text: string; implications: string[]; observationId: string }[];
}

export interface PgxGeneResult {
  gene: string;
  diplotype: string;
  phenotype: string;
  activityScore?: string;
  source: string;
  date: string;
  dataVersion: string;
  reportId: string;
  observationIds: string[];
  lookupKeys: string[];
  drugs: PgxDrugGuidance[];
}

export interface PgxSummary {
  genes: PgxGeneResult[];
  conclusion?: string;
}

const versionLabels: Record<string, string> = { alleleDefinitions: 'Alleles', phenotypes: 'Phenotypes', cpicRecommendations: 'CPIC', dpwgRecommendations: 'DPWG' };

/** e.g. "Alleles 2025-11-05 · CPIC 2024-03-25": the date stamps of each knowledge source, the long form in the evidence. */
export function dataVersionText(v: Record<string, string>): string {
  return Object.entries(v)
    .filter(([k]) => k !== 'phenotypes')
    .map(([k, val]) => `${versionLabels[k] ?? k} ${/\d{4}-\d{2}-\d{2}/.exec(val)?.[0] ?? val}`)
    .join(' · ');
}

const sourceLabel = { vcf: 'Genotyped from a VCF', 'outside-call': 'Reported by a laboratory', unknown: 'Unknown source' } as const;

/** Most relevant first: genes with guidance for some medicine, then the rest alphabetically. */
export function toPgxSummary(r: PgxSummaryResponse): PgxSummary {
  const genes = r.genes.map((g) => ({
    gene: g.gene,
    diplotype: g.diplotypes.length ? g.diplotypes.join(' or ') : '—',
    phenotype: g.phenotype,
    ...(g.activityScore ? { activityScore: g.activityScore } : {}),
    source: sourceLabel[g.source],
    date: g.date,
    dataVersion: dataVersionText(g.dataVersion),
    reportId: g.reportId,
    observationIds: g.observationIds,
    lookupKeys: g.lookupKeys,
    drugs: r.drugs
      .filter((d) => d.genes.includes(g.gene))
      .map((d) => ({
        drug: d.drug,
        withGenes: d.genes.filter((x) => x !== g.gene),
        items: d.guidance.map((x) => ({ source: x.source, ...(x.classification ? { strength: x.classification } : {}), ...(x.population ? { population: x.population } : {}), text: x.text, implications: x.implications, observationId: x.observationId })),
      })),
  }));
  genes.sort((a, b) => Number(b.drugs.length > 0) - Number(a.drugs.length > 0) || a.gene.localeCompare(b.gene));
  const conclusion = r.reports[0]?.conclusion ?? undefined;
  return { genes, ...(conclusion ? { conclusion } : {}) };
}

