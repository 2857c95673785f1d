// What every renderer receives: the pipeline's result, the data versions and where the input came from.
import type { PgxDataVersion } from '../model.ts';
import type { GeneResult } from '../phenotype/types.ts';
import type { DrugResult } from '../recommend/types.ts';

/** One input file (VCF or outside-call file), described for provenance (FHIR DocumentReference). */
export interface PgxInputFile {
  kind: 'vcf' | 'outside-call';
  name: string;
  contentType: string;
  size?: number;
  /** Base64 SHA-1 of the bytes (FHIR Attachment.hash). */
  sha1?: string;
}

/** The complete result of one PGx run, independent of how it is rendered. */
export interface PgxResult {
  sample?: string;
  /** FHIR reference of the patient, e.g. `Patient/123`, when known. */
  patientReference?: string;
  genes: GeneResult[];
  drugs: DrugResult[];
  dataVersion: PgxDataVersion;
  inputs: PgxInputFile[];
  /** Licence/attribution lines of the knowledge used (CPIC, DPWG). */
  attributions: string[];
  /** Known gaps of the knowledge used, e.g. CPIC recommendations newer than the data. */
  dataNotes: string[];
}
