// Which Observations are "results" on the overview screens: the PGx genotype/phenotype/implication Observations
// (HL7 Genomics Reporting, LOINC) have their own panel, so the results lists leave them out on the server side.
export const GENOMIC_OBSERVATION_CODES = [
  'http://loinc.org|51961-1', // therapeutic implication (Genomics Reporting)
  'http://loinc.org|84413-4', // genotype display name
  'http://loinc.org|53040-2', // genetic variation's effect on drug metabolism (phenotype)
] as const;

/** Search pairs for a patient's recent non-genomic results, newest first. */
export function recentResultsQuery(patientId: string, count: number): [string, string][] {
  return [['patient', patientId], ['_sort', '-date'], ['_count', String(count)], ...GENOMIC_OBSERVATION_CODES.map((c): [string, string] => ['code:not', c])];
}
