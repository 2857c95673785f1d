// Loads CPIC and DPWG recommendations (data/pgx/guidance/) once and indexes them by drug.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlauraError } from '../../../errors.ts';
import { DEFAULT_PGX_DATA_DIR } from '../phenotype/knowledge.ts';
import { inflateGuideline } from './guidance-store.ts';
import type { StoredGuidelineFile } from './guidance-store.ts';
import type { GuidanceIndex, GuidelineFile, UpstreamChange } from './guidance-types.ts';

/** A drug the data has guidance for: the list the CDS engineer needs. */
export interface PgxDrug {
  name: string;
  pharmgkbId: string;
  /** RxNorm CUI; null because the annotation data carries none (PharmGKB ids only). */
  rxnorm: string | null;
  genes: string[];
  sources: Array<'CPIC' | 'DPWG'>;
  /** Set when CPIC changed this drug's recommendations after the snapshot used here. */
  outdated?: UpstreamChange;
}

/** All guidance, indexed for the recommender. */
export interface GuidanceKnowledge {
  cpic: GuidanceIndex;
  dpwg?: GuidanceIndex;
  /** Guideline files per drug name (CPIC first, then DPWG). */
  byDrug: ReadonlyMap<string, GuidelineFile[]>;
  drugs: PgxDrug[];
  drugByName: ReadonlyMap<string, PgxDrug>;
}

function readSource(dir: string): { index: GuidanceIndex; files: GuidelineFile[] } {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as GuidanceIndex;
  const files = index.files.map((f) => inflateGuideline(JSON.parse(readFileSync(join(dir, f), 'utf8')) as StoredGuidelineFile));
  return { index, files };
}

const cache = new Map<string, GuidanceKnowledge>();

/** Plain-language notes on what the CPIC data lacks or has outdated (from `newerUpstream`). */
export function guidanceNotes(knowledge: GuidanceKnowledge): string[] {
  return knowledge.cpic.newerUpstream.map((u) => {
    const latest = u.changes[0];
    return u.inData
      ? `CPIC updated the ${u.drug} recommendations on ${latest?.date ?? '?'} (${latest?.note ?? ''}); this report uses the ${knowledge.cpic.version} version.`
      : `CPIC published ${u.drug} recommendations on ${latest?.date ?? '?'}; they are not in this data (${knowledge.cpic.version}).`;
  });
}

/** Reads data/pgx/guidance/cpic (required) and dpwg (optional: leave it out to ship CC0 data only). */
export function loadGuidanceKnowledge(dataDir: string = DEFAULT_PGX_DATA_DIR, options: { dpwg?: boolean } = {}): GuidanceKnowledge {
  const useDpwg = options.dpwg !== false && existsSync(join(dataDir, 'guidance/dpwg/index.json'));
  const key = `${dataDir}\u0000${useDpwg}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let cpic: ReturnType<typeof readSource>;
  try {
    cpic = readSource(join(dataDir, 'guidance/cpic'));
  } catch (err) {
    throw new FlauraError('PGX_DATA_MISSING', 500, `CPIC recommendations could not be read from ${dataDir}/guidance/cpic; run npx tsx scripts/pgx-data/build-guidance.ts`, { cause: err });
  }
  const dpwg = useDpwg ? readSource(join(dataDir, 'guidance/dpwg')) : undefined;
  const byDrug = new Map<string, GuidelineFile[]>();
  const drugs = new Map<string, PgxDrug>();
  const outdated = new Map(cpic.index.newerUpstream.filter((u) => u.inData).map((u) => [u.drug, u]));
  for (const src of [cpic, ...(dpwg ? [dpwg] : [])]) {
    for (const f of src.files) {
      for (const d of f.drugs) {
        byDrug.set(d.name, [...(byDrug.get(d.name) ?? []), f]);
        const e = drugs.get(d.name) ?? { name: d.name, pharmgkbId: d.pharmgkbId, rxnorm: null, genes: [], sources: [] };
        e.genes = [...new Set([...e.genes, ...f.genes])].sort();
        if (!e.sources.includes(f.source)) e.sources.push(f.source);
        const o = outdated.get(d.name);
        if (o) e.outdated = o;
        drugs.set(d.name, e);
      }
    }
  }
  const knowledge: GuidanceKnowledge = {
    cpic: cpic.index,
    ...(dpwg ? { dpwg: dpwg.index } : {}),
    byDrug,
    drugs: [...drugs.values()].sort((a, b) => a.name.localeCompare(b.name)),
    drugByName: drugs,
  };
  cache.set(key, knowledge);
  return knowledge;
}
