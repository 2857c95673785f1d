// Combination and partial alleles (`findCombinations`, PharmCAT's "combinations" research mode). Cases are built from the
// definitions: CYP2C9 *2, *3 and *8 each define one distinct position; rs72558189 (94942234) T is defined only inside
// *35 (with *2's variant), so on a strand without *2 no definition explains it. VCFs are the panel VCF with GTs set.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPgx } from '../pipeline.ts';
import { loadPhenotypeKnowledge } from '../phenotype/knowledge.ts';
import { toFhirBundle } from '../report/fhir.ts';
import { renderPgx } from '../report/render.ts';
import { panelVcf } from '../synthetic/allele-vcf.ts';
import { fhirShapeProblems } from '../test-support/fhir-shape.ts';
import { callVcf } from './caller.ts';
import { loadAlleleDefinitions } from './definitions.ts';
import { MAX_COMBINATION_TIES, MAX_COMBINATION_UNITS } from './combinations.ts';

const { genes: defs } = loadAlleleDefinitions();
const dir = mkdtempSync(join(tmpdir(), 'pgx-combo-'));
let n = 0;
const NOW = '2026-12-05T00:00:00.000Z';

const def = (gene: string) => defs.find((g) => g.gene === gene)!;
const allele = (gene: string, name: string) => def(gene).alleles.find((a) => a.name === name)!;
/** `chr:pos` of every defining position of an allele. */
const keysOf = (gene: string, name: string) => allele(gene, name).defining.map(([i]) => `${def(gene).positions[i]!.chromosome}:${def(gene).positions[i]!.position}`);
const cyp2c9Position = (rsid: string) => def('CYP2C9').positions.find((p) => p.rsid === rsid)!;
const RS72558189 = cyp2c9Position('rs72558189');
/** VCF GT index of the T allele at rs72558189 (the base only *35 defines there). */
const T_INDEX = [RS72558189.ref, ...RS72558189.alts].indexOf('T');

/** The panel VCF (reference everywhere) with these GTs at these `chr:pos` keys; called with or without the option. */
async function run(gts: Record<string, string>, findCombinations: boolean, sex?: 'male') {
  const lines = panelVcf(defs, {}).trimEnd().split('\n').map((line) => {
    const f = line.split('\t');
    const gt = gts[`${f[0]}:${f[1]}`];
    return gt && !line.startsWith('#') ? [...f.slice(0, 9), gt].join('\t') : line;
  });
  const path = join(dir, `c${n++}.vcf`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return runPgx({ vcf: path, ...(findCombinations ? { findCombinations: true } : {}), ...(sex ? { sex } : {}) }, callVcf);
}

/** GTs putting each named allele's variants at the given GT. */
function at(gene: string, alleles: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(alleles).flatMap(([name, gt]) => keysOf(gene, name).map((k) => [k, gt])));
}

/** GTs making `count` CYP2C9 alleles that each define one SNV (at different positions) heterozygous, unphased. */
function singlesHeterozygous(count: number): Record<string, string> {
  const singles = def('CYP2C9').alleles.filter((a) => !a.reference && a.defining.length === 1 && /^[ACGT]$/.test(a.defining[0]![1]));
  const chosen = singles.filter((a, i, all) => all.findIndex((b) => b.defining[0]![0] === a.defining[0]![0]) === i).slice(0, count);
  expect(chosen).toHaveLength(count);
  const gts: Record<string, string> = {};
  for (const a of chosen) {
    const p = def('CYP2C9').positions[a.defining[0]![0]]!;
    gts[`${p.chromosome}:${p.position}`] = `0/${[p.ref, ...p.alts].indexOf(a.defining[0]![1])}`;
  }
  return gts;
}

const gene = (r: Awaited<ReturnType<typeof run>>, g: string) => r.genes.find((x) => x.gene === g)!;
const codes = (ws: Array<{ code: string }>) => ws.map((w) => w.code);

