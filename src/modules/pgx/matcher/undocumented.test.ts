// Undocumented variation: a base no allele definition has, at a definition position. For the genes PharmCAT lists as
// toxicity genes (data/pgx/undocumented-variations.json) it is read as the reference base so the gene is still called
// and a recommendation made; for other genes the gene is not called. VCFs are panel text edited line by line.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPgx } from '../pipeline.ts';
import { panelVcf } from '../synthetic/allele-vcf.ts';
import type { DiplotypeChoice } from '../synthetic/allele-vcf.ts';
import { callVcf, createVcfCaller } from './caller.ts';
import { DEFAULT_ALLELES_DIR, loadAlleleDefinitions } from './definitions.ts';

const { genes } = loadAlleleDefinitions();
const dir = mkdtempSync(join(tmpdir(), 'pgx-undocumented-'));
let n = 0;
const DATA = JSON.parse(readFileSync(join(DEFAULT_ALLELES_DIR, '../undocumented-variations.json'), 'utf8')) as { url: string; retrieved: string; asReference: string[] };

/** The panel VCF with, at `key`, the ALT replaced by `alt` and the GT by `gt`. */
function vcf(choices: Record<string, DiplotypeChoice>, key: string, alt: string, gt: string): string {
  let edited = 0;
  const lines = panelVcf(genes, choices).trimEnd().split('\n').map((line) => {
    const f = line.split('\t');
    if (line.startsWith('#') || `${f[0]}:${f[1]}` !== key) return line;
    edited++;
    return [...f.slice(0, 4), alt, ...f.slice(5, 9), gt].join('\t');
  });
  if (edited !== 1) throw new Error(`no record at ${key}`);
  const path = join(dir, `u${n++}.vcf`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('undocumented variation (data)', () => {
  it('the genes read as reference are data with their source (PharmCAT Named Allele Matcher 201)', () => {
    expect(DATA.url).toBe('https://pharmcat.org/methods/NamedAlleleMatcher-201/#undocumented-variations');
    expect(DATA.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(genes.filter((g) => g.undocumentedAsReference).map((g) => g.gene).sort()).toEqual([...DATA.asReference].sort());
    expect(DATA.asReference).toEqual(expect.arrayContaining(['DPYD', 'TPMT']));
    expect(DATA.asReference).not.toContain('CYP2C19');
  });
});

describe('undocumented variation at a definition position', () => {
  it('TPMT *1/*3A with C/A at rs1800462 (only C or G defined): read as reference, *1/*3A, Intermediate Metabolizer, thiopurine recommendation', async () => {
    const r = await runPgx({ vcf: vcf({ TPMT: ['*1', '*3A'] }, 'chr6:18143724', 'A', '0/1') }, callVcf);
    const g = r.genes.find((x) => x.gene === 'TPMT')!;
    expect(g.call.diplotypes.map((d) => d.name)).toEqual(['*1/*3A']);
    const w = g.call.warnings.find((x) => x.code === 'UNDOCUMENTED_VARIATION_AS_REFERENCE');
    expect(w?.message).toContain('chr6:18143724 (rs1800462) A');
    expect(g.call.warnings.map((x) => x.code)).not.toContain('NO_MATCH');
    // The VCF genotype is still reported as read.
    expect(g.call.variants?.find((v) => v.position === 18143724)?.call).toBe('C/A');
    expect(g.phenotypes.map((p) => p.phenotype)).toEqual(['Intermediate Metabolizer']);
    const aza = r.drugs.find((d) => d.drug === 'azathioprine')!;
    expect(aza.status).toBe('recommendation');
    expect(aza.recommendations.find((x) => x.source === 'CPIC')?.lookupKey).toMatchObject({ TPMT: 'Intermediate Metabolizer' });
  });

  it('DPYD c.1905+1G>A (*2A) heterozygous with a homozygous undocumented base at rs67376798: still *2A/Reference, fluorouracil recommendation', async () => {
    const r = await runPgx({ vcf: vcf({ DPYD: ['c.1905+1G>A (*2A)', 'Reference'] }, 'chr1:97082391', 'G', '1/1') }, callVcf);
    const g = r.genes.find((x) => x.gene === 'DPYD')!;
    expect(g.call.diplotypes.map((d) => d.name)).toEqual(['c.1905+1G>A (*2A)/Reference']);
    expect(g.call.warnings.find((x) => x.code === 'UNDOCUMENTED_VARIATION_AS_REFERENCE')?.message).toContain('chr1:97082391 (rs67376798) G');
    expect(g.phenotypes.map((p) => p.phenotype)).toEqual(['Intermediate Metabolizer']);
    expect(r.drugs.find((d) => d.drug === 'fluorouracil')?.status).toBe('recommendation');
  });

  it('CYP2C19 with G/C at rs4244285 (only G or A defined): not called, UNDOCUMENTED_VARIATION names position and allele, clopidogrel indeterminate', async () => {
    const r = await runPgx({ vcf: vcf({ CYP2C19: ['*1', '*17'] }, 'chr10:94781859', 'C', '0/1') }, callVcf);
    const g = r.genes.find((x) => x.gene === 'CYP2C19')!;
    expect(g.call.diplotypes).toEqual([]);
    const w = g.call.warnings.find((x) => x.code === 'UNDOCUMENTED_VARIATION');
    expect(w?.message).toContain('chr10:94781859 (rs4244285) C');
    expect(g.call.warnings.map((x) => x.code)).not.toContain('UNDOCUMENTED_VARIATION_AS_REFERENCE');
    expect(g.phenotypes.map((p) => p.phenotype)).toEqual(['Indeterminate']);
    expect(r.drugs.find((d) => d.drug === 'clopidogrel')?.status).toBe('indeterminate');
  });

  it('SLCO1B1 with an undocumented base away from rs4149056: not called from the definitions, but the single-position fallback still applies', async () => {
    const r = await runPgx({ vcf: vcf({ SLCO1B1: ['*1', '*5'] }, 'chr12:21141575', 'G', '0/1') }, callVcf);
    const g = r.genes.find((x) => x.gene === 'SLCO1B1')!;
    expect(g.call.warnings.map((x) => x.code)).toEqual(expect.arrayContaining(['UNDOCUMENTED_VARIATION', 'SINGLE_POSITION_FALLBACK']));
    expect(g.call.diplotypes.map((d) => d.name)).toEqual(['rs4149056T/rs4149056C']);
  });

  it('documented bases raise nothing: a panel of defined alleles has no undocumented-variation warning', async () => {
    const r = await runPgx({ vcf: vcf({ TPMT: ['*1', '*3A'] }, 'chr6:18143724', 'G', '0/0') }, callVcf);
    for (const g of r.genes) expect(g.call.warnings.map((w) => w.code).filter((c) => c.startsWith('UNDOCUMENTED')), g.gene).toEqual([]);
  });

  it('is driven by the data flag: TPMT definitions without undocumentedAsReference leave TPMT uncalled', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'pgx-alleles-'));
    cpSync(DEFAULT_ALLELES_DIR, copy, { recursive: true });
    const tpmt = JSON.parse(readFileSync(join(copy, 'TPMT.json'), 'utf8')) as Record<string, unknown>;
    delete tpmt.undocumentedAsReference;
    writeFileSync(join(copy, 'TPMT.json'), JSON.stringify(tpmt));
    const r = await runPgx({ vcf: vcf({ TPMT: ['*1', '*3A'] }, 'chr6:18143724', 'A', '0/1') }, createVcfCaller(copy));
    const g = r.genes.find((x) => x.gene === 'TPMT')!;
    expect(g.call.diplotypes).toEqual([]);
    expect(g.call.warnings.map((x) => x.code)).toContain('UNDOCUMENTED_VARIATION');
  });
});
