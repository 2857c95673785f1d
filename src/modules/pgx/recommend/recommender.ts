// Stage 5 (pure): the patient's lookup keys → matching CPIC and DPWG recommendation rows per drug.
import { isPhenotypeOnly } from '../model.ts';
import type { GenePhenotype, PgxWarning } from '../model.ts';
import { canonicalDiplotype } from '../phenotype/table.ts';
import { NO_RESULT } from '../phenotype/types.ts';
import type { GeneResult } from '../phenotype/types.ts';
import type { GuidelineFile, GuidelineRecommendation } from './guidance-types.ts';
import type { GuidanceKnowledge } from './knowledge.ts';
import type { DrugResult, MatchedRecommendation } from './types.ts';

/** CPIC writes `No Result` or `n/a` for an untested gene in multi-gene rows; both mean "no result". */
const NO_RESULT_KEYS = [NO_RESULT, 'n/a'];
/** Row value matching any called result of the gene (used by hand-written supplement rows, e.g. warfarin). */
const ANY = 'any';

/** gene → the keys a row may use for this patient: lookup keys, and `diplotype:<a>/<b>` for DPWG diplotype rows. */
export function patientKeys(genes: readonly GeneResult[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const g of genes) {
    const keys = out.get(g.gene) ?? new Set<string>();
    for (const p of g.phenotypes) {
      keys.add(p.lookupKey);
      if (NO_RESULT_KEYS.includes(p.lookupKey)) NO_RESULT_KEYS.forEach((k) => keys.add(k));
      else keys.add(ANY);
      if (p.diplotype) keys.add(`diplotype:${canonicalDiplotype(p.diplotype.split('/'))}`);
    }
    out.set(g.gene, keys);
  }
  return out;
}

function keysFor(keys: Map<string, Set<string>>, gene: string): Set<string> {
  return keys.get(gene) ?? new Set(NO_RESULT_KEYS);
}

function matches(row: GuidelineRecommendation, drug: string, keys: Map<string, Set<string>>): boolean {
  return row.drugs.includes(drug) && Object.entries(row.lookupKey).every(([gene, key]) => keysFor(keys, gene).has(key));
}

function isNoRecommendation(row: GuidelineRecommendation): boolean {
  return row.classification === 'No recommendation' || /^no recommendation\b/i.test(row.text.trim()) || row.text.trim() === '';
}

/** True when a gene the guideline needs has no usable result (no call, or Indeterminate). */
function geneIndeterminate(genes: readonly GeneResult[], gene: string): boolean {
  const r = genes.find((g) => g.gene === gene);
  return !r || r.phenotypes.every((p: GenePhenotype) => NO_RESULT_KEYS.includes(p.lookupKey) || p.phenotype === 'Indeterminate');
}

/** Identity of a row's advice: CPIC repeats rows that differ only in `No Result` vs `n/a` for an untested gene. */
export function adviceKey(r: GuidelineRecommendation): string {
  return JSON.stringify([r.population ?? '', r.classification ?? '', r.text, r.implications]);
}

function matchFile(file: GuidelineFile, drug: string, keys: Map<string, Set<string>>): MatchedRecommendation[] {
  const seen = new Set<string>();
  const rows = file.recommendations.filter((r) => {
    if (!matches(r, drug, keys)) return false;
    const k = adviceKey(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return rows.map((r) => ({
    source: file.source,
    guidelineId: file.id,
    guidelineName: file.name,
    url: file.url,
    lookupKey: r.lookupKey,
    recommendation: r,
  }));
}

/** Recommendations for one drug from every guideline that covers it (multi-gene rows must match on all genes). */
export function recommendDrug(drug: string, genes: readonly GeneResult[], knowledge: GuidanceKnowledge, keys: Map<string, Set<string>> = patientKeys(genes)): DrugResult {
  const files = knowledge.byDrug.get(drug) ?? [];
  const allGenes = [...new Set(files.flatMap((f) => f.genes))].sort();
  const matched = files.flatMap((f) => matchFile(f, drug, keys));
  const warnings: PgxWarning[] = [];
  const info = knowledge.drugByName.get(drug);
  if (info?.outdated) {
    warnings.push({ code: 'OUTDATED_GUIDANCE', message: `CPIC updated the ${drug} recommendations after this data (${info.outdated.changes.map((c) => `${c.date}: ${c.note}`).join('; ')}); check the current guideline.` });
  }
  for (const gene of allGenes) {
    const r = genes.find((g) => g.gene === gene);
    // A phenotype-only outside call with several scores gets PharmCAT's own note (message rule pcat-score-multimatch).
    if (r && !isPhenotypeOnly(r.call) && new Set(r.phenotypes.map((p) => p.lookupKey)).size > 1 && !gene.startsWith('HLA-') && gene !== 'CYP4F2') {
      warnings.push({ code: 'AMBIGUOUS_PHENOTYPE', message: `${gene} has more than one possible result; recommendations for each are listed.` });
    }
  }
  const actionable = matched.filter((m) => !isNoRecommendation(m.recommendation));
  // Nothing actionable: "indeterminate" if a needed gene lacks a result (the answer might change), else none.
  const status: DrugResult['status'] = actionable.length > 0 ? 'recommendation' : allGenes.some((g) => geneIndeterminate(genes, g)) ? 'indeterminate' : 'no-recommendation';
  return { drug, genes: allGenes, status, recommendations: matched, warnings };
}

/** Every drug with guidance in the data, in name order. */
export function recommendAll(genes: readonly GeneResult[], knowledge: GuidanceKnowledge): DrugResult[] {
  const keys = patientKeys(genes);
  return knowledge.drugs.map((d) => recommendDrug(d.name, genes, knowledge, keys));
}
