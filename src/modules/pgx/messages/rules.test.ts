// Message rules from PharmCAT's reporter messages (data/pgx/messages.json): each rule's message is attached to the gene
// call or the drug it concerns, tested with VCFs written from the allele definitions and edited line by line.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callVcf } from '../matcher/caller.ts';
import { loadAlleleDefinitions } from '../matcher/definitions.ts';
import { runPgx } from '../pipeline.ts';
import type { PgxRunOptions } from '../pipeline.ts';
import { toJsonReport } from '../report/json.ts';
import { renderPgx } from '../report/render.ts';
import type { PgxResult } from '../report/types.ts';
import { panelVcf } from '../synthetic/allele-vcf.ts';
import type { DiplotypeChoice } from '../synthetic/allele-vcf.ts';
import { loadMessageRules } from './rules.ts';

const { genes: defs, optIn } = loadAlleleDefinitions();
const dir = mkdtempSync(join(tmpdir(), 'pgx-messages-'));
let n = 0;

/** A panel VCF with the given diplotypes; `gt` rewrites the GT of `chr:pos` lines, `drop` removes lines, `add` inserts records. */
async function run(choices: Record<string, DiplotypeChoice>, edit: { gt?: Record<string, string>; drop?: string[]; add?: string[]; phased?: boolean } = {}, options: Omit<PgxRunOptions, 'vcf'> = {}): Promise<PgxResult> {
  // Opt-in genes' positions are written only when the run calls them.
  const lines = panelVcf(options.cyp2d6FromVcf ? [...defs, ...optIn] : defs, choices, edit.phased ? { phased: true } : {}).trimEnd().split('\n');
  const out: string[] = [];
  for (const line of lines) {
    const f = line.split('\t');
    const key = `${f[0]}:${f[1]}`;
    if (line.startsWith('#')) {
      out.push(line);
      if (line.startsWith('#CHROM')) out.push(...(edit.add ?? []));
      continue;
    }
    if (edit.drop?.includes(key)) continue;
    const gt = edit.gt?.[key];
    out.push(gt ? [...f.slice(0, 9), gt].join('\t') : line);
  }
  const path = join(dir, `s${n++}.vcf`);
  writeFileSync(path, `${out.join('\n')}\n`);
  return runPgx({ vcf: path, ...options }, callVcf);
}

function outsideCalls(text: string): string {
  const path = join(dir, `outside${n++}.tsv`);
  writeFileSync(path, text);
  return path;
}

const gene = (r: PgxResult, g: string) => r.genes.find((x) => x.gene === g)!;
const drug = (r: PgxResult, d: string) => r.drugs.find((x) => x.drug === d)!;
const rules = (ws: Array<{ ruleId?: string }>) => ws.flatMap((w) => (w.ruleId ? [w.ruleId] : []));

describe('message rules data', () => {
  const file = loadMessageRules();
  it('keeps all 64 PharmCAT rules: 55 that name a gene or drug, 9 that PharmCAT adds from its code, with their conditions', () => {
    expect(file.rules).toHaveLength(64);
    expect(file.notEvaluated).toEqual([]);
    expect(file.version).toMatch(/5431bf1/);
    const byId = new Map(file.rules.map((r) => [r.id, r]));
    expect(byId.get('pcat-outside-call')).toMatchObject({ anyGene: true, source: 'outside-call', onCall: true });
    expect(byId.get('pcat-combo-unphased')).toMatchObject({ anyGene: true, combination: true, phased: false });
    expect(byId.get('pcat-dpyd-hapB3-exonic-only')).toMatchObject({ gene: 'DPYD', positionsMissing: [{ rsid: 'rs75017182', key: 'chr1:97579893' }] });
  });
  it('resolves rsids to GRCh38 positions and an allele to its own variant positions (CYP2C19 *17: rs12248560 only)', () => {
    expect(file.rules.find((r) => r.id === 'CYP2C19 *17 missing')?.allelesNotCallable).toEqual([{ allele: '*17', positions: [{ rsid: 'rs12248560', key: 'chr10:94761900' }] }]);
    expect(file.rules.find((r) => r.id === 'CYP2B6 *1/*18 warning')?.heterozygous).toEqual([{ rsid: 'rs2279343', key: 'chr19:41009358' }]);
  });
});

