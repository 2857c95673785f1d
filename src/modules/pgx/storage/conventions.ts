// Identifiers and extensions the stored PGx results use (documented in docs/pgx-report.md, section "Stored results").
import packageJson from '../../../../package.json' with { type: 'json' };

/** DiagnosticReport.identifier system; the value is the SHA-256 (hex) of the imported file(s): the idempotency key. */
export const PGX_RESULT_HASH_SYSTEM = 'https://flaura.dev/fhir/sid/pgx-result-sha256';
/** On an Observation a newer result replaced: points at the newer DiagnosticReport. */
export const PGX_SUPERSEDED_BY_EXTENSION = 'https://flaura.dev/fhir/StructureDefinition/pgx-superseded-by';
/** Identifies the software agent of the Provenance. */
export const SOFTWARE_IDENTIFIER_SYSTEM = 'https://flaura.dev/fhir/sid/software';
export const PGX_ENGINE = `flaura-pgx/${packageJson.version}`;

export const LOINC = 'http://loinc.org';
/** LOINC codes of report/fhir.ts, repeated here for the read side. */
export const CODES = {
  report: '81247-9',
  genotype: '84413-4',
  phenotype: '53040-2',
  implication: '51961-1',
  geneStudied: '48018-6',
  medicationAssessed: '51963-7',
  evidence: '93044-6',
} as const;
