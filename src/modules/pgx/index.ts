// The PGx module's front door: pipeline stages, renderers, CLI and their types.
export type { DiplotypeMatch, GeneCall, GenePhenotype, PgxDataVersion, PgxWarning, VariantCall } from './model.ts';
export { runPgx, mergeCalls, parseOutsideCallFile } from './pipeline.ts';
export type { PgxRunOptions, VcfCaller } from './pipeline.ts';
export { registerPgxCli } from './cli.ts';
export type { PgxCliOptions } from './cli.ts';
export { loadPhenotypeKnowledge, DEFAULT_PGX_DATA_DIR } from './phenotype/knowledge.ts';
export type { PhenotypeKnowledge, AllelePresenceGene } from './phenotype/knowledge.ts';
export { phenotypeGene, phenotypeCalls } from './phenotype/phenotyper.ts';
export type { GeneResult, PhenotypeOptions, Sex } from './phenotype/types.ts';
export { parseOutsideCallsTsv } from './outside-calls/tsv.ts';
export { parseOutsideCallsFhir } from './outside-calls/fhir.ts';
export { buildVocabulary } from './outside-calls/vocabulary.ts';
export type { OutsideCallVocabulary } from './outside-calls/vocabulary.ts';
export { loadGuidanceKnowledge } from './recommend/knowledge.ts';
export type { GuidanceKnowledge, PgxDrug } from './recommend/knowledge.ts';
export { recommendDrug, recommendAll, patientKeys } from './recommend/recommender.ts';
export type { DrugResult, MatchedRecommendation } from './recommend/types.ts';
export type { DoseAdjustment } from './recommend/dose-adjustment.ts';
export type { GuidelineFile, GuidelineRecommendation } from './recommend/guidance-types.ts';
export { toJsonReport, PGX_JSON_REPORT_VERSION } from './report/json.ts';
export type { PgxJsonReport, PgxJsonGene, PgxJsonDrug, PgxJsonRecommendation } from './report/json.ts';
export { toFhirBundle } from './report/fhir.ts';
export { toHtmlReport } from './report/html.ts';
export { toTextReport } from './report/text.ts';
export { patientExplanation, patientExplanationText } from './report/patient.ts';
export type { PatientExplanation } from './report/patient.ts';
export { renderPgx, renderPatientText, PGX_FORMATS } from './report/render.ts';
export type { PgxFormat } from './report/render.ts';
export type { PgxResult, PgxInputFile } from './report/types.ts';
/** Drug–drug–gene interactions (phenoconversion), built alongside in ./phenoconversion/. */
export * as phenoconversion from './phenoconversion/index.ts';
/** The module in the EMR: routes, storage of results as FHIR, and the summary read back from it. */
export { pgxModule, createPgxModule } from './module.ts';
export { importPgxResult } from './storage/import-result.ts';
export type { PgxImportOutcome, PgxImportRequest, PgxStoreDeps } from './storage/import-result.ts';
export { readPgxSummary } from './storage/summary.ts';
export type { PgxSummary, PgxSummaryGene, PgxSummaryDrug, PgxSummaryGuidance } from './storage/summary.ts';
export { PGX_RESULT_HASH_SYSTEM, PGX_SUPERSEDED_BY_EXTENSION } from './storage/conventions.ts';
export { FLAURA_PGX_CODES, PGX_DATA_VERSION_EXTENSION } from './report/fhir.ts';
/** Multi-sample VCFs (one pass) and synthetic VCFs written from the allele definitions. */
export { callVcfCohort, createVcfCaller } from './matcher/caller.ts';
export { panelVcf, geneRecords } from './synthetic/allele-vcf.ts';
export { selfTestGene } from './synthetic/self-test.ts';
