// The recommender's per-drug result.
import type { PgxWarning } from '../model.ts';
import type { GuidelineRecommendation } from './guidance-types.ts';

/** One guideline row that matched the patient's lookup keys. */
export interface MatchedRecommendation {
  source: 'CPIC' | 'DPWG';
  guidelineId: string;
  guidelineName: string;
  url: string;
  /** The patient's keys that matched, gene → key. */
  lookupKey: Record<string, string>;
  recommendation: GuidelineRecommendation;
}

/**
 * A drug's outcome: `recommendation` (at least one actionable row), `no-recommendation` (rows matched
 * but say there is none, or the data has no row for these results), `indeterminate` (a needed gene has
 * no usable result).
 */
export interface DrugResult {
  drug: string;
  genes: string[];
  status: 'recommendation' | 'no-recommendation' | 'indeterminate';
  recommendations: MatchedRecommendation[];
  warnings: PgxWarning[];
}
