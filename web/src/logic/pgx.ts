// The PGx summary as the server sends it (src/modules/pgx/storage/summary.ts), shaped for the screens: per gene the
// result, the caveats to read it with, and the medicines it affects with their guidance.
import { phenotypeTone } from '../components/pgxWords.ts';

/** A call warning as stored with the genotype; `patientText` is its plain-language note for the patient, when the data has one. */
export interface PgxCallWarning {
  code: string;
  message: string;
  patientText?: string;
}

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
    warnings: PgxCallWarning[];
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
  /** The caveats a clinician must read with the result (see `isClinicalWarning`), shown on the gene. */
  caveats: PgxCallWarning[];
  /** The other (technical) matcher notes, kept for the evidence. */
  technicalNotes: PgxCallWarning[];
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

/**
 * Call warnings that change how the result may be read, beyond the matcher's technical notes (missing positions,
 * indel normalisation, message rules…), which a panel call carries by the dozen. The rule: a warning is shown on the
 * gene when the patient explanation data has a plain-language note for it (patientText: data/pgx/phenotypes/
 * patient-explanations.json decides, e.g. CYP2D6_COPY_NUMBER_NOT_ASSESSED), or its code is one of these, each of which
 * says the phenotype could be wrong or could not be fully derived:
 * - CYP2D6_COPY_NUMBER_NOT_ASSESSED: called from SNVs/indels only; deletions (*5) and duplications were not seen.
 * - AMP_TIER1_POSITIONS_MISSING: AMP tier-1 (no-function) alleles could not be ruled out.
 * - CN_UNSPECIFIED: a duplication of unknown copy number, so no activity score.
 * - UNKNOWN_ALLELE: an allele absent from the phenotype table.
 * - G6PD_MALE_HETEROZYGOUS / G6PD_FEMALE_HEMIZYGOUS: the call does not fit the recorded sex.
 * - UNLISTED_ALLELE_RESULT_HOLDS: a variant the phenotype table lacks, the result standing whatever its function.
 * - PHENOTYPE_SEVERAL_SCORES: a lab phenotype without activity score, guidance shown for every score it covers.
 * - COMBINATION_NOT_PHENOTYPED: a combination/partial allele (research option), no phenotype.
 */
export const CLINICAL_WARNING_CODES: ReadonlySet<string> = new Set([
  'CYP2D6_COPY_NUMBER_NOT_ASSESSED',
  'AMP_TIER1_POSITIONS_MISSING',
  'CN_UNSPECIFIED',
  'UNKNOWN_ALLELE',
  'G6PD_MALE_HETEROZYGOUS',
  'G6PD_FEMALE_HEMIZYGOUS',
  'UNLISTED_ALLELE_RESULT_HOLDS',
  'PHENOTYPE_SEVERAL_SCORES',
  'COMBINATION_NOT_PHENOTYPED',
]);

export function isClinicalWarning(w: PgxCallWarning): boolean {
  return Boolean(w.patientText) || CLINICAL_WARNING_CODES.has(w.code);
}

/**
 * A gene needs its own card when its phenotype calls for attention, or when it has a result that its caveats say may be
 * wrong. An Indeterminate call has no result to misread: a VCF that covers few genes leaves many of them Indeterminate
 * with tier-1 positions missing, and they stay in the table.
 */
export function needsAttention(g: Pick<PgxGeneResult, 'phenotype' | 'caveats'>): boolean {
  return ['critical', 'warning'].includes(phenotypeTone(g.phenotype)) || (g.caveats.length > 0 && g.phenotype !== 'Indeterminate');
}

/** The patient's plain-language notes on a result (one per warning that has one), without repeats. */
export function patientNotes(g: Pick<PgxGeneResult, 'caveats'>): string[] {
  return [...new Set(g.caveats.flatMap((w) => (w.patientText ? [w.patientText] : [])))];
}

/** The patient reads about results that change medicine choices and about results that come with a note for her. */
export function shownToPatient(g: Pick<PgxGeneResult, 'phenotype' | 'caveats'>): boolean {
  return ['critical', 'warning'].includes(phenotypeTone(g.phenotype)) || patientNotes(g).length > 0;
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
    caveats: g.warnings.filter(isClinicalWarning),
    technicalNotes: g.warnings.filter((w) => !isClinicalWarning(w)),
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

