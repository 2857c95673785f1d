// Proves every compact phenotype table reproduces its source table (checksum of every derived row).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tableChecksum } from './checksum.ts';
import { canonicalRow, derivePhenotype, enumerateDiplotypes } from './derive.ts';
import { loadPhenotypeKnowledge } from './knowledge.ts';
import { canonicalDiplotype } from './table.ts';
import { PHENOTYPE_SOURCES, SOURCE_DIR } from '../../../../scripts/pgx-data/source-paths.ts';

const knowledge = loadPhenotypeKnowledge();

describe('compact phenotype tables', () => {
  for (const [gene, table] of knowledge.tables) {
    it(`${gene}: every derived diplotype row hashes to the source table's checksum`, () => {
      const rows = enumerateDiplotypes(table).map((d) => {
        const e = derivePhenotype(table, d);
        expect(e, `${gene} ${d.join('/')}`).toBeDefined();
        return canonicalRow(d, e ?? { phenotype: '', lookupKey: '' });
      });
      expect(rows.length).toBe(table.sourceRows);
      expect(tableChecksum(rows)).toBe(table.sourceChecksum);
    });
  }

  // When the reference copy is present, compare row by row too (the checksum alone proves it otherwise).
  for (const { gene, file } of PHENOTYPE_SOURCES) {
    it.skipIf(!existsSync(join(SOURCE_DIR, file)))(`${gene}: every source row maps to its phenotype, activity score and lookup key`, () => {
      const src = JSON.parse(readFileSync(join(SOURCE_DIR, file), 'utf8')) as { diplotypes: Array<{ diplotypekey: Record<string, number>; generesult: string; lookupkey: string; activityScore?: string | null }> };
      const table = knowledge.tables.get(gene);
      if (!table) throw new Error(gene);
      for (const row of src.diplotypes) {
        const alleles = Object.entries(row.diplotypekey).flatMap(([a, n]) => Array.from({ length: n }, () => a));
        const e = derivePhenotype(table, alleles);
        expect({ d: canonicalDiplotype(alleles), p: e?.phenotype, k: e?.lookupKey, s: e?.activityScore ?? null }).toEqual({ d: canonicalDiplotype(alleles), p: row.generesult, k: row.lookupkey, s: row.activityScore ?? null });
      }
    });
  }

  it('stores CYP2D6 as allele activity values plus CPIC 2019+ bins, not 15k diplotypes', () => {
    const t = knowledge.tables.get('CYP2D6');
    expect(t?.derivation).toBe('activity-score');
    expect(Object.keys(t?.overrides ?? {})).toHaveLength(0);
    expect(t?.bins).toEqual([
      { min: 0, max: 0, phenotype: 'Poor Metabolizer' },
      { min: 0.25, max: 1, phenotype: 'Intermediate Metabolizer' },
      { min: 1.25, max: 2.25, phenotype: 'Normal Metabolizer' },
      { min: 2.5, max: 6, phenotype: 'Ultrarapid Metabolizer' },
    ]);
  });
});
