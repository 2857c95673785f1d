// The compact recommendation format stored in data/pgx/guidance/{cpic,dpwg}/ (written by scripts/pgx-data).
import type { DoseAdjustment } from './dose-adjustment.ts';

/** One recommendation row: for the drugs listed, when every gene in `lookupKey` has that key. */
export interface GuidelineRecommendation {
  id: string;
  drugs: string[];
  /** gene → phenotype, activity score, allele status (`*57:01 positive`) or `diplotype:<a>/<b>`. */
  lookupKey: Record<string, string>;
  population?: string;
  /** Strong / Moderate / Optional / No recommendation / N/A (DPWG). */
  classification?: string;
  implications: string[];
  /** The recommendation as Markdown (converted from the annotation's HTML at build time). */
  text: string;
  alternateDrugAvailable: boolean;
  dosingInformation: boolean;
  otherPrescribingGuidance: boolean;
  doseAdjustment?: DoseAdjustment;
  /** Set on rows Flaura wrote from a published guideline figure (not in the annotation snapshot): who and from what. */
  authoredBy?: string;
}

/** One guideline annotation (a drug or drug group with one or more genes). */
export interface GuidelineFile {
  id: string;
  name: string;
  source: 'CPIC' | 'DPWG';
  url: string;
  annotationVersion: number;
  /** Version stamp of the annotation snapshot, e.g. `2024-03-25-16-13`. */
  snapshot: string;
  drugs: Array<{ name: string; pharmgkbId: string }>;
  genes: string[];
  citations: Array<{ pmid?: string; title: string; year?: number }>;
  recommendations: GuidelineRecommendation[];
}

/** A recommendation change upstream that this data predates (from CPIC's data change log). */
export interface UpstreamChange {
  drug: string;
  /** False when the upstream recommendation is entirely absent from this data (e.g. created later). */
  inData: boolean;
  changes: Array<{ date: string; note: string }>;
}

/** `index.json` of a guidance source folder. */
export interface GuidanceIndex {
  source: 'CPIC' | 'DPWG';
  version: string;
  date: string;
  licence: string;
  attribution: string;
  origin: { repository: string; commit: string; path: string };
  files: string[];
  drugs: Array<{ name: string; pharmgkbId: string; rxnorm: string | null; genes: string[]; files: string[] }>;
  droppedUiOnlyRows: number;
  recommendationCount: number;
  /** Recommendations CPIC changed after this snapshot: results for these drugs carry an `OUTDATED_GUIDANCE` warning. */
  newerUpstream: UpstreamChange[];
}
