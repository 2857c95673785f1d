// Stage 3 (pure): GeneCall → phenotype(s), activity score and lookup key, exactly as the gene's table defines them.
import { isPhenotypeOnly } from '../model.ts';
import type { GeneCall, GenePhenotype, PgxWarning } from '../model.ts';
import { derivePhenotype } from './derive.ts';
import type { PhenotypeKnowledge } from './knowledge.ts';
import { allelePresencePhenotypes } from './rules/allele-presence.ts';
import { normaliseCyp2d6Allele } from './rules/cyp2d6-copy-number.ts';
import { lowestFunctionPair, ranksFunction, resultDespiteUnlisted } from './rules/lowest-function.ts';
import { g6pdAlleles } from './rules/g6pd-sex.ts';
import { mtRnr1Allele } from './rules/mt-rnr1-haploid.ts';
import { scoresOfPhenotype } from './rules/phenotype-scores.ts';
import { activityNumber, parseActivity } from './activity-score.ts';
import type { PhenotypeEntry, PhenotypeTable } from './table.ts';
import { INDETERMINATE, NO_RESULT } from './types.ts';
import type { GeneResult, PhenotypeOptions } from './types.ts';

function indeterminate(gene: string, diplotype?: string): GenePhenotype {
  return { gene, ...(diplotype ? { diplotype } : {}), phenotype: INDETERMINATE, lookupKey: NO_RESULT };
}

/** Applies the gene-specific allele rules, then derives from the table. */
function phenotypeOfAlleles(table: PhenotypeTable, gene: string, name: string, raw: string[], options: PhenotypeOptions, warnings: PgxWarning[]): GenePhenotype {
  let alleles = raw.filter((a) => a.length > 0);
  if (gene === 'CYP2D6') {
    alleles = alleles.map((a) => {
      const n = normaliseCyp2d6Allele(a);
      if (n.warning) warnings.push(n.warning);
      return n.allele;
    });
  } else if (gene === 'G6PD') {
    const g = g6pdAlleles(alleles, options.sex);
    if (g.warning) warnings.push(g.warning);
    alleles = g.alleles;
  } else if (gene === 'MT-RNR1') {
    const m = mtRnr1Allele(alleles);
    if (m.warning) warnings.push(m.warning);
    alleles = m.alleles;
  }
  if (alleles.length === 0) return indeterminate(gene, name);
  const unknown = alleles.filter((a) => table.alleles[a] === undefined);
  if (unknown.length > 0) {
    const pair = alleles;
    const settled = ranksFunction(table) ? resultDespiteUnlisted(table, unknown, (stand) => derivePhenotype(table, pair.map(stand)), resultKey) : undefined;
    if (settled) return resultHolds(table, gene, name, unknown, settled, warnings);
    warnings.push({ code: 'UNKNOWN_ALLELE', message: `${gene} ${name}: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in the ${gene} phenotype table (version ${table.version}).` });
    return indeterminate(gene, name);
  }
  const entry = derivePhenotype(table, alleles);
  if (!entry) return indeterminate(gene, name);
  return phenotypeOf(gene, name, entry);
}

function phenotypeOf(gene: string, diplotype: string, entry: PhenotypeEntry): GenePhenotype {
  return { gene, diplotype, phenotype: entry.phenotype, lookupKey: entry.lookupKey, ...(entry.activityScore !== undefined && entry.activityScore !== 'n/a' ? { activityScore: entry.activityScore } : {}) };
}

const resultKey = (e: PhenotypeEntry) => `${e.phenotype}\u0000${e.lookupKey}`;

/**
 * Alleles defined after the phenotype table was written (RYR1: 338 defined, 49 in CPIC's 2023 table): when no function
 * the table knows would change the result (an MH-associated variant beside it), the result stands, with a warning.
 */
function resultHolds(table: PhenotypeTable, gene: string, name: string, unlisted: readonly string[], entry: PhenotypeEntry, warnings: PgxWarning[]): GenePhenotype {
  warnings.push({ code: 'UNLISTED_ALLELE_RESULT_HOLDS', message: `${gene}: ${unlisted.join(', ')} ${unlisted.length === 1 ? 'is' : 'are'} not in the ${gene} phenotype table (version ${table.version}); whatever ${unlisted.length === 1 ? 'its function' : 'their functions'}, the result is ${entry.phenotype}.` });
  return phenotypeOf(gene, name, entry);
}

