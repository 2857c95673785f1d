// RYR1 lowest-function logic (CPIC RYR1/CACNA1S guideline 2019; PharmCAT treats RYR1 like DPYD): RYR1 has no activity
// values, so the two lowest-function alleles found are taken by the table's function ranking (Malignant Hyperthermia
// associated < Uncertain function < Normal function). Variants are real RYR1 definitions (data/pgx/alleles/RYR1.json)
// whose function the phenotype table gives; VCFs are the panel VCF with GTs set at their positions.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPgx } from '../pipeline.ts';
import { loadPhenotypeKnowledge } from '../phenotype/knowledge.ts';
import { panelVcf } from '../synthetic/allele-vcf.ts';
import { callVcf } from './caller.ts';
import { loadAlleleDefinitions } from './definitions.ts';

const { genes: defs } = loadAlleleDefinitions();
const ryr1 = defs.find((g) => g.gene === 'RYR1')!;
const table = loadPhenotypeKnowledge().tables.get('RYR1')!;
const dir = mkdtempSync(join(tmpdir(), 'pgx-ryr1-'));
let n = 0;
const MH = 'Malignant Hyperthermia associated';
const UNCERTAIN = 'Uncertain function';
// Two MH-associated variants and one of uncertain function (c.103T>C p.Cys35Arg, c.130C>T p.Arg44Cys, c.1598G>A).
const MH1 = 'c.103T>C';
const MH2 = 'c.130C>T';
const UF = 'c.1598G>A';
const ANAESTHETICS = ['desflurane', 'sevoflurane', 'succinylcholine'];

/** `chr:pos` of the one defining position of an RYR1 allele. */
function keyOf(name: string): string {
  const a = ryr1.alleles.find((x) => x.name === name)!;
  expect(a.defining).toHaveLength(1);
  const p = ryr1.positions[a.defining[0]![0]]!;
  return `${p.chromosome}:${p.position}`;
}

