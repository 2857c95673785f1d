// Sex-aware calling of X-linked G6PD: a male's haploid chrX genotypes (GT `1`) or a male's homozygous-looking diploid
// genotypes give one allele and the hemizygous phenotype of the G6PD table; a female stays diploid.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPgx } from '../pipeline.ts';
import { geneRecords, panelVcf, recordLine, referenceChoice, sortRecords, vcfHeader, type DiplotypeChoice } from '../synthetic/allele-vcf.ts';
import { callVcf } from './caller.ts';
import { loadAlleleDefinitions } from './definitions.ts';

const { genes } = loadAlleleDefinitions();
const g6pd = genes.find((g) => g.gene === 'G6PD')!;
const dir = mkdtempSync(join(tmpdir(), 'pgx-g6pd-'));
let n = 0;

/** A panel VCF; with `haploid`, every G6PD GT is written as one allele (as callers write a male's chrX). */
function vcf(pair: DiplotypeChoice, haploid: boolean): string {
  const path = join(dir, `g${n++}.vcf`);
  if (!haploid) writeFileSync(path, panelVcf(genes, { G6PD: pair }));
  else {
    const others = genes.filter((g) => g.gene !== 'G6PD').flatMap((d) => geneRecords(d, [referenceChoice(d)]));
    const x = geneRecords(g6pd, [pair]).map((r) => ({ ...r, gts: r.gts.map((gt) => gt.split('/')[0]!) }));
    writeFileSync(path, vcfHeader(['S']) + sortRecords([...others, ...x]).map((r) => recordLine(r)).join('\n') + '\n');
  }
  return path;
}

const g6pdOf = async (path: string, sex?: 'male' | 'female') => (await runPgx({ vcf: path, ...(sex ? { sex } : {}) }, callVcf)).genes.find((g) => g.gene === 'G6PD')!;
const A_MINUS = 'A- 202A_376G';

describe('G6PD by sex', () => {
  it('haploid male genotypes (GT 1): one allele, Deficient (hemizygous row of the G6PD table), with or without --sex male', async () => {
    for (const sex of [undefined, 'male'] as const) {
      const g = await g6pdOf(vcf([A_MINUS, A_MINUS], true), sex);
      expect(g.call.diplotypes.map((d) => [d.name, d.allele2])).toEqual([[A_MINUS, '']]);
      expect(g.call.warnings.map((w) => w.code)).toContain('HEMIZYGOUS_CALL');
      expect(g.phenotypes[0]?.phenotype).toBe('Deficient');
    }
  });

  it('haploid reference male: B (reference), Normal', async () => {
    const g = await g6pdOf(vcf(['B (reference)', 'B (reference)'], true), 'male');
    expect(g.call.diplotypes.map((d) => d.name)).toEqual(['B (reference)']);
    expect(g.phenotypes[0]?.phenotype).toBe('Normal');
  });

  it('a male written diploid (0/0, 1/1 on chrX) is read as hemizygous when --sex male is given', async () => {
    const g = await g6pdOf(vcf([A_MINUS, A_MINUS], false), 'male');
    expect(g.call.diplotypes.map((d) => d.name)).toEqual([A_MINUS]);
    expect(g.phenotypes[0]?.phenotype).toBe('Deficient');
  });

  it('a female stays diploid: B/A- heterozygous is Variable; diploid without sex is also two alleles', async () => {
    const het = await g6pdOf(vcf(['B (reference)', A_MINUS], false), 'female');
    expect(het.call.diplotypes.map((d) => d.name)).toEqual([`${A_MINUS}/B (reference)`]);
    expect(het.phenotypes[0]?.phenotype).toBe('Variable');
    const unknown = await g6pdOf(vcf([A_MINUS, A_MINUS], false));
    expect(unknown.call.diplotypes.map((d) => d.name)).toEqual([`${A_MINUS}/${A_MINUS}`]);
  });

  it('a male with heterozygous chrX calls: matched as two alleles with a warning, phenotype not interpretable', async () => {
    const g = await g6pdOf(vcf(['B (reference)', A_MINUS], false), 'male');
    expect(g.call.warnings.map((w) => w.code)).toContain('MALE_HETEROZYGOUS_X');
    expect(g.warnings.map((w) => w.code)).toContain('G6PD_MALE_HETEROZYGOUS');
    expect(g.phenotypes[0]?.phenotype).toBe('Indeterminate');
  });
});
