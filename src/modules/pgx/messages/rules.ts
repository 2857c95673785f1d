// Message rules (data/pgx/messages.json, from PharmCAT's reporter messages): loaded once, evaluated generically
// against the gene results and drug results of one run, each message attached to the call or drug it concerns.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPhenotypeOnly } from '../model.ts';
import type { GeneCall, PgxWarning } from '../model.ts';
import { DEFAULT_PGX_DATA_DIR } from '../phenotype/knowledge.ts';
import type { GeneResult } from '../phenotype/types.ts';
import type { DrugResult } from '../recommend/types.ts';

/** A position a rule names: rsid and `chrN:pos` (GRCh38), resolved from the allele definitions at build time. */
export interface RulePosition { rsid: string; key: string }

/** One rule; every condition present must hold (an absent condition always holds). */
export interface MessageRule {
  id: string;
  /** Warning code, from the rule's kind (ambiguity, note, footnote, gene warning, non-match, genotype report). */
  code: string;
  kind: string;
  /** The gene whose call the conditions test (absent: a drug-only rule). */
  gene?: string;
  /** Unordered allele pairs; one of the call's diplotypes must be one of them. Ambiguity: unphased VCF calls only. */
  diplotypes?: Array<[string, string]>;
  /** Each entry is a set of alternatives; some allele of the call must be one of each entry's alternatives. */
  allelesCalled?: string[][];
  /** Alleles that could not be called because a defining position was not genotyped. */
  allelesNotCallable?: Array<{ allele: string; positions: RulePosition[] }>;
  /** Positions that must be missing from the input. */
  positionsMissing?: RulePosition[];
  /** Positions that must be genotyped heterozygous (the phase that would tell the alternative apart is unknown). */
  heterozygous?: RulePosition[];
  /** Positions whose genotype the message reports (its text is built from the call). */
  reportGenotype?: RulePosition[];
  /** The gene was not called (no diplotype). */
  notCalled?: boolean;
  /**
   * A rule PharmCAT attaches from its own code to whichever gene fits (no gene in the source): tested against every gene
   * call of the run (and, with `drugs` absent, attached to each call that fits and, if `toDrugs`, to that gene's drugs).
   */
  anyGene?: true;
  /** Where the call came from. */
  source?: GeneCall['source'];
  /** Whether the call was made from phased data. */
  phased?: boolean;
  /** Some reported diplotype contains a combination or partial allele (`DiplotypeMatch.combination`). */
  combination?: true;
  /** Several diplotypes were called and all give the same result (one lookup key): the recommendation is the same. */
  severalDiplotypesOneResult?: true;
  /** A reported phenotype without diplotype that matches several activity scores (one result per score). */
  phenotypeSeveralScores?: true;
  /** Also attach to every drug of the gene that has a recommendation (the drug's result is what the note qualifies). */
  toDrugs?: true;
  /** Drugs the message is attached to (lower case); absent: attached to the gene call only. */
  drugs?: string[];
  /** Attach to the gene call as well as the drugs (rules with conditions on the call). */
  onCall: boolean;
  message: string;
}

/** data/pgx/messages.json. */
export interface MessageRuleFile {
  version: string;
  source: Record<string, string>;
  rules: MessageRule[];
  /** Source rules PharmCAT triggers from its own code (no gene and no drug to match): kept out, with the reason. */
  notEvaluated: Array<{ id: string; reason: string }>;
}

const cache = new Map<string, MessageRuleFile>();

/** The message rules of a data folder, read once. */
export function loadMessageRules(dataDir: string = DEFAULT_PGX_DATA_DIR): MessageRuleFile {
  let file = cache.get(dataDir);
  if (!file) {
    file = JSON.parse(readFileSync(join(dataDir, 'messages.json'), 'utf8')) as MessageRuleFile;
    cache.set(dataDir, file);
  }
  return file;
}

function positionOf(call: GeneCall, p: RulePosition): { call: string } | undefined {
  return call.variants?.find((v) => `${v.chromosome}:${v.position}` === p.key || (v.rsid !== undefined && v.rsid === p.rsid))
    ?? call.extraPositions?.flatMap((e) => (e.call !== null && (`${e.chromosome}:${e.position}` === p.key || e.rsid === p.rsid) ? [{ call: e.call }] : []))[0];
}

function isMissing(call: GeneCall, p: RulePosition): boolean {
  return call.missingPositions.some((m) => m === p.key || m.startsWith(`${p.key} `) || m.includes(`(${p.rsid})`));
}

function heterozygous(genotype: string): boolean {
  const [a, b] = genotype.split(/[/|]/);
  return b !== undefined && a !== b;
}

function samePair(a: string, b: string, pair: [string, string]): boolean {
  return (a === pair[0] && b === pair[1]) || (a === pair[1] && b === pair[0]);
}

