// The clinician's import dialog: what it says after a PGx upload with the CYP2D6-from-VCF opt-in (the server's outcome,
// src/modules/pgx/storage/import-result.ts PgxImportOutcome).
import { describe, expect, it } from 'vitest';
import { describeImport } from '../../web/src/logic/importSummary.ts';

const outcome = {
  status: 'created',
  reportId: 'r-1',
  genes: [
    { gene: 'CYP2C19', diplotypes: ['*1/*17'], phenotype: 'Rapid Metabolizer', source: 'vcf', warnings: [] },
    { gene: 'CYP2D6', diplotypes: ['*17/*29'], phenotype: 'Intermediate Metabolizer', source: 'vcf', warnings: ['CYP2D6_COPY_NUMBER_NOT_ASSESSED'] },
  ],
  superseded: [],
  written: 80,
  warnings: [] as { code: string; message: string }[],
};

describe('describeImport (PGx)', () => {
  it('says that CYP2D6 was called from the VCF without copy number', () => {
    expect(describeImport(outcome)).toBe(
      'Stored results for 2 genes (DiagnosticReport/r-1). Needs attention: CYP2C19 Rapid Metabolizer, CYP2D6 Intermediate Metabolizer. CYP2D6 was called from the VCF without copy number; confirm it before acting on it.',
    );
  });

  it('passes on that a lab call on record stays current', () => {
    const message = "CYP2D6: the call from this VCF is stored, but the patient's stored outside call of CYP2D6 (a laboratory call, which can include copy number) stays the current one.";
    expect(describeImport({ ...outcome, warnings: [{ code: 'OUTSIDE_CALL_KEPT', message }] })).toMatch(new RegExp(`confirm it before acting on it\\. ${message.replace(/[().*]/g, '\\$&')}$`));
  });

  it('an import without the opt-in reads as before', () => {
    expect(describeImport({ ...outcome, genes: [outcome.genes[0]] })).toBe('Stored results for 1 genes (DiagnosticReport/r-1). Needs attention: CYP2C19 Rapid Metabolizer.');
  });
});
