// Loads the phenotype knowledge (data/pgx/phenotypes/) once per directory; the phenotyper itself stays pure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlauraError } from '../../../errors.ts';
import type { PhenotypeTable } from './table.ts';

/** A gene typed by allele presence (HLA-A/B, CYP4F2): the alleles of interest and the words for present/absent. */
export interface AllelePresenceGene {
  kind: 'allele-presence';
  alleles: string[];
  present: string;
  absent: string;
}

/** Everything the phenotyper needs, as loaded from data/pgx/phenotypes/. */
export interface PhenotypeKnowledge {
  version: string;
  tables: ReadonlyMap<string, PhenotypeTable>;
  allelePresence: Readonly<Record<string, AllelePresenceGene>>;
  /** Gene symbol → HGNC id (`HGNC:2625`), for FHIR gene-studied codings. */
  hgnc: Readonly<Record<string, string>>;
}

interface PhenotypeIndex {
  version: string;
  genes: Array<{ gene: string; file: string }>;
  allelePresence: Record<string, AllelePresenceGene>;
  hgnc: Record<string, string>;
}

/** The repository's data/pgx folder. */
export const DEFAULT_PGX_DATA_DIR = join(import.meta.dirname, '../../../../data/pgx');

const cache = new Map<string, PhenotypeKnowledge>();

/** Reads data/pgx/phenotypes/index.json and every gene table (cached per folder). */
export function loadPhenotypeKnowledge(dataDir: string = DEFAULT_PGX_DATA_DIR): PhenotypeKnowledge {
  const hit = cache.get(dataDir);
  if (hit) return hit;
  const dir = join(dataDir, 'phenotypes');
  try {
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as PhenotypeIndex;
    const tables = new Map<string, PhenotypeTable>();
    for (const g of index.genes) tables.set(g.gene, JSON.parse(readFileSync(join(dir, g.file), 'utf8')) as PhenotypeTable);
    const knowledge: PhenotypeKnowledge = { version: index.version, tables, allelePresence: index.allelePresence, hgnc: index.hgnc };
    cache.set(dataDir, knowledge);
    return knowledge;
  } catch (err) {
    throw new FlauraError('PGX_DATA_MISSING', 500, `PGx phenotype data could not be read from ${dir}; run npx tsx scripts/pgx-data/build-guidance.ts`, { cause: err });
  }
}
