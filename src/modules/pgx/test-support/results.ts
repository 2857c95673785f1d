// Test helper: a full PgxResult from GeneCall values, through the real phenotyper and recommender.
import type { GeneCall } from '../model.ts';
import { loadPhenotypeKnowledge } from '../phenotype/knowledge.ts';
import { phenotypeCalls } from '../phenotype/phenotyper.ts';
import { guidanceNotes, loadGuidanceKnowledge } from '../recommend/knowledge.ts';
import { recommendAll } from '../recommend/recommender.ts';
import type { PgxResult } from '../report/types.ts';

/** Runs stages 3–5 on the calls, with the repository's data. */
export function resultFor(calls: GeneCall[], sample = 'NA12878'): PgxResult {
  const genes = phenotypeCalls(calls, loadPhenotypeKnowledge());
  const guidance = loadGuidanceKnowledge();
  return {
    sample,
    patientReference: 'Patient/example',
    genes,
    drugs: recommendAll(genes, guidance),
    dataVersion: { alleleDefinitions: 'test', phenotypes: loadPhenotypeKnowledge().version, cpicRecommendations: guidance.cpic.version, dpwgRecommendations: guidance.dpwg?.version ?? 'none' },
    inputs: [{ kind: 'vcf', name: 'sample.vcf.gz', contentType: 'text/x-vcf', size: 1234, sha1: 'qvTGHdzF6KLavt4PO0gs2a6pQ00=' }],
    attributions: [guidance.cpic.attribution, guidance.dpwg?.attribution ?? ''],
    dataNotes: guidanceNotes(guidance),
  };
}
