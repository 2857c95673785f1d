// The PGx summary's call warnings on the screens (web/src/logic/pgx.ts): which ones the clinician's panel shows on the
// gene, which ones stay in the evidence, and the plain-language notes the patient's portal shows. The warnings are the
// engine's own, from real VCFs written from the allele definitions (CYP2D6 called with the opt-in; a CYP2C19 AMP
// tier-1 position left out), carried into the summary's shape the way src/modules/pgx/storage/summary.ts does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callVcf } from '../../src/modules/pgx/matcher/caller.ts';
import { loadAlleleDefinitions } from '../../src/modules/pgx/matcher/definitions.ts';
import { runPgx } from '../../src/modules/pgx/pipeline.ts';
import { loadPatientTemplates } from '../../src/modules/pgx/report/load-templates.ts';
import type { PgxResult } from '../../src/modules/pgx/report/types.ts';
import { panelVcf } from '../../src/modules/pgx/synthetic/allele-vcf.ts';
import { phenotypeTone } from '../../web/src/components/pgxWords.ts';
import { CLINICAL_WARNING_CODES, needsAttention, patientNotes, shownToPatient, toPgxSummary, type PgxGeneResult, type PgxSummaryResponse } from '../../web/src/logic/pgx.ts';

const patientTexts = loadPatientTemplates().callWarnings ?? {};
const copyNumber = 'CYP2D6_COPY_NUMBER_NOT_ASSESSED';

/** The engine's result as the summary endpoint sends it: warnings per gene, with the patient explanation's note. */
function asSummary(result: PgxResult, source: 'vcf' | 'outside-call'): PgxSummaryResponse {
  return {
    patient: 'Patient/p1',
    genes: result.genes.map((g) => ({
      gene: g.gene,
      diplotypes: g.call.diplotypes.map((d) => d.name),
      phenotype: g.phenotypes[0]?.phenotype ?? 'Indeterminate',
      activityScore: g.phenotypes[0]?.activityScore ?? null,
      lookupKeys: [],
      source,
      warnings: g.call.warnings.map((w) => ({ code: w.code, message: w.message, ...(patientTexts[w.code] ? { patientText: patientTexts[w.code] } : {}) })),
      date: '2026-12-05T00:00:00Z',
      reportId: 'r1',
      dataVersion: {},
      observationIds: [],
    })),
    drugs: [],
    reports: [],
  };
}