describe('message rules attached to calls and drugs', () => {
  it('variant-level ambiguity: CYP2B6 *1/*18 unphased with rs2279343 heterozygous → on the call and on efavirenz', async () => {
    const r = await run({ CYP2B6: ['*1', '*18'] }, { gt: { 'chr19:41009358': '0/1' } });
    const g = gene(r, 'CYP2B6');
    expect(g.call.diplotypes.map((d) => d.name)).toEqual(['*1/*18']);
    const w = g.call.warnings.find((x) => x.ruleId === 'CYP2B6 *1/*18 warning');
    expect(w).toEqual({ code: 'MESSAGE_AMBIGUITY', ruleId: 'CYP2B6 *1/*18 warning', message: 'The assigned genotype is *1/*18; however, *4/*18 cannot be ruled out without phased data.' });
    expect(rules(drug(r, 'efavirenz').warnings)).toContain('CYP2B6 *1/*18 warning');
    expect(rules(drug(r, 'sertraline').warnings)).not.toContain('CYP2B6 *1/*18 warning');
  });

  it('no ambiguity message when rs2279343 is homozygous reference, or when the data is phased', async () => {
    const hom = await run({ CYP2B6: ['*1', '*18'] });
    expect(gene(hom, 'CYP2B6').call.diplotypes.map((d) => d.name)).toEqual(['*1/*18']);
    expect(rules(gene(hom, 'CYP2B6').call.warnings)).not.toContain('CYP2B6 *1/*18 warning');
    const phased = await run({ CYP2B6: ['*1', '*18'] }, { phased: true, gt: { 'chr19:41009358': '0|1' } });
    expect(rules(gene(phased, 'CYP2B6').call.warnings)).not.toContain('CYP2B6 *1/*18 warning');
  });

  it('diplotype-level ambiguity: TPMT *1/*3A unphased → TPMT call and the thiopurines', async () => {
    const r = await run({ TPMT: ['*1', '*3A'] });
    expect(gene(r, 'TPMT').call.diplotypes.map((d) => d.name)).toEqual(['*1/*3A']);
    expect(rules(gene(r, 'TPMT').call.warnings)).toContain('TPMT *1/*3A warning');
    for (const d of ['azathioprine', 'mercaptopurine', 'thioguanine']) expect(rules(drug(r, d).warnings)).toContain('TPMT *1/*3A warning');
  });

  it('missing position: CYP3A5 rs776746 absent → "*3 missing" on the CYP3A5 call and tacrolimus; present → none', async () => {
    const missing = await run({}, { drop: ['chr7:99672916'] });
    expect(gene(missing, 'CYP3A5').call.missingPositions.some((p) => p.startsWith('chr7:99672916'))).toBe(true);
    expect(rules(gene(missing, 'CYP3A5').call.warnings)).toContain('CYP3A5 *3 missing');
    expect(rules(drug(missing, 'tacrolimus').warnings)).toContain('CYP3A5 *3 missing');
    const present = await run({});
    expect(rules(gene(present, 'CYP3A5').call.warnings)).not.toContain('CYP3A5 *3 missing');
  });

  it('allele not callable: CYP2C19 rs12248560 absent → "*17 missing" gene warning; rs3758581 absent alone → not', async () => {
    const r = await run({}, { drop: ['chr10:94761900'] });
    const w = gene(r, 'CYP2C19').call.warnings.find((x) => x.ruleId === 'CYP2C19 *17 missing');
    expect(w?.code).toBe('MESSAGE_GENE_WARNING');
    expect(w?.message).toMatch(/rs12248560/);
    const other = await run({}, { drop: ['chr10:94842866'] });
    expect(rules(gene(other, 'CYP2C19').call.warnings)).not.toContain('CYP2C19 *17 missing');
    // ...but that one is the "*1 missing" rule: *38 called while rs3758581 is not genotyped.
    expect(rules(gene(other, 'CYP2C19').call.warnings)).toContain('CYP2C19 *1 missing');
  });

  it('drug-level notes: the SLCO1B1 statin note on every statin, the HLA-B note on phenytoin (a rule with no gene), not on the gene', async () => {
    const r = await run({});
    for (const d of ['simvastatin', 'atorvastatin', 'rosuvastatin']) expect(rules(drug(r, d).warnings)).toContain('SLCO1B1-drug text');
    expect(rules(gene(r, 'SLCO1B1').call.warnings)).not.toContain('SLCO1B1-drug text');
    expect(drug(r, 'phenytoin').warnings.find((w) => w.ruleId === 'Phenytoin_HLA-B warning')?.message).toMatch(/HLA-B\*15:02/);
    expect(rules(drug(r, 'warfarin').warnings)).not.toContain('cpic-warfarin-rs12777823');
  });

  it('genotype report: rs12777823 G/A is reported with warfarin', async () => {
    const r = await run({}, { add: ['chr10\t94645745\trs12777823\tG\tA\t.\tPASS\t.\tGT\t0/1'] });
    expect(drug(r, 'warfarin').warnings.find((w) => w.ruleId === 'cpic-warfarin-rs12777823')?.message).toBe('CYP2C9 genotype reported for this recommendation: rs12777823 (chr10:94645745) G/A.');
  });

  it('gene notes: DPYD lowest-activity note and strand footnote on the DPYD call; RYR1 "not called" warning only when RYR1 is not called', async () => {
    const r = await run({});
    expect(rules(gene(r, 'DPYD').call.warnings)).toEqual(expect.arrayContaining(['DPYD lowest activity score note', 'DPYD reverse complement footnote']));
    expect(gene(r, 'RYR1').call.diplotypes.length).toBeGreaterThan(0);
    expect(rules(drug(r, 'sevoflurane').warnings)).not.toContain('Malignant Hyperthermia Susceptibility warning');
  });

  it('non-match: RYR1 with three heterozygous variants no pair explains → the malignant hyperthermia warning on the anaesthetics', async () => {
    const r = await run({}, { gt: { 'chr19:38433867': '0/1', 'chr19:38440796': '0/1', 'chr19:38440747': '0/1' } });
    expect(gene(r, 'RYR1').call.diplotypes).toEqual([]);
    expect(rules(gene(r, 'RYR1').call.warnings)).toContain('Malignant Hyperthermia Susceptibility warning');
    for (const d of ['sevoflurane', 'succinylcholine']) expect(drug(r, d).warnings.find((w) => w.ruleId === 'Malignant Hyperthermia Susceptibility warning')?.code).toBe('MESSAGE_NON_MATCH');
  });

  it('every output shows the attached messages (JSON gene and drug warnings, text, HTML, FHIR genotype note)', async () => {
    const r = await run({ CYP2B6: ['*1', '*18'] }, { gt: { 'chr19:41009358': '0/1' } });
    const json = toJsonReport(r, '2026-12-05T00:00:00.000Z');
    expect(rules(json.genes.find((g) => g.gene === 'CYP2B6')!.warnings)).toContain('CYP2B6 *1/*18 warning');
    expect(rules(json.drugs.find((d) => d.drug === 'efavirenz')!.warnings)).toContain('CYP2B6 *1/*18 warning');
    expect(json.dataVersion.messageRules).toMatch(/5431bf1/);
    const text = '*4/*18 cannot be ruled out without phased data';
    for (const format of ['text', 'html', 'fhir'] as const) expect(renderPgx(r, format, '2026-12-05T00:00:00.000Z')).toContain(text);
  });
});