/** PharmCAT's name of the reference allele of the lowest-function genes (DPYD, RYR1 definitions and tables). */
const LOWEST_FUNCTION_REFERENCE = 'Reference';

/**
 * Lowest-function genes (the matcher reports `haplotypes` only for them): unphased data, or no fitting pair, or a
 * combination call, is phenotyped from the alleles found rather than from the fitted pair. Phased data with an exact
 * pair uses the pair. The table must be able to rank functions (activity values or `functionRank`).
 */
function usesLowestFunction(call: GeneCall, table: PhenotypeTable): boolean {
  if ((call.haplotypes?.length ?? 0) === 0 || !ranksFunction(table)) return false;
  return call.diplotypes.length === 0 || !call.phased || call.diplotypes.some((d) => d.combination);
}

/**
 * CPIC / PharmCAT: unphased, the two lowest-function alleles found (even when a pair fits); phased, the lowest-function
 * allele of each strand. Warning `<GENE>_LOWEST_FUNCTION` (e.g. `DPYD_LOWEST_FUNCTION`) whenever the pair was not simply
 * the one variant found against the reference.
 */
function lowestFunctionPhenotype(call: GeneCall, table: PhenotypeTable, options: PhenotypeOptions, warnings: PgxWarning[]): GenePhenotype {
  const gene = call.gene;
  const ref = LOWEST_FUNCTION_REFERENCE;
  const strands = call.phased ? call.haplotypeStrands : undefined;
  // `stand` replaces an allele the table does not list by one of a given function level (see below).
  const lowestPair = (stand: (allele: string) => string) => (strands
    ? strands.map((s) => lowestFunctionPair(table, s.map(stand), ref)[0] ?? ref)
    : lowestFunctionPair(table, (call.haplotypes ?? []).map(stand), ref));
  const pair = lowestPair((a) => a);
  if (call.diplotypes.length === 0 || (call.haplotypes?.length ?? 0) > 1 || call.diplotypes.some((d) => d.combination)) {
    const how = strands ? 'the lowest-function allele of each strand' : call.diplotypes.length > 0 ? 'the two lowest-function alleles found (unphased data: the pairing is not used)' : 'the two lowest-function alleles found';
    const what = table.derivation === 'activity-score' ? 'activity score' : 'phenotype';
    warnings.push({ code: `${gene}_LOWEST_FUNCTION`, message: `${gene}: ${what} from ${how} (${pair.join(', ')}).` });
  }
  // Unlisted alleles: each function level is tried for them on the whole list found, since a higher function would
  // let another allele into the lowest pair.
  const unlisted = [...new Set([...(call.haplotypes ?? []), ...(strands?.flat() ?? [])])].filter((a) => a !== ref && table.alleles[a] === undefined);
  const settled = resultDespiteUnlisted(table, unlisted, (stand) => derivePhenotype(table, lowestPair(stand)), resultKey);
  if (settled) return resultHolds(table, gene, pair.join('/'), unlisted, settled, warnings);
  return phenotypeOfAlleles(table, gene, pair.join('/'), pair, options, warnings);
}

/**
 * Combination / partial alleles (`--find-combinations`) have no function in the phenotype tables (nor an allele-presence
 * answer): such diplotypes are Indeterminate with `COMBINATION_NOT_PHENOTYPED`, naming them.
 */
function combinationPhenotypes(call: GeneCall, table: PhenotypeTable | undefined, options: PhenotypeOptions, warnings: PgxWarning[]): GenePhenotype[] {
  const gene = call.gene;
  const named = call.diplotypes.filter((d) => d.combination).map((d) => d.name);
  warnings.push({ code: 'COMBINATION_NOT_PHENOTYPED', message: `${gene}: ${named.join(', ')} ${named.length === 1 ? 'contains' : 'contain'} a combination or partial allele (several defined alleles, or a defined allele plus variants no definition explains, on one gene copy); the phenotype tables give no function for such alleles, so the phenotype is Indeterminate.` });
  return call.diplotypes.map((d) => (d.combination || !table ? indeterminate(gene, d.name) : phenotypeOfAlleles(table, gene, d.name, [d.allele1, d.allele2], options, warnings)));
}