describe('combination and partial alleles (findCombinations)', () => {
  it('data: CYP2C9 *2, *3, *8 define one position each, all different; rs72558189 T is defined only by *35, with *2', () => {
    const single = ['*2', '*3', '*8'].map((a) => allele('CYP2C9', a).defining);
    expect(single.map((d) => d.length)).toEqual([1, 1, 1]);
    expect(new Set(single.map((d) => d[0]![0])).size).toBe(3);
    const index = def('CYP2C9').positions.indexOf(RS72558189);
    const withT = def('CYP2C9').alleles.filter((a) => a.defining.some(([i, b]) => i === index && b === 'T')).map((a) => a.name);
    expect(withT).toEqual(['*35']);
    expect(allele('CYP2C9', '*35').defining.map(([i]) => i).sort()).toEqual([index, allele('CYP2C9', '*2').defining[0]![0]].sort());
    expect(RS72558189.hgvs?.T).toBe('g.94942234G>T');
  });

  it('phased *2 and *3 in cis: off → not called (NO_MATCH, as before); on → [*2 + *3]/*1, combination, Indeterminate with COMBINATION_NOT_PHENOTYPED', async () => {
    const gts = at('CYP2C9', { '*2': '1|0', '*3': '1|0' });
    const off = gene(await run(gts, false), 'CYP2C9');
    expect(off.call.diplotypes).toEqual([]);
    expect(codes(off.call.warnings)).toContain('NO_MATCH');
    expect(codes(off.call.warnings)).not.toContain('COMBINATION_CALL');
    const r = await run(gts, true);
    const on = gene(r, 'CYP2C9');
    expect(on.call.diplotypes).toEqual([expect.objectContaining({ name: '[*2 + *3]/*1', allele1: '[*2 + *3]', allele2: '*1', combination: true })]);
    expect(codes(on.call.warnings)).toContain('COMBINATION_CALL');
    expect(codes(on.call.warnings)).not.toContain('NO_MATCH');
    expect(on.call.warnings.find((w) => w.code === 'COMBINATION_CALL')?.message).toMatch(/does not mean a gene duplication/);
    // The combination flag is what PharmCAT's naming message rule keys on (data/pgx/messages.json).
    expect(on.call.warnings.map((w) => w.ruleId)).toContain('pcat-combo-naming');
    expect(on.phenotypes).toEqual([expect.objectContaining({ diplotype: '[*2 + *3]/*1', phenotype: 'Indeterminate', lookupKey: 'No Result' })]);
    expect(codes(on.warnings)).toEqual(['COMBINATION_NOT_PHENOTYPED']);
    expect(on.warnings[0]?.message).toContain('[*2 + *3]/*1');
    expect(r.drugs.find((d) => d.drug === 'celecoxib')?.status).toBe('indeterminate');
  });

  it('phased *2 and *3 in trans: the exact pair *2/*3, no combination search', async () => {
    const g = gene(await run(at('CYP2C9', { '*2': '1|0', '*3': '0|1' }), true), 'CYP2C9');
    expect(g.call.diplotypes).toEqual([{ name: '*2/*3', allele1: '*2', allele2: '*3', score: 2 }]);
    expect(codes(g.call.warnings)).not.toContain('COMBINATION_CALL');
    expect(g.phenotypes[0]?.phenotype).toBe('Poor Metabolizer');
  });

  it('partial allele: *3 plus rs72558189 T on one strand → [*3 + g.94942234G>T]/*1 (HGVS from the definitions)', async () => {
    const key = `${RS72558189.chromosome}:${RS72558189.position}`;
    const g = gene(await run({ ...at('CYP2C9', { '*3': '0|1' }), [key]: `0|${T_INDEX}` }, true), 'CYP2C9');
    expect(g.call.diplotypes.map((d) => d.name)).toEqual([`[*3 + ${RS72558189.hgvs?.T}]/*1`]);
    expect(g.call.diplotypes[0]?.combination).toBe(true);
    expect(g.phenotypes[0]?.phenotype).toBe('Indeterminate');
    expect(codes(g.warnings)).not.toContain('UNKNOWN_ALLELE');
  });

  it('partial allele of the reference: rs72558189 T alone → [*1 + g.94942234G>T]/*1', async () => {
    const key = `${RS72558189.chromosome}:${RS72558189.position}`;
    const g = gene(await run({ [key]: `0/${T_INDEX}` }, true), 'CYP2C9');
    expect(g.call.diplotypes.map((d) => d.name)).toEqual(['[*1 + g.94942234G>T]/*1']);
  });

  it('unphased *2, *3, *8 heterozygous: every best-explained arrangement is reported (ties, AMBIGUOUS_CALL), none picked', async () => {
    const g = gene(await run(at('CYP2C9', { '*2': '0/1', '*3': '0/1', '*8': '0/1' }), true), 'CYP2C9');
    expect(g.call.diplotypes.map((d) => d.name).sort()).toEqual(['*2/[*3 + *8]', '[*2 + *3 + *8]/*1', '[*2 + *3]/*8', '[*2 + *8]/*3'].sort());
    expect(g.call.diplotypes.every((d) => d.combination)).toBe(true);
    expect(g.call.warnings.find((w) => w.code === 'AMBIGUOUS_CALL')?.message).toContain('[*2 + *8]/*3');
    expect(g.call.warnings.find((w) => w.code === 'COMBINATION_CALL')?.message).toMatch(/not phased: of the 4 arrangements/);
    expect(g.call.warnings.map((w) => w.ruleId)).toEqual(expect.arrayContaining(['pcat-combo-unphased', 'pcat-combo-naming']));
    expect(g.phenotypes.every((p) => p.phenotype === 'Indeterminate')).toBe(true);
  });

  it('unphased partial: *3 and rs72558189 T heterozygous → both arrangements tie ([*3 + g.…]/*1 and [*1 + g.…]/*3, in star-number order)', async () => {
    const key = `${RS72558189.chromosome}:${RS72558189.position}`;
    const g = gene(await run({ ...at('CYP2C9', { '*3': '0/1' }), [key]: `0/${T_INDEX}` }, true), 'CYP2C9');
    expect(g.call.diplotypes.map((d) => d.name).sort()).toEqual(['[*1 + g.94942234G>T]/*3', '[*3 + g.94942234G>T]/*1']);
  });

  it(`unphased, every arrangement equally good and more than ${MAX_COMBINATION_TIES} diplotypes: none reported (COMBINATION_TOO_AMBIGUOUS)`, async () => {
    // k single-position alleles heterozygous: 2^(k-1) arrangements, each k alleles and no leftover, so all tie.
    const k = Math.log2(MAX_COMBINATION_TIES) + 2;
    const g = gene(await run(singlesHeterozygous(k), true), 'CYP2C9');
    expect(g.call.diplotypes).toEqual([]);
    expect(g.call.warnings.find((w) => w.code === 'COMBINATION_TOO_AMBIGUOUS')?.message).toMatch(/more than 32 combination\/partial diplotypes/);
    const fewer = gene(await run(singlesHeterozygous(k - 1), true), 'CYP2C9');
    expect(fewer.call.diplotypes).toHaveLength(MAX_COMBINATION_TIES);
  });

  it(`unphased with more than ${MAX_COMBINATION_UNITS} heterozygous positions: the search gives up with a warning, the gene stays uncalled`, async () => {
    const gts = singlesHeterozygous(MAX_COMBINATION_UNITS + 1);
    const g = gene(await run(gts, true), 'CYP2C9');
    expect(g.call.diplotypes).toEqual([]);
    expect(g.call.warnings.find((w) => w.code === 'COMBINATION_SEARCH_LIMIT')?.message).toMatch(/14 heterozygous positions/);
    expect(codes(g.call.warnings)).toContain('NO_MATCH');
  });

  it('lowest-function gene (DPYD): *2A and c.2846A>T in cis → combination named, phenotype still from the strands (1.0)', async () => {
    const A2 = 'c.1905+1G>A (*2A)';
    const T2846 = 'c.2846A>T';
    const g = gene(await run(at('DPYD', { [A2]: '1|0', [T2846]: '1|0' }), true), 'DPYD');
    expect(g.call.diplotypes).toEqual([expect.objectContaining({ name: `[${A2} + ${T2846}]/Reference`, combination: true })]);
    expect(g.phenotypes).toEqual([expect.objectContaining({ diplotype: `${A2}/Reference`, activityScore: '1.0', phenotype: 'Intermediate Metabolizer' })]);
    expect(codes(g.warnings)).toContain('DPYD_LOWEST_FUNCTION');
    expect(codes(g.warnings)).not.toContain('COMBINATION_NOT_PHENOTYPED');
  });

  it('SLCO1B1: a combination call takes the place of the rs4149056 single-position fallback (as PharmCAT, whose fallback needs an uncalled gene)', async () => {
    // *5 (rs4149056 C) with rs185905373 T, a position no allele carrying rs4149056 C shares: no pair fits.
    const gts = { ...at('SLCO1B1', { '*5': '0/1' }), 'chr12:21141575': '0/1' };
    const off = gene(await run(gts, false), 'SLCO1B1');
    expect(off.call.diplotypes.map((d) => d.name)).toEqual(['rs4149056T/rs4149056C']);
    const on = gene(await run(gts, true), 'SLCO1B1');
    expect(on.call.diplotypes.length).toBeGreaterThan(0);
    expect(on.call.diplotypes.every((d) => d.combination && d.name.includes('+'))).toBe(true);
    expect(codes(on.call.warnings)).not.toContain('SINGLE_POSITION_FALLBACK');
    expect(on.phenotypes.every((p) => p.phenotype === 'Indeterminate')).toBe(true);
  });

  it('hemizygous G6PD (male): Aachen and Abeno on his one X → the single allele [Aachen + Abeno], Indeterminate', async () => {
    expect(['Aachen', 'Abeno'].map((a) => allele('G6PD', a).defining.length)).toEqual([1, 1]);
    const gts = at('G6PD', { Aachen: '1', Abeno: '1' });
    const off = gene(await run(gts, false, 'male'), 'G6PD');
    expect(off.call.diplotypes).toEqual([]);
    const on = gene(await run(gts, true, 'male'), 'G6PD');
    expect(on.call.diplotypes).toEqual([expect.objectContaining({ name: '[Aachen + Abeno]', allele1: '[Aachen + Abeno]', allele2: '', combination: true })]);
    expect(codes(on.call.warnings)).toEqual(expect.arrayContaining(['HEMIZYGOUS_CALL', 'COMBINATION_CALL']));
    expect(codes(on.call.warnings)).not.toContain('NO_MATCH');
    expect(on.phenotypes[0]?.phenotype).toBe('Indeterminate');
  });

  it('every output shows the combination name; the FHIR genotype Observation stays valid R4', async () => {
    const r = await run(at('CYP2C9', { '*2': '1|0', '*3': '1|0' }), true);
    expect(renderPgx(r, 'text', NOW)).toMatch(/CYP2C9\s+\[\*2 \+ \*3\]\/\*1\s+Indeterminate/);
    expect(renderPgx(r, 'html', NOW)).toContain('<td>[*2 + *3]/*1</td>');
    const json = JSON.parse(renderPgx(r, 'json', NOW)) as { genes: Array<{ gene: string; diplotypes: string[]; warnings: Array<{ code: string }> }> };
    const c = json.genes.find((g) => g.gene === 'CYP2C9')!;
    expect(c.diplotypes).toEqual(['[*2 + *3]/*1']);
    expect(codes(c.warnings)).toEqual(expect.arrayContaining(['COMBINATION_CALL', 'COMBINATION_NOT_PHENOTYPED']));
    const bundle = toFhirBundle(r, NOW, loadPhenotypeKnowledge().hgnc);
    const genotype = bundle.entry?.map((e) => e.resource).find((o) => o?.resourceType === 'Observation' && JSON.stringify(o).includes('CYP2C9 [*2 + *3]/*1'));
    expect(genotype).toMatchObject({ valueCodeableConcept: { text: 'CYP2C9 [*2 + *3]/*1' } });
    expect(JSON.stringify(genotype)).toContain('COMBINATION_CALL');
    expect(fhirShapeProblems(bundle)).toEqual([]);
  });
});
