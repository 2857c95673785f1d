// Alleles that matter in African populations, end to end (VCF + lab outside calls → phenotype → guidance):
// CYP2B6 *6 and *18 (efavirenz), CYP2C19 *17, CYP2D6 *17 and *29 (decreased function, activity value 0.5 each).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callVcf } from './matcher/caller.ts';
import { loadAlleleDefinitions } from './matcher/definitions.ts';
import { runPgx } from './pipeline.ts';
import { panelVcf } from './synthetic/allele-vcf.ts';

const dir = mkdtempSync(join(tmpdir(), 'pgx-populations-'));
const vcf = join(dir, 'harare.vcf');
writeFileSync(vcf, panelVcf(loadAlleleDefinitions().genes, { CYP2B6: ['*6', '*18'], CYP2C19: ['*1', '*17'] }, { sample: 'HARARE-1' }));
const lab = join(dir, 'cyp2d6.tsv');
writeFileSync(lab, 'gene\tdiplotype\nCYP2D6\t*17/*29\n');

describe('African-population alleles', async () => {
  const result = await runPgx({ vcf, outsideCalls: lab }, callVcf);
  const gene = (name: string) => result.genes.find((g) => g.gene === name)!;
  const drug = (name: string) => result.drugs.find((d) => d.drug === name)!;

  it('CYP2B6 *6/*18 is a poor metabolizer: efavirenz at a reduced dose (CPIC)', () => {
    expect(gene('CYP2B6').call.diplotypes.map((d) => d.name)).toEqual(['*6/*18']);
    expect(gene('CYP2B6').phenotypes[0]?.phenotype).toBe('Poor Metabolizer');
    const cpic = drug('efavirenz').recommendations.find((r) => r.source === 'CPIC');
    expect(cpic?.lookupKey).toEqual({ CYP2B6: 'Poor Metabolizer' });
    expect(cpic?.recommendation.text).toMatch(/400 or 200 mg/);
  });

  it('CYP2C19 *1/*17 is a rapid metabolizer', () => {
    expect(gene('CYP2C19').call.diplotypes.map((d) => d.name)).toEqual(['*1/*17']);
    expect(gene('CYP2C19').phenotypes[0]?.phenotype).toBe('Rapid Metabolizer');
  });

  it('CYP2D6 *17/*29 from the lab: activity score 1.0, intermediate metabolizer; codeine guidance for that score', () => {
    expect(gene('CYP2D6').call.source).toBe('outside-call');
    expect(gene('CYP2D6').phenotypes[0]).toMatchObject({ phenotype: 'Intermediate Metabolizer', activityScore: '1.0' });
    const cpic = drug('codeine').recommendations.find((r) => r.source === 'CPIC');
    expect(cpic?.lookupKey).toEqual({ CYP2D6: '1.0' });
    expect(drug('codeine').status).toBe('recommendation');
  });
});
