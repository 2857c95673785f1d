// The versioned JSON report (docs/pgx-report.md): a stable, documented rendering of a PgxResult.
import type { PgxDataVersion, PgxWarning } from '../model.ts';
import type { DoseAdjustment } from '../recommend/dose-adjustment.ts';
import type { PgxResult } from './types.ts';

/** Bumped on any breaking change of the shape below (minor for additions). */
export const PGX_JSON_REPORT_VERSION = '1.4';

/** One gene of the JSON report. */
export interface PgxJsonGene {
  gene: string;
  source: 'vcf' | 'outside-call';
  /** Every tied diplotype, best score first; empty when not called. */
  diplotypes: string[];
  /** The phenotype; several tied results are joined with ` or `. */
  phenotype: string;
  /** Activity score(s), ` or `-joined; null for genes without activity scores. */
  activityScore: string | null;
  phenotypes: Array<{ diplotype: string | null; phenotype: string; activityScore: string | null; lookupKey: string }>;
  missingPositions: string[];
  /** Since 1.1: true when positions absent from the VCF were taken as reference because a BED declared them assayed. */
  assumedReference: boolean;
  /** Since 1.2: positions read with the gene outside its allele definitions (CYP2C9 rs12777823 for warfarin); `call` null when not genotyped. */
  extraPositions: Array<{ position: string; rsid: string | null; call: string | null; use: string }>;
  /**
   * Since 1.4: AMP tier-1 coverage of a VCF call (genes with tier-1 variants; null otherwise): `covered` when every
   * tier-1 position was genotyped, else the missing positions and the tier-1 alleles they leave open.
   */
  ampTier1: { covered: boolean; positions: number; missingPositions: string[]; allelesNotRuledOut: string[]; notAssessed: string[] } | null;
  warnings: PgxWarning[];
}

/** One matched recommendation of the JSON report. */
export interface PgxJsonRecommendation {
  source: 'CPIC' | 'DPWG';
  guideline: { id: string; name: string; url: string };
  population: string | null;
  classification: string | null;
  implications: string[];
  /** Markdown. */
  text: string;
  lookupKey: Record<string, string>;
  alternateDrugAvailable: boolean;
  doseAdjustment: DoseAdjustment | null;
}

/** One drug of the JSON report. */
export interface PgxJsonDrug {
  drug: string;
  genes: string[];
  status: 'recommendation' | 'no-recommendation' | 'indeterminate';
  recommendations: PgxJsonRecommendation[];
  warnings: PgxWarning[];
}

/** The JSON report. */
export interface PgxJsonReport {
  format: 'flaura-pgx-report';
  formatVersion: string;
  generatedAt: string;
  sample: string | null;
  dataVersion: PgxDataVersion;
  inputs: PgxResult['inputs'];
  genes: PgxJsonGene[];
  drugs: PgxJsonDrug[];
  attributions: string[];
  /** Known gaps of the data, e.g. CPIC recommendations newer than the snapshot (added in 1.0). */
  dataNotes: string[];
}

/** Renders the JSON report; `generatedAt` is passed in (no clock here). */
export function toJsonReport(result: PgxResult, generatedAt: string): PgxJsonReport {
  return {
    format: 'flaura-pgx-report',
    formatVersion: PGX_JSON_REPORT_VERSION,
    generatedAt,
    sample: result.sample ?? null,
    dataVersion: result.dataVersion,
    inputs: result.inputs,
    genes: result.genes.map((g) => ({
      gene: g.gene,
      source: g.call.source,
      diplotypes: [...g.call.diplotypes].sort((a, b) => b.score - a.score).map((d) => d.name),
      phenotype: [...new Set(g.phenotypes.map((p) => p.phenotype))].join(' or '),
      activityScore: g.phenotypes.some((p) => p.activityScore) ? g.phenotypes.map((p) => p.activityScore ?? 'n/a').join(' or ') : null,
      phenotypes: g.phenotypes.map((p) => ({ diplotype: p.diplotype ?? null, phenotype: p.phenotype, activityScore: p.activityScore ?? null, lookupKey: p.lookupKey })),
      missingPositions: g.call.missingPositions,
      assumedReference: g.call.assumedReference === true,
      extraPositions: (g.call.extraPositions ?? []).map((e) => ({ position: `${e.chromosome}:${e.position}`, rsid: e.rsid ?? null, call: e.call, use: e.use })),
      ampTier1: g.call.ampTier1 ? { ...g.call.ampTier1, notAssessed: g.call.ampTier1.notAssessed ?? [] } : null,
      warnings: [...g.call.warnings, ...g.warnings],
    })),
    drugs: result.drugs.map((d) => ({
      drug: d.drug,
      genes: d.genes,
      status: d.status,
      warnings: d.warnings,
      recommendations: d.recommendations.map((m) => ({
        source: m.source,
        guideline: { id: m.guidelineId, name: m.guidelineName, url: m.url },
        population: m.recommendation.population ?? null,
        classification: m.recommendation.classification ?? null,
        implications: m.recommendation.implications,
        text: m.recommendation.text,
        lookupKey: m.lookupKey,
        alternateDrugAvailable: m.recommendation.alternateDrugAvailable,
        doseAdjustment: m.recommendation.doseAdjustment ?? null,
      })),
    })),
    attributions: result.attributions,
    dataNotes: result.dataNotes,
  };
}
