// AMP tier-1 coverage (PharmCAT exemptions amp1Positions / amp1Alleles, carried into data/pgx/alleles): a gene call from
// a VCF says whether every tier-1 position was genotyped, and otherwise names the missing positions and the tier-1
// alleles they leave open. VCFs are panel text written from the definitions, edited line by line.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPgx } from '../pipeline.ts';
import { toJsonReport } from '../report/json.ts';
import { panelVcf } from '../synthetic/allele-vcf.ts';
import { callVcf } from './caller.ts';
import { loadAlleleDefinitions } from './definitions.ts';

const { genes, optIn } = loadAlleleDefinitions();
const dir = mkdtempSync(join(tmpdir(), 'pgx-amp1-'));
let n = 0;
// CYP2C19 rs4244285 (c.681G>A), the position that defines *2 alone among the tier-1 alleles.
const RS4244285 = 'chr10:94781859';

/** The panel VCF (CYP2C19 *1/*17) with the record at `key` removed or replaced by `replacement`. */
function vcf(key?: string, replacement?: string): string {
  const lines = panelVcf(genes, { CYP2C19: ['*1', '*17'] }).trimEnd().split('\n').flatMap((line) => {
    const f = line.split('\t');
    if (line.startsWith('#') || `${f[0]}:${f[1]}` !== key) return [line];
    return replacement ? [replacement] : [];
  });
  const path = join(dir, `v${n++}.vcf`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const NOW = '2026-12-05T00:00:00.000Z';

describe('AMP tier-1 positions (data)', () => {
  it('come from exemptions.json with, per tier-1 allele, the tier-1 positions it is defined at', () => {
    const c19 = genes.find((g) => g.gene === 'CYP2C19')!;
    expect(c19.ampTier1?.positions).toEqual([94761900, 94775367, 94775507, 94780653, 94781859, 94842866]);
    expect(c19.ampTier1?.alleles).toEqual([
      { name: '*2', positions: [94775367, 94775507, 94781859, 94842866] },
      { name: '*3', positions: [94780653, 94842866] },
      { name: '*17', positions: [94761900, 94842866] },
    ]);
    // Every tier-1 position is a definition position of its gene.
    for (const g of [...genes, ...optIn]) for (const p of g.ampTier1?.positions ?? []) expect(g.positions.some((d) => d.position === p), `${g.gene} ${p}`).toBe(true);
    // CYP2D6 *5 (whole-gene deletion) is tier 1 but has no SNV/indel definition.
    expect(optIn.find((g) => g.gene === 'CYP2D6')?.ampTier1?.notCallable).toEqual(['*5']);
    // Genes without tier-1 variants in the source carry nothing.
    expect(genes.find((g) => g.gene === 'NAT2')?.ampTier1).toBeUndefined();
  });
});

describe('AMP tier-1 coverage of a VCF call', () => {
  it('complete panel: CYP2C19 covered, no warning, JSON ampTier1.covered true', async () => {
    const r = await runPgx({ vcf: vcf() }, callVcf);
    const g = r.genes.find((x) => x.gene === 'CYP2C19')!;
    expect(g.call.diplotypes.map((d) => d.name)).toEqual(['*1/*17']);
    expect(g.call.warnings.map((w) => w.code)).not.toContain('AMP_TIER1_POSITIONS_MISSING');
    const json = toJsonReport(r, NOW).genes;
    expect(json.find((x) => x.gene === 'CYP2C19')?.ampTier1).toEqual({ covered: true, positions: 6, missingPositions: [], allelesNotRuledOut: [], notAssessed: [] });
    // Every gene with tier-1 data is covered by the full panel; the others report null.
    for (const j of json) expect(j.ampTier1 === null || j.ampTier1.covered, j.gene).toBe(true);
    expect(json.find((x) => x.gene === 'NAT2')?.ampTier1).toBeNull();
  });

  it('rs4244285 absent: AMP_TIER1_POSITIONS_MISSING names the position and *2; JSON covered false', async () => {
    const r = await runPgx({ vcf: vcf(RS4244285) }, callVcf);
    const g = r.genes.find((x) => x.gene === 'CYP2C19')!;
    const w = g.call.warnings.find((x) => x.code === 'AMP_TIER1_POSITIONS_MISSING');
    expect(w?.message).toBe('CYP2C19: 1 of 6 AMP tier-1 position(s) were not genotyped: chr10:94781859 (rs4244285); tier-1 allele(s) that could therefore not be ruled out: *2.');
    expect(g.call.ampTier1).toEqual({ covered: false, positions: 6, missingPositions: ['chr10:94781859 (rs4244285)'], allelesNotRuledOut: ['*2'] });
    expect(toJsonReport(r, NOW).genes.find((x) => x.gene === 'CYP2C19')?.ampTier1).toMatchObject({ covered: false, allelesNotRuledOut: ['*2'] });
    // Other genes are unaffected.
    expect(r.genes.find((x) => x.gene === 'CYP2C9')?.call.ampTier1?.covered).toBe(true);
  });

  it('rs3758581 absent (shared by *2, *3 and *17): all three named', async () => {
    const g = (await runPgx({ vcf: vcf('chr10:94842866') }, callVcf)).genes.find((x) => x.gene === 'CYP2C19')!;
    expect(g.call.ampTier1?.allelesNotRuledOut).toEqual(['*2', '*3', '*17']);
  });

  it('rs4244285 as a no-call (./.) is missing too', async () => {
    const g = (await runPgx({ vcf: vcf(RS4244285, 'chr10\t94781859\trs4244285\tG\tA\t.\tPASS\t.\tGT\t./.') }, callVcf)).genes.find((x) => x.gene === 'CYP2C19')!;
    expect(g.call.ampTier1?.covered).toBe(false);
  });

  it('rs4244285 inside a gVCF reference block, or absent but declared assayed by a BED: covered', async () => {
    const block = await runPgx({ vcf: vcf(RS4244285, 'chr10\t94781859\t.\tG\t<NON_REF>\t.\tPASS\tEND=94781859\tGT\t0/0') }, callVcf);
    expect(block.genes.find((x) => x.gene === 'CYP2C19')?.call.ampTier1?.covered).toBe(true);
    const bed = join(dir, 'panel.bed');
    writeFileSync(bed, 'chr10\t94781858\t94781859\n');
    const assayed = await runPgx({ vcf: vcf(RS4244285), assayed: bed }, callVcf);
    const g = assayed.genes.find((x) => x.gene === 'CYP2C19')!;
    expect(g.call.ampTier1?.covered).toBe(true);
    expect(g.call.warnings.map((w) => w.code)).toContain('ASSUMED_REFERENCE');
  });
});
