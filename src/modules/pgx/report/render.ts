// Chooses a rendering by format name (CLI and API share this).
import { loadPhenotypeKnowledge } from '../phenotype/knowledge.ts';
import { toFhirBundle } from './fhir.ts';
import { toHtmlReport } from './html.ts';
import { toJsonReport } from './json.ts';
import { loadPatientTemplates } from './load-templates.ts';
import { patientExplanation, patientExplanationText } from './patient.ts';
import { toTextReport } from './text.ts';
import type { PgxResult } from './types.ts';

/** The report formats. */
export const PGX_FORMATS = ['json', 'fhir', 'html', 'text'] as const;
export type PgxFormat = (typeof PGX_FORMATS)[number];

/** File extension per format. */
export const FORMAT_EXTENSION: Record<PgxFormat, string> = { json: 'pgx.json', fhir: 'fhir.json', html: 'html', text: 'txt' };

/** Renders a result in the given format. */
export function renderPgx(result: PgxResult, format: PgxFormat, generatedAt: string, dataDir?: string): string {
  switch (format) {
    case 'json':
      return JSON.stringify(toJsonReport(result, generatedAt), null, 2) + '\n';
    case 'fhir':
      return JSON.stringify(toFhirBundle(result, generatedAt, loadPhenotypeKnowledge(dataDir).hgnc), null, 2) + '\n';
    case 'html':
      return toHtmlReport(result, generatedAt);
    case 'text':
      return toTextReport(result, generatedAt);
  }
}

/** The plain-language patient explanation as text. */
export function renderPatientText(result: PgxResult, dataDir?: string): string {
  return patientExplanationText(patientExplanation(result, loadPatientTemplates(dataDir)));
}
