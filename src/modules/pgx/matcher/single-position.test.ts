// SLCO1B1 single-position fallback: when no pair of defined alleles fits the genotypes, SLCO1B1 is called from rs4149056
// alone (data: alleles/SLCO1B1.json singlePositionFallback, T → *1, C → *5), with a warning; VCFs from the definitions.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPgx } from '../pipeline.ts';
import { toJsonReport } from '../report/json.ts';
import { panelVcf } from '../synthetic/allele-vcf.ts';
import type { DiplotypeChoice } from '../synthetic/allele-vcf.ts';
import { callVcf } from './caller.ts';
import { loadAlleleDefinitions } from './definitions.ts';

const { genes: defs } = loadAlleleDefinitions();
const slco1b1 = defs.find((g) => g.gene === 'SLCO1B1')!;
const dir = mkdtempSync(join(tmpdir(), 'pgx-fallback-'));
let n = 0;
const RS4149056 = 'chr12:21178615';
// rs185905373 (chr12:21141575 A>T): an SLCO1B1 definition position no allele carrying rs4149056 C shares.
const RS185905373 = 'chr12:21141575';

async function run(choice: DiplotypeChoice, gt: Record<string, string>, drop: string[] = []) {
  const lines = panelVcf(defs, { SLCO1B1: choice }).trimEnd().split('\n').flatMap((line) => {
    const f = line.split('\t');
    const key = `${f[0]}:${f[1]}`;
    if (drop.includes(key)) return [];
    return [gt[key] && !line.startsWith('#') ? [...f.slice(0, 9), gt[key]].join('\t') : line];
  });
  const path = join(dir, `f${n++}.vcf`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return runPgx({ vcf: path }, callVcf);
}

describe('SLCO1B1 single-position fallback (rs4149056)', () => {
  it('is data: rs4149056 with T → the reference allele *1 and C → *5, the allele it defines alone', () => {
    const fb = slco1b1.singlePositionFallback!;
    expect(slco1b1.positions[fb.index]).toMatchObject({ rsid: 'rs4149056', position: 21178615, ref: 'T', alts: ['C'] });
    expect(fb.alleles).toEqual({ T: '*1', C: '*5' });
    expect(defs.filter((g) => g.singlePositionFallback).map((g) => g.gene)).toEqual(['SLCO1B1']);
  });

  for (const [choice, expected] of [
    [['*5', '*5'], { name: 'rs4149056C/rs4149056C', phenotype: 'Poor Function', as: '*5/*5' }],
    [['*1', '*5'], { name: 'rs4149056T/rs4149056C', phenotype: 'Decreased Function', as: '*1/*5' }],
  ] as const) {
    it(`no pair fits (${choice.join('/')} plus rs185905373 A/T): ${expected.name}, ${expected.phenotype}, simvastatin recommendation and warning`, async () => {
      const r = await run(choice, { [RS185905373]: '0/1' });
      const g = r.genes.find((x) => x.gene === 'SLCO1B1')!;
      expect(g.call.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['NO_MATCH', 'SINGLE_POSITION_FALLBACK']));
      expect(g.call.diplotypes.map((d) => d.name)).toEqual([expected.name]);
      expect(g.call.warnings.find((w) => w.code === 'SINGLE_POSITION_FALLBACK')?.message).toContain(`phenotyped as ${expected.as}`);
      expect(g.phenotypes.map((p) => p.phenotype)).toEqual([expected.phenotype]);
      const simva = r.drugs.find((d) => d.drug === 'simvastatin')!;
      expect(simva.status).toBe('recommendation');
      expect(simva.recommendations.find((x) => x.source === 'CPIC')?.lookupKey).toEqual({ SLCO1B1: expected.phenotype });
      expect(toJsonReport(r, '2026-12-05T00:00:00.000Z').genes.find((x) => x.gene === 'SLCO1B1')?.diplotypes).toEqual([expected.name]);
    });
  }

  it('reference at rs4149056, three heterozygous variants no pair explains → rs4149056T/rs4149056T, Normal Function', async () => {
    const r = await run(['*1', '*1'], { [RS185905373]: '0/1', 'chr12:21172675': '0/1', 'chr12:21172734': '0/1' });
    const g = r.genes.find((x) => x.gene === 'SLCO1B1')!;
    expect(g.call.diplotypes.map((d) => d.name)).toEqual(['rs4149056T/rs4149056T']);
    expect(g.phenotypes.map((p) => p.phenotype)).toEqual(['Normal Function']);
  });

  it('not used when a pair fits (*1/*5 stays *1/*5) or when rs4149056 is not genotyped (no call)', async () => {
    const fits = await run(['*1', '*5'], {});
    expect(fits.genes.find((x) => x.gene === 'SLCO1B1')!.call.diplotypes.map((d) => d.name)).toEqual(['*1/*5']);
    const noPosition = await run(['*5', '*5'], { [RS185905373]: '0/1' }, [RS4149056]);
    const g = noPosition.genes.find((x) => x.gene === 'SLCO1B1')!;
    expect(g.call.diplotypes).toEqual([]);
    expect(g.call.warnings.map((w) => w.code)).not.toContain('SINGLE_POSITION_FALLBACK');
    expect(g.phenotypes.map((p) => p.phenotype)).toEqual(['Indeterminate']);
  });
});
