// CYP2D6 from a VCF as an opt-in (SNV/indel only): VCFs written from the definition data, called through the library,
// the pipeline and the CLI; every call warns that copy number was not assessed, in every output.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../cli/program.ts';
import { runPgx } from '../pipeline.ts';
import { loadPatientTemplates } from '../report/load-templates.ts';
import { patientExplanation } from '../report/patient.ts';
import { renderPgx } from '../report/render.ts';
import { panelVcf, type DiplotypeChoice } from '../synthetic/allele-vcf.ts';
import { selfTestGene } from '../synthetic/self-test.ts';
import { fleschKincaidGrade } from '../test-support/flesch-kincaid.ts';
import { callVcf, callVcfCohort } from './caller.ts';
import { loadAlleleDefinitions } from './definitions.ts';

const { index, genes, optIn } = loadAlleleDefinitions();
const cyp2d6 = optIn.find((g) => g.gene === 'CYP2D6')!;
const dir = mkdtempSync(join(tmpdir(), 'pgx-cyp2d6-'));
let n = 0;

/** A panel VCF (every gene, CYP2D6 included) with the given CYP2D6 diplotype. */
function vcfWith(pair: DiplotypeChoice, phased: boolean): string {
  const path = join(dir, `s${n++}.vcf`);
  writeFileSync(path, panelVcf([...genes, cyp2d6], { CYP2D6: pair }, { phased, sample: 'HARARE-2D6' }));
  return path;
}

describe('CYP2D6 allele definitions (opt-in)', () => {
  it('are built from PharmCAT CYP2D6_translation.json and listed as opt-in, not among the default genes', () => {
    expect(index.genes).not.toContain('CYP2D6');
    expect(index.optIn.map((o) => o.gene)).toEqual(['CYP2D6']);
    expect(cyp2d6.positions.length).toBeGreaterThan(100);
    expect(cyp2d6.alleles.find((a) => a.reference)?.name).toBe('*1');
    expect(cyp2d6.callWarning?.code).toBe('CYP2D6_COPY_NUMBER_NOT_ASSESSED');
  });

  it('record the structural / copy-number alleles of the phenotype table that cannot be called (*5, *13, *68, xN)', () => {
    const notCallable = index.optIn[0]!.notCallable;
    for (const a of ['*5', '*13', '*68', '*1x2', '*2x2', '*2x≥3']) expect(notCallable).toContain(a);
    for (const a of notCallable) expect(cyp2d6.alleles.some((d) => d.name === a)).toBe(false);
    expect(notCallable).not.toContain('*17');
  });
});

