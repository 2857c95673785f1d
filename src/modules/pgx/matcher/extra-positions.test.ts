// PharmCAT exemptions `extraPositions`: CYP2C9 rs12777823 is read from the VCF and reported with CYP2C9 for warfarin
// (CPIC 2017, African ancestry), never used to call an allele.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPgx } from '../pipeline.ts';
import { toJsonReport } from '../report/json.ts';
import { panelVcf } from '../synthetic/allele-vcf.ts';
import { callVcf } from './caller.ts';
import { loadAlleleDefinitions } from './definitions.ts';

const { genes } = loadAlleleDefinitions();
const cyp2c9 = genes.find((g) => g.gene === 'CYP2C9')!;
const dir = mkdtempSync(join(tmpdir(), 'pgx-extra-'));

/** The panel VCF (CYP2C9 *1/*8, an allele of African ancestry) plus, when given, a rs12777823 line with that GT. */
function vcf(gt: string | undefined): string {
  const path = join(dir, `${gt?.replace(/\W/g, '_') ?? 'none'}.vcf`);
  const text = panelVcf(genes, { CYP2C9: ['*1', '*8'] });
  const line = gt ? `chr10\t94645745\trs12777823\tG\tA\t.\tPASS\t.\tGT\t${gt}\n` : '';
  // The panel is sorted; chr10:94645745 comes before the CYP2C9 positions (94938xxx), after the header.
  const [header, body] = [text.slice(0, text.indexOf('\nchr') + 1), text.slice(text.indexOf('\nchr') + 1)];
  writeFileSync(path, header + line + body);
  return path;
}

describe('CYP2C9 extra position rs12777823 (warfarin)', () => {
  it('comes from PharmCAT exemptions.json into the CYP2C9 definitions, outside every allele', () => {
    expect(cyp2c9.extraPositions).toEqual([expect.objectContaining({ chromosome: 'chr10', position: 94645745, rsid: 'rs12777823', ref: 'G', alts: ['A'], use: expect.stringMatching(/^warfarin/) })]);
    expect(cyp2c9.positions.some((p) => p.position === 94645745)).toBe(false);
  });

  for (const [gt, call] of [['0/1', 'G/A'], ['1/1', 'A/A'], ['0/0', 'G/G']] as const) {
    it(`rs12777823 ${gt} is reported as ${call} with CYP2C9 (JSON extraPositions and EXTRA_POSITION), the diplotype unchanged`, async () => {
      const result = await runPgx({ vcf: vcf(gt) }, callVcf);
      const g = result.genes.find((x) => x.gene === 'CYP2C9')!;
      expect(g.call.diplotypes.map((d) => d.name)).toEqual(['*1/*8']);
      expect(g.call.extraPositions).toEqual([expect.objectContaining({ rsid: 'rs12777823', call })]);
      expect(g.call.warnings.find((w) => w.code === 'EXTRA_POSITION')?.message).toMatch(new RegExp(`rs12777823 \\(chr10:94645745\\) is ${call}; .*warfarin`));
      const json = toJsonReport(result, '2026-12-05T00:00:00.000Z').genes.find((x) => x.gene === 'CYP2C9')!;
      expect(json.extraPositions).toEqual([{ position: 'chr10:94645745', rsid: 'rs12777823', call, use: expect.stringMatching(/^warfarin/) }]);
      // The warfarin recommendation for African ancestry is the one that uses rs12777823.
      expect(result.drugs.find((d) => d.drug === 'warfarin')?.recommendations.some((r) => /rs12777823/.test(r.recommendation.text))).toBe(true);
    });
  }

  it('not in the VCF: reported as not genotyped (call null), not a missing CYP2C9 position', async () => {
    const g = (await runPgx({ vcf: vcf(undefined) }, callVcf)).genes.find((x) => x.gene === 'CYP2C9')!;
    expect(g.call.extraPositions?.[0]?.call).toBeNull();
    expect(g.call.missingPositions.some((m) => m.includes('94645745'))).toBe(false);
    expect(g.call.warnings.find((w) => w.code === 'EXTRA_POSITION')?.message).toMatch(/was not genotyped/);
  });
});