/** A lab-reported phenotype (outside call without diplotype): an activity score is binned, a phenotype kept. */
function reportedPhenotype(table: PhenotypeTable | undefined, gene: string, reported: string, warnings: PgxWarning[]): GenePhenotype[] {
  const score = parseActivity(reported);
  if (table?.derivation === 'activity-score' && score) {
    const n = activityNumber(score);
    const bin = table.bins?.find((b) => n >= b.min && n <= b.max);
    return [{ gene, phenotype: bin?.phenotype ?? INDETERMINATE, activityScore: reported, lookupKey: reported }];
  }
  if (table?.derivation === 'activity-score') {
    // Recommendations are keyed by score: a phenotype alone stands for every score the table bins into it.
    const scores = scoresOfPhenotype(table, reported);
    if (scores.length === 0) {
      warnings.push({ code: 'PHENOTYPE_WITHOUT_SCORE', message: `${gene}: the reported phenotype "${reported}" has no activity score in the ${gene} table; recommendations keyed by activity score cannot be matched.` });
      return [{ gene, phenotype: reported, lookupKey: reported }];
    }
    if (scores.length > 1) {
      warnings.push({ code: 'PHENOTYPE_SEVERAL_SCORES', message: `${gene}: the reported phenotype "${reported}" has no activity score; it covers scores ${scores.map((e) => e.lookupKey).join(', ')}, and the recommendations for each are listed. Ask the lab for the activity score or diplotype.` });
    }
    return scores.map((e) => ({ gene, phenotype: e.phenotype, lookupKey: e.lookupKey, ...(e.activityScore ? { activityScore: e.activityScore } : {}) }));
  }
  return [{ gene, phenotype: reported, lookupKey: reported }];
}

function distinct(list: GenePhenotype[]): GenePhenotype[] {
  const seen = new Set<string>();
  return list.filter((p) => {
    const k = `${p.phenotype}\u0000${p.lookupKey}\u0000${p.activityScore ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Phenotypes one gene call. Every tied diplotype is phenotyped and every distinct result kept (ambiguous
 * calls stay ambiguous, with an `AMBIGUOUS_PHENOTYPE` warning); no call → `Indeterminate` / `No Result`.
 */
export function phenotypeGene(call: GeneCall, knowledge: PhenotypeKnowledge, options: PhenotypeOptions = {}): GeneResult {
  const gene = call.gene;
  const warnings: PgxWarning[] = [];
  const table = knowledge.tables.get(gene);
  const presence = knowledge.allelePresence[gene];
  let phenotypes: GenePhenotype[];
  if (isPhenotypeOnly(call)) {
    phenotypes = reportedPhenotype(table, gene, call.reportedPhenotype, warnings);
  } else if (table && usesLowestFunction(call, table)) {
    phenotypes = [lowestFunctionPhenotype(call, table, options, warnings)];
  } else if (call.diplotypes.some((d) => d.combination)) {
    phenotypes = combinationPhenotypes(call, table, options, warnings);
  } else if (presence) {
    phenotypes = call.diplotypes.length === 0
      ? presence.alleles.map(() => indeterminate(gene))
      : call.diplotypes.flatMap((d) => allelePresencePhenotypes(gene, presence, [d.allele1, d.allele2], d.name));
  } else if (!table) {
    warnings.push({ code: 'GENE_NOT_PHENOTYPED', message: `${gene}: no phenotype table in the data; the call is reported without phenotype.` });
    phenotypes = [indeterminate(gene, call.diplotypes[0]?.name)];
  } else if (call.diplotypes.length === 0) {
    phenotypes = [indeterminate(gene)];
  } else {
    phenotypes = call.diplotypes.map((d) => phenotypeOfAlleles(table, gene, d.name, [d.allele1, d.allele2], options, warnings));
  }
  phenotypes = distinct(phenotypes);
  // A phenotype-only report with several scores has said so already (PHENOTYPE_SEVERAL_SCORES).
  if (!presence && !isPhenotypeOnly(call) && new Set(phenotypes.map((p) => p.lookupKey)).size > 1) {
    warnings.push({ code: 'AMBIGUOUS_PHENOTYPE', message: `${gene}: the tied diplotypes give different results (${phenotypes.map((p) => `${p.diplotype ?? '?'} → ${p.phenotype}`).join('; ')}); all are kept.` });
  }
  return { gene, call, phenotypes, warnings };
}

/** Phenotypes every call; one result per gene, in the calls' order. */
export function phenotypeCalls(calls: readonly GeneCall[], knowledge: PhenotypeKnowledge, options: PhenotypeOptions = {}): GeneResult[] {
  return calls.map((c) => phenotypeGene(c, knowledge, options));
}