describe('CYP2D6 from a VCF', () => {
  it('is not called by default (outside calls stay the source)', async () => {
    const { calls } = await callVcf(vcfWith(['*17', '*29'], false), { allMatches: false });
    expect(calls.some((c) => c.gene === 'CYP2D6')).toBe(false);
  });

  it('rejects an opt-in gene the data does not have (400)', async () => {
    await expect(callVcf(vcfWith(['*1', '*1'], false), { allMatches: false, optIn: ['HLA-B'] })).rejects.toMatchObject({ status: 400, code: 'PGX_OPT_IN_UNKNOWN' });
  });

  // African-ancestry decreased-function alleles (activity value 0.5 each), homozygous, heterozygous with *1, and together.
  const cases: Array<{ pair: DiplotypeChoice; name: string; phenotype: string; score: string }> = [
    { pair: ['*17', '*29'], name: '*17/*29', phenotype: 'Intermediate Metabolizer', score: '1.0' },
    { pair: ['*17', '*17'], name: '*17/*17', phenotype: 'Intermediate Metabolizer', score: '1.0' },
    { pair: ['*29', '*29'], name: '*29/*29', phenotype: 'Intermediate Metabolizer', score: '1.0' },
    { pair: ['*1', '*17'], name: '*1/*17', phenotype: 'Normal Metabolizer', score: '1.5' },
    { pair: ['*1', '*29'], name: '*1/*29', phenotype: 'Normal Metabolizer', score: '1.5' },
    { pair: ['*4', '*4'], name: '*4/*4', phenotype: 'Poor Metabolizer', score: '0.0' },
  ];
  for (const phased of [false, true]) {
    for (const c of cases) {
      it(`${c.name} ${phased ? 'phased' : 'unphased'}: ${c.phenotype} (activity score ${c.score}), with the copy-number warning`, async () => {
        const result = await runPgx({ vcf: vcfWith(c.pair, phased), cyp2d6FromVcf: true }, callVcf);
        const g = result.genes.find((x) => x.gene === 'CYP2D6')!;
        expect(g.call.source).toBe('vcf');
        expect(g.call.diplotypes.map((d) => d.name)).toEqual([c.name]);
        expect(g.call.phased).toBe(phased || c.pair[0] === c.pair[1]);
        expect(g.phenotypes[0]).toMatchObject({ phenotype: c.phenotype, activityScore: c.score });
        expect(g.call.warnings.map((w) => w.code)).toContain('CYP2D6_COPY_NUMBER_NOT_ASSESSED');
        // The codeine recommendation is looked up by the activity score, as for a lab call.
        expect(result.drugs.find((d) => d.drug === 'codeine')?.recommendations.find((r) => r.source === 'CPIC')?.lookupKey).toEqual({ CYP2D6: c.score });
      });
    }
  }

  it('*3/*6 (two frameshift deletions) spelled with a padding base / shifted right still give a poor metabolizer', async () => {
    const path = join(dir, 'indels.vcf');
    // *3 = rs35742686 CT>C at 42128241 written as GCT>GC one base earlier; *6 = rs5030655 CA>C at 42129083 as AA>A one base later.
    const text = panelVcf([...genes, cyp2d6], { CYP2D6: ['*3', '*6'] }, { sample: 'IND' })
      .replace(/^chr22\t42128241\t(\S+)\tCT\tC\t/m, 'chr22\t42128240\t$1\tGCT\tGC\t')
      .replace(/^chr22\t42129083\t(\S+)\tCA\tC\t/m, 'chr22\t42129084\t$1\tAA\tA\t');
    expect(text).toContain('42128240');
    expect(text).toContain('42129084');
    writeFileSync(path, text);
    const result = await runPgx({ vcf: path, cyp2d6FromVcf: true }, callVcf);
    const g = result.genes.find((x) => x.gene === 'CYP2D6')!;
    expect(g.call.diplotypes.map((d) => d.name)).toEqual(['*3/*6']);
    expect(g.phenotypes[0]).toMatchObject({ phenotype: 'Poor Metabolizer', activityScore: '0.0' });
    expect(g.call.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['CYP2D6_COPY_NUMBER_NOT_ASSESSED', 'INDEL_NORMALIZED']));
  });

  it('the warning reaches the JSON, text, HTML and FHIR reports and the patient explanation', async () => {
    const result = await runPgx({ vcf: vcfWith(['*17', '*29'], false), cyp2d6FromVcf: true }, callVcf);
    const at = '2026-12-05T00:00:00.000Z';
    const json = JSON.parse(renderPgx(result, 'json', at)) as { genes: Array<{ gene: string; source: string; warnings: Array<{ code: string }> }> };
    expect(json.genes.find((g) => g.gene === 'CYP2D6')?.warnings.map((w) => w.code)).toContain('CYP2D6_COPY_NUMBER_NOT_ASSESSED');
    expect(renderPgx(result, 'text', at)).toMatch(/copy number and structural alleles \(the \*5 deletion/);
    expect(renderPgx(result, 'html', at)).toMatch(/copy number and structural alleles \(the \*5 deletion/);
    const bundle = JSON.parse(renderPgx(result, 'fhir', at)) as Bundle;
    const genotype = bundle.entry?.map((e) => e.resource).find((r): r is Observation => r?.resourceType === 'Observation' && r.valueCodeableConcept?.text === 'CYP2D6 *17/*29');
    expect(genotype?.note?.map((x) => x.text).join('\n')).toMatch(/^CYP2D6_COPY_NUMBER_NOT_ASSESSED: /m);
    const patient = patientExplanation(result, loadPatientTemplates()).genes.find((g) => g.gene === 'CYP2D6')!;
    expect(patient.text).toMatch(/did not count how many copies of this gene you have/);
    expect(fleschKincaidGrade(patient.text)).toBeLessThanOrEqual(8);
    // A gene without the warning does not get the sentence.
    expect(patientExplanation(result, loadPatientTemplates()).genes.find((g) => g.gene === 'CYP2C19')?.text).not.toMatch(/copies/);
  });

  it('an outside CYP2D6 call (e.g. with copy number, *1/*1x2) replaces the VCF call and its warning', async () => {
    const lab = join(dir, 'lab.tsv');
    writeFileSync(lab, 'gene\tdiplotype\nCYP2D6\t*1/*1x2\n');
    const result = await runPgx({ vcf: vcfWith(['*17', '*29'], false), outsideCalls: lab, cyp2d6FromVcf: true }, callVcf);
    const g = result.genes.find((x) => x.gene === 'CYP2D6')!;
    expect(g.call.source).toBe('outside-call');
    expect(g.call.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['OUTSIDE_CALL_OVERRIDES']));
    expect(g.call.warnings.map((w) => w.code)).not.toContain('CYP2D6_COPY_NUMBER_NOT_ASSESSED');
  });

  it('multi-sample files: callVcfCohort calls CYP2D6 per sample when asked', async () => {
    const path = join(dir, 'cohort.vcf');
    writeFileSync(path, panelVcf([...genes, cyp2d6], { CYP2D6: ['*17', '*29'] }, { sample: 'ONE' }));
    const cohort = await callVcfCohort(path, { optIn: ['CYP2D6'] });
    const call = cohort.calls[0]?.find((c) => c.gene === 'CYP2D6');
    expect(call?.diplotypes.map((d) => d.name)).toEqual(['*17/*29']);
    expect(call?.warnings[0]?.code).toBe('CYP2D6_COPY_NUMBER_NOT_ASSESSED');
  });

  it('flaura pgx call --cyp2d6-from-vcf', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pgx-cyp2d6-cli-'));
    await buildProgram().exitOverride().parseAsync(['node', 'flaura', 'pgx', 'call', vcfWith(['*17', '*29'], true), '--cyp2d6-from-vcf', '--format', 'json', '--out', out]);
    const report = JSON.parse(readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.pgx.json'))!), 'utf8')) as { genes: Array<{ gene: string; diplotypes: string[]; phenotype: string; activityScore: string; source: string }> };
    expect(report.genes.find((g) => g.gene === 'CYP2D6')).toMatchObject({ diplotypes: ['*17/*29'], phenotype: 'Intermediate Metabolizer', activityScore: '1.0', source: 'vcf' });
  });
});

describe('CYP2D6 exhaustive self-test (sample; the full run is in docs/methods/pgx-self-test.md)', () => {
  it('every 23rd pair, unphased and phased: no misses; phased always exact', async () => {
    const unphased = await selfTestGene(cyp2d6, { select: (i) => i % 23 === 0 });
    const phased = await selfTestGene(cyp2d6, { phased: true, select: (i) => i % 23 === 0 });
    expect(unphased.counts.miss, JSON.stringify(unphased.cases.filter((c) => c.kind === 'miss'))).toBe(0);
    expect(phased.counts.exact).toBe(phased.pairs);
  }, 60_000);
});