describe('PGx call warnings on the screens', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flaura-web-pgx-'));
  let fromVcf: PgxResult;
  let genes: Map<string, PgxGeneResult>;

  beforeAll(async () => {
    const { genes: defs, optIn } = loadAlleleDefinitions();
    // CYP2D6 *1/*1 (normal metabolizer from SNVs) and CYP2C19 without rs4244285, the position of the tier-1 *2 allele.
    const vcf = panelVcf([...defs, ...optIn], { CYP2D6: ['*1', '*1'] }, { sample: 'P1' })
      .split('\n')
      .filter((line) => !/\trs4244285\t/.test(line))
      .join('\n');
    writeFileSync(join(dir, 'panel.vcf'), vcf);
    fromVcf = await runPgx({ vcf: join(dir, 'panel.vcf'), cyp2d6FromVcf: true }, callVcf);
    genes = new Map(toPgxSummary(asSummary(fromVcf, 'vcf')).genes.map((g) => [g.gene, g]));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a CYP2D6 normal metabolizer called from a VCF carries the copy-number caveat to the clinician and gets its own card', () => {
    const cyp2d6 = genes.get('CYP2D6')!;
    expect(cyp2d6.phenotype).toBe('Normal Metabolizer');
    expect(phenotypeTone(cyp2d6.phenotype)).toBe('normal');
    const engineWarning = fromVcf.genes.find((g) => g.gene === 'CYP2D6')!.call.warnings.find((w) => w.code === copyNumber)!;
    expect(cyp2d6.caveats).toEqual([{ code: copyNumber, message: engineWarning.message, patientText: patientTexts[copyNumber] }]);
    expect(cyp2d6.caveats[0]!.message).toMatch(/copy number/);
    // PharmCAT's notes on CYP2D6 (message rules) stay in the evidence.
    expect(cyp2d6.technicalNotes.length).toBeGreaterThan(0);
    expect(cyp2d6.technicalNotes.map((w) => w.code)).not.toContain(copyNumber);
    expect(needsAttention(cyp2d6)).toBe(true);
  });

  it('the patient reads the plain-language note of that caveat, even with a typical result', () => {
    const cyp2d6 = genes.get('CYP2D6')!;
    expect(patientTexts[copyNumber]).toMatch(/did not count how many copies/);
    expect(patientNotes(cyp2d6)).toEqual([patientTexts[copyNumber]]);
    expect(shownToPatient(cyp2d6)).toBe(true);
  });

  it('a tier-1 allele that could not be ruled out is a caveat for the clinician; the missing-position note is not', () => {
    const cyp2c19 = genes.get('CYP2C19')!;
    expect(cyp2c19.phenotype).toBe('Normal Metabolizer');
    expect(cyp2c19.caveats.map((w) => w.code)).toEqual(['AMP_TIER1_POSITIONS_MISSING']);
    expect(cyp2c19.caveats[0]!.message).toContain('rs4244285');
    expect(cyp2c19.technicalNotes.map((w) => w.code)).toContain('MISSING_POSITIONS');
    expect(needsAttention(cyp2c19)).toBe(true);
    // No plain-language note exists for it, so the patient's page does not single out a typical result.
    expect(patientNotes(cyp2c19)).toEqual([]);
    expect(shownToPatient(cyp2c19)).toBe(false);
  });

  it('does not flood the panel: technical notes alone neither show on the gene nor promote a typical result', () => {
    const all = [...genes.values()];
    const technicalOnly = all.filter((g) => g.caveats.length === 0 && g.technicalNotes.length > 0);
    expect(technicalOnly.length).toBeGreaterThan(3);
    for (const g of technicalOnly.filter((x) => phenotypeTone(x.phenotype) === 'normal')) {
      expect(needsAttention(g), g.gene).toBe(false);
      expect(shownToPatient(g), g.gene).toBe(false);
    }
    const shown = all.flatMap((g) => g.caveats.map((w) => w.code));
    expect(new Set(shown)).toEqual(new Set([copyNumber, 'AMP_TIER1_POSITIONS_MISSING']));
    expect(all.reduce((n, g) => n + g.technicalNotes.length, 0)).toBeGreaterThan(shown.length);
    // Every warning is kept: on the gene or in the evidence.
    for (const g of fromVcf.genes) expect(genes.get(g.gene)!.caveats.length + genes.get(g.gene)!.technicalNotes.length, g.gene).toBe(g.call.warnings.length);
  });

  it('a warning the patient explanation data gives a note for is shown, whatever its code', () => {
    const summary = asSummary(fromVcf, 'vcf');
    const cyp2c19 = summary.genes.find((g) => g.gene === 'CYP2C19')!;
    const missing = cyp2c19.warnings.find((w) => w.code === 'MISSING_POSITIONS')!;
    expect(CLINICAL_WARNING_CODES.has(missing.code)).toBe(false);
    missing.patientText = 'One spot of this gene could not be read, so the result may change with another test.';
    const g = toPgxSummary(summary).genes.find((x) => x.gene === 'CYP2C19')!;
    expect(g.caveats.map((w) => w.code)).toEqual(['MISSING_POSITIONS', 'AMP_TIER1_POSITIONS_MISSING']);
    expect(patientNotes(g)).toEqual([missing.patientText]);
    expect(shownToPatient(g)).toBe(true);
  });

  it('a VCF of CYP2D6 alone: the other genes are Indeterminate with tier-1 positions missing, and stay in the table', async () => {
    const { optIn } = loadAlleleDefinitions();
    writeFileSync(join(dir, 'cyp2d6.vcf'), panelVcf(optIn, { CYP2D6: ['*4', '*4'] }, { sample: 'P2' }));
    const result = await runPgx({ vcf: join(dir, 'cyp2d6.vcf'), cyp2d6FromVcf: true }, callVcf);
    const all = toPgxSummary(asSummary(result, 'vcf')).genes;
    const undetermined = all.filter((g) => g.phenotype === 'Indeterminate' && g.caveats.some((w) => w.code === 'AMP_TIER1_POSITIONS_MISSING'));
    expect(undetermined.map((g) => g.gene)).toContain('DPYD');
    for (const g of undetermined) expect(needsAttention(g), g.gene).toBe(false);
    expect(all.filter(needsAttention).map((g) => g.gene)).toEqual(['CYP2D6']);
    const cyp2d6 = all.find((g) => g.gene === 'CYP2D6')!;
    expect(cyp2d6.phenotype).toBe('Poor Metabolizer');
    expect(cyp2d6.caveats.map((w) => w.code)).toEqual([copyNumber]);
  });

  it('a laboratory CYP2D6 call (copy number assessed) has no caveat and stays in the table of typical results', async () => {
    const lab = join(dir, 'lab.tsv');
    writeFileSync(lab, '# CYP2D6 genotyping with copy number\ngene\tdiplotype\nCYP2D6\t*1/*2\n');
    const result = await runPgx({ outsideCalls: lab });
    const cyp2d6 = toPgxSummary(asSummary(result, 'outside-call')).genes.find((g) => g.gene === 'CYP2D6')!;
    expect(cyp2d6.phenotype).toBe('Normal Metabolizer');
    expect(cyp2d6.caveats).toEqual([]);
    expect(needsAttention(cyp2d6)).toBe(false);
    expect(shownToPatient(cyp2d6)).toBe(false);
  });

  it('a poor metabolizer needs attention with or without warnings', () => {
    const poor = { phenotype: 'Poor Metabolizer', caveats: [] };
    expect(needsAttention(poor)).toBe(true);
    expect(shownToPatient(poor)).toBe(true);
    expect(patientNotes(poor)).toEqual([]);
  });
});
