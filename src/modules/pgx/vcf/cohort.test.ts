// Multi-sample VCFs (callVcfCohort): a BED of assayed regions applies to every sample as in the single-sample caller:
// definition positions the file omits but the BED covers are reference; a record (even a no-call) wins over the BED.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callVcfCohort } from '../matcher/caller.ts';
import { loadAlleleDefinitions } from '../matcher/definitions.ts';
import { geneRecords, recordLine, vcfHeader } from '../synthetic/allele-vcf.ts';

const cyp2c19 = loadAlleleDefinitions().genes.find((g) => g.gene === 'CYP2C19')!;
const dir = mkdtempSync(join(tmpdir(), 'pgx-cohort-bed-'));

/**
 * A two-sample CYP2C19 panel written only at its variant sites (as many panels do): ONE is *1/*17, TWO *17/*17; every
 * position where both samples are homozygous reference is left out. `noCall` writes TWO's GT at that position as `./.`.
 */
function variantSites(noCall?: number) {
  return geneRecords(cyp2c19, [['*1', '*17'], ['*17', '*17']]).filter((r) => r.gts.some((gt) => gt !== '0/0') || r.position === noCall);
}

function variantSitesOnly(noCall?: number): string {
  const records = variantSites(noCall);
  const lines = records.map((r) => recordLine(r.position === noCall ? { ...r, gts: [r.gts[0]!, './.'] } : r));
  const path = join(dir, `cohort-${noCall ?? 'plain'}.vcf`);
  writeFileSync(path, vcfHeader(['ONE', 'TWO']) + lines.join('\n') + '\n');
  return path;
}

/** A BED (0-based start, exclusive end) over the whole CYP2C19 definition span. */
function geneBed(): string {
  const positions = cyp2c19.positions.map((p) => p.position);
  const path = join(dir, 'cyp2c19.bed');
  writeFileSync(path, `chr10\t${Math.min(...positions) - 1}\t${Math.max(...positions)}\n`);
  return path;
}

function cyp2c19Calls(cohort: Awaited<ReturnType<typeof callVcfCohort>>) {
  return cohort.calls.map((calls) => calls.find((c) => c.gene === 'CYP2C19')!);
}

describe('callVcfCohort with a BED of assayed regions', () => {
  /** Positions the sites-only file leaves out (rs12248560 and the positions where *1 differs from GRCh38 are kept). */
  const absent = cyp2c19.positions.length - variantSites().length;

  it('without a BED the positions the sites-only file leaves out are missing', async () => {
    expect(absent).toBeGreaterThan(20);
    const calls = cyp2c19Calls(await callVcfCohort(variantSitesOnly()));
    for (const call of calls) {
      expect(call.missingPositions.length).toBe(absent);
      expect(call.missingPositions.join(' ')).not.toMatch(/rs12248560/);
      expect(call.assumedReference).toBeUndefined();
      expect(call.warnings.map((w) => w.code)).not.toContain('ASSUMED_REFERENCE');
    }
  });

  it('with a BED over the gene the absent positions are reference for every sample: *1/*17 and *17/*17, flagged', async () => {
    const cohort = await callVcfCohort(variantSitesOnly(), { assayed: geneBed() });
    expect(cohort.samples).toEqual(['ONE', 'TWO']);
    const [one, two] = cyp2c19Calls(cohort);
    expect(one!.diplotypes.map((d) => d.name)).toEqual(['*1/*17']);
    expect(two!.diplotypes.map((d) => d.name)).toEqual(['*17/*17']);
    for (const call of [one!, two!]) {
      expect(call.missingPositions).toEqual([]);
      expect(call.assumedReference).toBe(true);
      const w = call.warnings.find((x) => x.code === 'ASSUMED_REFERENCE');
      expect(w?.message).toMatch(new RegExp(`^CYP2C19: ${absent} position\\(s\\) absent from the VCF were taken as reference because the BED file declares them assayed`));
    }
    // Genes the BED does not cover are left as they were (TPMT: nothing in the file, nothing assumed).
    const tpmt = cohort.calls[0]!.find((c) => c.gene === 'TPMT')!;
    expect(tpmt.assumedReference).toBeUndefined();
    expect(tpmt.diplotypes).toEqual([]);
  });

  it('a no-call record says more than the BED: that sample keeps the position missing, the other sample is unaffected', async () => {
    const rs4244285 = cyp2c19.positions.find((p) => p.rsid === 'rs4244285')!.position;
    const [one, two] = cyp2c19Calls(await callVcfCohort(variantSitesOnly(rs4244285), { assayed: geneBed() }));
    expect(one!.missingPositions).toEqual([]);
    expect(two!.missingPositions.join(' ')).toMatch(/rs4244285|94781859/);
    expect(two!.missingPositions).toHaveLength(1);
  });

  it('a BED that does not parse is a 400 naming the line', async () => {
    const bad = join(dir, 'bad.bed');
    writeFileSync(bad, 'chr10\t100\t50\n');
    await expect(callVcfCohort(variantSitesOnly(), { assayed: bad })).rejects.toMatchObject({ status: 400, code: 'PGX_BED_INVALID', message: expect.stringMatching(/^line 1: /) });
  });
});