describe('rules PharmCAT adds from its own code', () => {
  it('outside call: the "no position-level detail" note on every gene that came from an outside call, not on VCF calls', async () => {
    const r = await run({}, {}, { outsideCalls: outsideCalls('CYP2D6\t*1/*4\nHLA-B\t*57:01/*44:02\n') });
    for (const g of ['CYP2D6', 'HLA-B']) expect(rules(gene(r, g).call.warnings)).toContain('pcat-outside-call');
    expect(rules(gene(r, 'CYP2C19').call.warnings)).not.toContain('pcat-outside-call');
  });

  it('CYP2D6 from the VCF (opt-in): the research-mode and gene notes on CYP2D6; an outside CYP2D6 call gets neither', async () => {
    const fromVcf = await run({ CYP2D6: ['*1', '*17'] }, {}, { cyp2d6FromVcf: true });
    expect(rules(gene(fromVcf, 'CYP2D6').call.warnings)).toEqual(expect.arrayContaining(['pcat-cyp2d6-research-mode', 'pcat-cyp2d6-gene-note']));
    const outside = await run({}, {}, { outsideCalls: outsideCalls('CYP2D6\t*1/*17\n') });
    expect(rules(gene(outside, 'CYP2D6').call.warnings)).not.toContain('pcat-cyp2d6-research-mode');
  });

  it('several diplotypes, one result: SLCO1B1 *5/*31 ties with *9/*15 (both poor function) → the multi-match note on the statins', async () => {
    const r = await run({ SLCO1B1: ['*5', '*31'] });
    expect(gene(r, 'SLCO1B1').call.diplotypes.map((d) => d.name).sort()).toEqual(['*5/*31', '*9/*15']);
    expect(new Set(gene(r, 'SLCO1B1').phenotypes.map((p) => p.lookupKey)).size).toBe(1);
    expect(rules(drug(r, 'simvastatin').warnings)).toContain('pcat-call-multimatch');
    // One diplotype: no note.
    const single = await run({ SLCO1B1: ['*1', '*5'] });
    expect(rules(drug(single, 'simvastatin').warnings)).not.toContain('pcat-call-multimatch');
  });

  it('a phenotype-only outside call for an activity-score gene: the recommendations of every matching score, with the note', async () => {
    const r = await run({}, {}, { outsideCalls: outsideCalls('CYP2D6\t\tIntermediate Metabolizer\n') });
    expect(gene(r, 'CYP2D6').phenotypes.map((p) => p.lookupKey)).toEqual(['0.25', '0.5', '0.75', '1.0']);
    expect(rules(gene(r, 'CYP2D6').call.warnings)).toContain('pcat-score-multimatch');
    const codeine = drug(r, 'codeine');
    expect(codeine.status).toBe('recommendation');
    // CPIC's IM rows carry one advice for every IM score; identical advice is listed once.
    const keys = codeine.recommendations.filter((m) => m.source === 'CPIC').map((m) => m.lookupKey.CYP2D6);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(['0.25', '0.5', '0.75', '1.0']).toContain(key);
    expect(codeine.recommendations.find((m) => m.source === 'CPIC')?.recommendation.text).toMatch(/label recommended/i);
    expect(rules(codeine.warnings)).toContain('pcat-score-multimatch');
    expect(codeine.warnings.map((w) => w.code)).not.toContain('AMBIGUOUS_PHENOTYPE');
    // With the score, one result and no note.
    const scored = await run({}, {}, { outsideCalls: outsideCalls('CYP2D6\t\tIntermediate Metabolizer\t1.0\n') });
    expect(rules(drug(scored, 'codeine').warnings)).not.toContain('pcat-score-multimatch');
  });

  it('DPYD HapB3: exonic SNP alone (intron not genotyped) → exonic-only note; intronic SNP with the exon reference → intron note; both → none', async () => {
    const exon = 'chr1:97573863';
    const intron = 'chr1:97579893';
    const hapB3 = 'c.1129-5923C>G, c.1236G>A (HapB3)';
    const exonOnly = await run({ DPYD: [hapB3, 'Reference'] }, { drop: [intron] });
    expect(rules(gene(exonOnly, 'DPYD').call.warnings)).toContain('pcat-dpyd-hapB3-exonic-only');
    expect(rules(gene(exonOnly, 'DPYD').call.warnings)).not.toContain('pcat-dpyd-hapB3-intronic-mismatch-exonic');
    const intronOnly = await run({ DPYD: [hapB3, 'Reference'] }, { gt: { [exon]: '0/0' } });
    expect(gene(intronOnly, 'DPYD').call.diplotypes.map((d) => d.name)).toEqual(['c.1129-5923C>G/Reference']);
    expect(rules(gene(intronOnly, 'DPYD').call.warnings)).toContain('pcat-dpyd-hapB3-intronic-mismatch-exonic');
    const both = await run({ DPYD: [hapB3, 'Reference'] });
    expect(rules(gene(both, 'DPYD').call.warnings).filter((id) => id.startsWith('pcat-dpyd-hapB3'))).toEqual([]);
  });
});