/** A panel VCF, reference everywhere, with the given GT at the named RYR1 variants' positions. */
async function run(gts: Array<[string, string]>) {
  const set = new Map(gts.map(([allele, gt]) => [keyOf(allele), gt] as const));
  const lines = panelVcf(defs, {}).trimEnd().split('\n').map((line) => {
    const f = line.split('\t');
    const gt = set.get(`${f[0]}:${f[1]}`);
    return gt && !line.startsWith('#') ? [...f.slice(0, 9), gt].join('\t') : line;
  });
  const path = join(dir, `r${n++}.vcf`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  const r = await runPgx({ vcf: path }, callVcf);
  return { r, g: r.genes.find((x) => x.gene === 'RYR1')! };
}

/** The CPIC recommendation's RYR1 lookup key for each volatile anaesthetic / succinylcholine. */
function ryr1Keys(r: Awaited<ReturnType<typeof run>>['r']): string[] {
  return ANAESTHETICS.map((drug) => r.drugs.find((d) => d.drug === drug)?.recommendations.find((x) => x.source === 'CPIC')?.lookupKey.RYR1 ?? `${drug}: none`);
}

describe('RYR1 lowest-function alleles', () => {
  it('the chosen variants have the functions the cases need (data check)', () => {
    expect([MH1, MH2, UF].map((a) => table.alleles[a]?.function)).toEqual([MH, MH, UNCERTAIN]);
    expect(table.functionRank).toEqual([MH, UNCERTAIN, 'Normal function']);
  });

  it('no variant: Reference/Reference, Uncertain Susceptibility (CPIC: a negative test does not rule MH out)', async () => {
    const { r, g } = await run([]);
    expect(g.call.diplotypes.map((d) => d.name)).toEqual(['Reference/Reference']);
    expect(g.call.haplotypes).toEqual([]);
    expect(g.phenotypes).toEqual([expect.objectContaining({ phenotype: 'Uncertain Susceptibility', lookupKey: 'Uncertain Susceptibility' })]);
    expect(g.warnings.map((w) => w.code)).not.toContain('RYR1_LOWEST_FUNCTION');
    expect(ryr1Keys(r)).toEqual(ANAESTHETICS.map(() => 'Uncertain Susceptibility'));
  });

  it('one MH-associated variant heterozygous: c.103T>C/Reference, Malignant Hyperthermia Susceptibility, anaesthetics flagged', async () => {
    const { r, g } = await run([[MH1, '0/1']]);
    expect(g.call.diplotypes.map((d) => d.name)).toEqual([`${MH1}/Reference`]);
    expect(g.call.haplotypes).toEqual([MH1]);
    expect(g.phenotypes).toEqual([expect.objectContaining({ diplotype: `${MH1}/Reference`, phenotype: 'Malignant Hyperthermia Susceptibility' })]);
    expect(g.warnings.map((w) => w.code)).not.toContain('RYR1_LOWEST_FUNCTION');
    expect(ryr1Keys(r)).toEqual(ANAESTHETICS.map(() => 'Malignant Hyperthermia Susceptibility'));
    const rec = r.drugs.find((d) => d.drug === 'succinylcholine')?.recommendations.find((x) => x.source === 'CPIC');
    expect(rec?.recommendation.text).toMatch(/relatively contraindicated in persons with malignant hyperthermia susceptibility/);
  });

  it('two different MH variants unphased: the pair fits, both reported, phenotype from the two lowest with a warning', async () => {
    const { r, g } = await run([[MH1, '0/1'], [MH2, '0/1']]);
    expect(g.call.diplotypes.map((d) => d.name)).toEqual([`${MH1}/${MH2}`]);
    expect([...(g.call.haplotypes ?? [])].sort()).toEqual([MH1, MH2].sort());
    expect(g.phenotypes).toEqual([expect.objectContaining({ phenotype: 'Malignant Hyperthermia Susceptibility' })]);
    expect(g.warnings.find((w) => w.code === 'RYR1_LOWEST_FUNCTION')?.message).toMatch(/RYR1: phenotype from the two lowest-function alleles found \(unphased data: the pairing is not used\)/);
    expect(ryr1Keys(r)).toEqual(ANAESTHETICS.map(() => 'Malignant Hyperthermia Susceptibility'));
  });

  it('three variants unphased (no pair fits): the two MH variants are the lowest, the uncertain one is left out', async () => {
    const { g } = await run([[MH1, '0/1'], [UF, '0/1'], [MH2, '0/1']]);
    expect(g.call.diplotypes).toEqual([]);
    expect(g.phenotypes).toEqual([expect.objectContaining({ diplotype: [MH1, MH2].sort().join('/'), phenotype: 'Malignant Hyperthermia Susceptibility' })]);
    expect(g.warnings.find((w) => w.code === 'RYR1_LOWEST_FUNCTION')?.message).toContain(`(${[MH1, MH2].sort().join(', ')})`);
  });

  it('MH variant plus an uncertain-function variant: MH ranks lowest, Malignant Hyperthermia Susceptibility', async () => {
    const { r, g } = await run([[UF, '0/1'], [MH1, '0/1']]);
    expect(g.phenotypes).toEqual([expect.objectContaining({ diplotype: `${MH1}/${UF}`, phenotype: 'Malignant Hyperthermia Susceptibility' })]);
    expect(ryr1Keys(r)).toEqual(ANAESTHETICS.map(() => 'Malignant Hyperthermia Susceptibility'));
  });

  it('uncertain-function variant alone: Uncertain Susceptibility (a lower rank than Normal, but no MH allele)', async () => {
    const { g } = await run([[UF, '0/1']]);
    expect(g.phenotypes).toEqual([expect.objectContaining({ diplotype: `${UF}/Reference`, phenotype: 'Uncertain Susceptibility' })]);
  });

  it('phased in trans: the pair, no lowest-function warning', async () => {
    const { g } = await run([[MH1, '1|0'], [MH2, '0|1']]);
    expect(g.call.phased).toBe(true);
    expect(g.call.diplotypes.map((d) => d.name)).toEqual([`${MH1}/${MH2}`]);
    expect(g.phenotypes).toEqual([expect.objectContaining({ diplotype: `${MH1}/${MH2}`, phenotype: 'Malignant Hyperthermia Susceptibility' })]);
    expect(g.warnings.map((w) => w.code)).not.toContain('RYR1_LOWEST_FUNCTION');
  });

  it('phased in cis: no pair fits, lowest per strand (one MH variant against Reference), warning names the strands', async () => {
    const { g } = await run([[MH1, '0|1'], [MH2, '0|1']]);
    expect(g.call.diplotypes).toEqual([]);
    expect(g.call.haplotypeStrands?.[0]).toEqual([]);
    expect([...(g.call.haplotypeStrands?.[1] ?? [])].sort()).toEqual([MH1, MH2].sort());
    const lowest = [MH1, MH2].sort()[0];
    expect(g.phenotypes).toEqual([expect.objectContaining({ diplotype: `Reference/${lowest}`, phenotype: 'Malignant Hyperthermia Susceptibility' })]);
    expect(g.warnings.find((w) => w.code === 'RYR1_LOWEST_FUNCTION')?.message).toMatch(/each strand/);
  });

  it('an unlisted variant next to an MH-associated one: whatever its function the pair is susceptible, so the result stands, with a warning', async () => {
    const unlisted = ryr1.alleles.find((a) => !a.reference && a.defining.length === 1 && table.alleles[a.name] === undefined)!.name;
    const { r, g } = await run([[unlisted, '0/1'], [MH1, '0/1']]);
    expect(g.phenotypes).toEqual([expect.objectContaining({ phenotype: 'Malignant Hyperthermia Susceptibility', lookupKey: 'Malignant Hyperthermia Susceptibility' })]);
    expect(g.warnings.find((w) => w.code === 'UNLISTED_ALLELE_RESULT_HOLDS')?.message).toContain(unlisted);
    expect(g.warnings.map((w) => w.code)).not.toContain('UNKNOWN_ALLELE');
    expect(r.drugs.find((d) => d.drug === 'sevoflurane')?.status).toBe('recommendation');
    // Phased in trans: the same.
    const phased = await run([[unlisted, '1|0'], [MH1, '0|1']]);
    expect(phased.g.phenotypes[0]?.phenotype).toBe('Malignant Hyperthermia Susceptibility');
  });

  it('a variant the phenotype table does not list: Indeterminate with UNKNOWN_ALLELE, never dropped in favour of the known one', async () => {
    const unknown = ryr1.alleles.find((a) => !a.reference && a.defining.length === 1 && table.alleles[a.name] === undefined)!.name;
    const { g } = await run([[unknown, '0/1'], [UF, '0/1']]);
    expect(g.phenotypes).toEqual([expect.objectContaining({ phenotype: 'Indeterminate' })]);
    expect(g.warnings.find((w) => w.code === 'UNKNOWN_ALLELE')?.message).toContain(unknown);
  });
});
