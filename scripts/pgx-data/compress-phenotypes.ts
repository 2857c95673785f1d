// Turns a PharmCAT gene phenotype file into the compact derivable table and proves it reproduces every row.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activityNumber, parseActivity } from '../../src/modules/pgx/phenotype/activity-score.ts';
import { tableChecksum } from '../../src/modules/pgx/phenotype/checksum.ts';
import { canonicalRow, derivePhenotype, enumerateDiplotypes } from '../../src/modules/pgx/phenotype/derive.ts';
import { canonicalDiplotype } from '../../src/modules/pgx/phenotype/table.ts';
import type { ActivityBin, AlleleFunction, PhenotypeEntry, PhenotypeTable } from '../../src/modules/pgx/phenotype/table.ts';

/** The subset of a PharmCAT gene phenotype JSON file that the build reads. */
export interface SourcePhenotypeFile {
  gene: string;
  version: string;
  haplotypes: Record<string, string>;
  activityValues?: Record<string, string>;
  namedAlleles?: Array<{ name: string; activityValue: string | null; functionValue: string | null }>;
  diplotypes: Array<{ diplotypekey: Record<string, number>; generesult: string; lookupkey: string; activityScore?: string | null }>;
}

function rowAlleles(key: Record<string, number>): string[] {
  return Object.entries(key).flatMap(([a, n]) => Array.from({ length: n }, () => a));
}

function sourceEntry(row: SourcePhenotypeFile['diplotypes'][number]): PhenotypeEntry {
  return { phenotype: row.generesult, lookupKey: row.lookupkey, ...(row.activityScore ? { activityScore: row.activityScore } : {}) };
}

/** Activity-score → phenotype bins from the table's own rows (contiguous runs of the same phenotype). */
function deriveBins(rows: SourcePhenotypeFile['diplotypes']): ActivityBin[] {
  const byScore = new Map<number, Map<string, number>>();
  for (const r of rows) {
    const v = parseActivity(r.activityScore);
    if (!v) continue;
    const n = activityNumber(v);
    const counts = byScore.get(n) ?? new Map<string, number>();
    counts.set(r.generesult, (counts.get(r.generesult) ?? 0) + 1);
    byScore.set(n, counts);
  }
  const bins: ActivityBin[] = [];
  for (const score of [...byScore.keys()].sort((a, b) => a - b)) {
    const counts = [...(byScore.get(score) ?? new Map<string, number>()).entries()].sort((a, b) => b[1] - a[1]);
    const phenotype = counts[0]?.[0] as string;
    const last = bins[bins.length - 1];
    if (last && last.phenotype === phenotype) last.max = score;
    else bins.push({ min: score, max: score, phenotype });
  }
  return bins;
}

/** The (majority) result of rows with an allele lacking a numeric activity value, e.g. Indeterminate. */
function unscoredEntry(file: SourcePhenotypeFile, alleles: Record<string, AlleleFunction>): { unscored?: PhenotypeEntry } {
  const counts = new Map<string, { entry: PhenotypeEntry; n: number }>();
  for (const r of file.diplotypes) {
    if (!rowAlleles(r.diplotypekey).some((a) => parseActivity(alleles[a]?.activity) === undefined)) continue;
    const entry = sourceEntry(r);
    const id = JSON.stringify(entry);
    const c = counts.get(id) ?? { entry, n: 0 };
    c.n++;
    counts.set(id, c);
  }
  const best = [...counts.values()].sort((a, b) => b.n - a.n || JSON.stringify(a.entry).localeCompare(JSON.stringify(b.entry)))[0];
  return best ? { unscored: best.entry } : {};
}

/** Function pair → majority phenotype entry; disagreements become overrides later. */
function deriveFunctionPairs(file: SourcePhenotypeFile, alleles: Record<string, AlleleFunction>): Record<string, PhenotypeEntry> {
  const votes = new Map<string, Map<string, { entry: PhenotypeEntry; n: number }>>();
  for (const r of file.diplotypes) {
    const names = rowAlleles(r.diplotypekey);
    if (names.some((a) => !alleles[a])) continue;
    const key = names.map((a) => alleles[a]?.function ?? '').sort().join(' + ');
    const entry = sourceEntry(r);
    const id = JSON.stringify(entry);
    const m = votes.get(key) ?? new Map<string, { entry: PhenotypeEntry; n: number }>();
    const v = m.get(id) ?? { entry, n: 0 };
    v.n++;
    m.set(id, v);
    votes.set(key, m);
  }
  const out: Record<string, PhenotypeEntry> = {};
  for (const key of [...votes.keys()].sort()) {
    const best = [...(votes.get(key)?.values() ?? [])].sort((a, b) => b.n - a.n || JSON.stringify(a.entry).localeCompare(JSON.stringify(b.entry)))[0];
    if (best) out[key] = best.entry;
  }
  return out;
}