function distinctLookupKeys(result: GeneResult | undefined): number {
  return new Set(result?.phenotypes.map((p) => p.lookupKey)).size;
}

/** Do the rule's conditions on the gene call (and, for result conditions, its phenotypes) hold? */
export function callMatches(rule: MessageRule, call: GeneCall, result?: GeneResult): boolean {
  if (rule.notCalled && call.diplotypes.length > 0) return false;
  if (rule.source !== undefined && call.source !== rule.source) return false;
  if (rule.phased !== undefined && call.phased !== rule.phased) return false;
  if (rule.combination && !call.diplotypes.some((d) => d.combination)) return false;
  if (rule.severalDiplotypesOneResult && !(call.diplotypes.length > 1 && distinctLookupKeys(result) === 1)) return false;
  if (rule.phenotypeSeveralScores && !(isPhenotypeOnly(call) && distinctLookupKeys(result) > 1)) return false;
  if (rule.diplotypes) {
    if (rule.kind === 'ambiguity' && (call.source !== 'vcf' || call.phased)) return false;
    if (!call.diplotypes.some((d) => rule.diplotypes!.some((p) => samePair(d.allele1, d.allele2, p)))) return false;
  }
  if (rule.allelesCalled) {
    const alleles = new Set([...call.diplotypes.flatMap((d) => [d.allele1, d.allele2]), ...(call.haplotypes ?? [])]);
    if (!rule.allelesCalled.every((alts) => alts.some((a) => alleles.has(a)))) return false;
  }
  if (rule.allelesNotCallable && !rule.allelesNotCallable.every((a) => a.positions.some((p) => isMissing(call, p)))) return false;
  if (rule.positionsMissing && !rule.positionsMissing.every((p) => isMissing(call, p))) return false;
  if (rule.heterozygous && !rule.heterozygous.every((p) => { const g = positionOf(call, p); return g !== undefined && heterozygous(g.call); })) return false;
  if (rule.reportGenotype && !rule.reportGenotype.some((p) => positionOf(call, p) !== undefined)) return false;
  return true;
}

function warningOf(rule: MessageRule, call: GeneCall | undefined): PgxWarning {
  let message = rule.message;
  if (rule.reportGenotype && call) {
    const genotypes = rule.reportGenotype.flatMap((p) => { const g = positionOf(call, p); return g ? [`${p.rsid} (${p.key}) ${g.call}`] : []; });
    message = [`${rule.gene ?? ''} genotype reported for this recommendation: ${genotypes.join(', ')}.`.trim(), message].filter((m) => m.length > 0).join(' ');
  }
  return { code: rule.code, ruleId: rule.id, message };
}

function append(list: PgxWarning[], w: PgxWarning): PgxWarning[] {
  return list.some((x) => x.ruleId === w.ruleId && x.message === w.message) ? list : [...list, w];
}

/**
 * Attaches every matching rule's message: to the gene call it tests (`call.warnings`, so every output shows it) and to
 * each of its drugs present in the result (`warnings` of the drug). A rule on a gene absent from the run never fires;
 * an `anyGene` rule is tested against every gene of the run.
 */
export function applyMessageRules(rules: readonly MessageRule[], genes: GeneResult[], drugs: DrugResult[]): { genes: GeneResult[]; drugs: DrugResult[] } {
  const byGene = new Map(genes.map((g, i) => [g.gene, i]));
  const outGenes = [...genes];
  const drugIndex = new Map(drugs.map((d, i) => [d.drug.toLowerCase(), i]));
  const outDrugs = [...drugs];
  const attachToCall = (i: number, w: PgxWarning) => {
    const g = outGenes[i]!;
    outGenes[i] = { ...g, call: { ...g.call, warnings: append(g.call.warnings, w) } };
  };
  const attachToDrug = (j: number, w: PgxWarning) => {
    const d = outDrugs[j]!;
    outDrugs[j] = { ...d, warnings: append(d.warnings, w) };
  };
  for (const rule of rules) {
    if (rule.anyGene) {
      outGenes.forEach((g, i) => {
        if (!callMatches(rule, g.call, g)) return;
        const w = warningOf(rule, g.call);
        attachToCall(i, w);
        if (rule.toDrugs) outDrugs.forEach((d, j) => { if (d.status === 'recommendation' && d.genes.includes(g.gene)) attachToDrug(j, w); });
      });
      continue;
    }
    let call: GeneCall | undefined;
    if (rule.gene) {
      const i = byGene.get(rule.gene);
      if (i === undefined) continue;
      call = outGenes[i]!.call;
      if (!callMatches(rule, call, outGenes[i])) continue;
      if (rule.onCall || !rule.drugs) attachToCall(i, warningOf(rule, call));
    }
    for (const drug of rule.drugs ?? []) {
      const j = drugIndex.get(drug);
      if (j !== undefined) attachToDrug(j, warningOf(rule, call));
    }
  }
  return { genes: outGenes, drugs: outDrugs };
}