/** Hand-kept function order (lowest first) of lowest-function genes without activity values (RYR1); see its `about`. */
const FUNCTION_RANKING = (JSON.parse(readFileSync(join(import.meta.dirname, 'supplements/function-ranking.json'), 'utf8')) as { genes: Record<string, string[]> }).genes;

/** The gene's function ranking, checked to name every function of its table (none for other genes). */
function functionRank(geneName: string, alleles: Record<string, AlleleFunction>, useActivity: boolean): { functionRank?: string[] } {
  const rank = FUNCTION_RANKING[geneName];
  if (!rank) return {};
  if (useActivity) throw new Error(`${geneName}: has activity values; a function ranking is only for tables without them`);
  const unranked = [...new Set(Object.values(alleles).map((a) => a.function))].filter((f) => !rank.includes(f));
  if (unranked.length > 0) throw new Error(`${geneName}: function(s) ${unranked.join(', ')} missing from supplements/function-ranking.json`);
  return { functionRank: rank };
}

/**
 * Builds the compact table, then re-derives every source row from it: rows the rule does not reproduce
 * become explicit overrides, and the build fails if the derived table's checksum differs from the source's.
 */
export function compressPhenotypeFile(file: SourcePhenotypeFile, source: PhenotypeTable['source'], geneName: string): PhenotypeTable {
  const named = new Map((file.namedAlleles ?? []).map((a) => [a.name, a]));
  const alleles: Record<string, AlleleFunction> = {};
  const activity = file.activityValues ?? {};
  const useActivity = Object.keys(activity).length > 0;
  for (const name of Object.keys(file.haplotypes).sort()) {
    const fn = named.get(name)?.functionValue ?? file.haplotypes[name] ?? '';
    const act = activity[name];
    alleles[name] = useActivity && act !== undefined ? { function: fn, activity: act } : { function: fn };
  }
  const shapes = new Set<'pair' | 'single'>();
  for (const r of file.diplotypes) shapes.add(rowAlleles(r.diplotypekey).length === 1 ? 'single' : 'pair');
  const table: PhenotypeTable = {
    gene: geneName,
    version: file.version,
    source,
    alleles,
    derivation: useActivity ? 'activity-score' : 'function-pair',
    ...(useActivity ? { bins: deriveBins(file.diplotypes), ...unscoredEntry(file, alleles) } : { functionPairs: deriveFunctionPairs(file, alleles) }),
    ...functionRank(geneName, alleles, useActivity),
    overrides: {},
    shapes: [...shapes].sort(),
    sourceChecksum: '',
    sourceRows: file.diplotypes.length,
  };
  const sourceRows: string[] = [];
  const seen = new Set<string>();
  for (const r of file.diplotypes) {
    const names = rowAlleles(r.diplotypekey);
    const expected = sourceEntry(r);
    sourceRows.push(canonicalRow(names, expected));
    seen.add(canonicalDiplotype(names));
    const got = derivePhenotype(table, names);
    if (JSON.stringify(got) !== JSON.stringify(expected)) table.overrides[canonicalDiplotype(names)] = expected;
  }
  table.sourceChecksum = tableChecksum(sourceRows);
  const derived = enumerateDiplotypes(table);
  if (derived.length !== file.diplotypes.length || derived.some((d) => !seen.has(canonicalDiplotype(d)))) {
    throw new Error(`${geneName}: the source table is not every pair/single of its alleles; cannot store it in derivable form`);
  }
  const derivedRows = derived.map((d) => {
    const e = derivePhenotype(table, d);
    if (!e) throw new Error(`${geneName}: cannot derive ${d.join('/')}`);
    return canonicalRow(d, e);
  });
  if (tableChecksum(derivedRows) !== table.sourceChecksum) throw new Error(`${geneName}: derived table differs from the source`);
  return table;
}
