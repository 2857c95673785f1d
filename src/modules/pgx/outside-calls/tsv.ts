// Outside calls as TSV (PharmCAT outside-call style): `gene<TAB>diplotype` or `gene<TAB><TAB>phenotype[<TAB>activity score]`.
import { FlauraError } from '../../../errors.ts';
import type { ErrorIssue } from '../../../errors.ts';
import type { GeneCall } from '../model.ts';
import { alleleProblem } from './vocabulary.ts';
import type { OutsideCallVocabulary } from './vocabulary.ts';

/** Splits `*1/*2` (or a single allele for haploid/hemizygous calls) into alleles. */
export function splitDiplotype(text: string): string[] {
  return text.split('/').map((a) => a.trim());
}

/** A GeneCall for an outside diplotype or phenotype. */
export function outsideCall(gene: string, diplotype: string | undefined, phenotype: string | undefined): GeneCall {
  const alleles = diplotype ? splitDiplotype(diplotype) : [];
  return {
    gene,
    source: 'outside-call',
    diplotypes: diplotype ? [{ name: diplotype, allele1: alleles[0] ?? '', allele2: alleles[1] ?? '', score: 0 }] : [],
    missingPositions: [],
    phased: false,
    warnings: [],
    ...(phenotype ? { reportedPhenotype: phenotype } : {}),
  };
}

function lineProblem(vocab: OutsideCallVocabulary, cols: string[], seen: Set<string>): string | undefined {
  const [gene = '', diplotype = '', phenotype = '', score = ''] = cols;
  if (!vocab.genes.has(gene)) return `unknown gene "${gene}"`;
  if (seen.has(gene)) return `${gene} is given more than once`;
  if (!diplotype && !phenotype && !score) return `${gene} has neither a diplotype nor a phenotype`;
  if (diplotype) {
    const alleles = splitDiplotype(diplotype);
    if (alleles.length > 2 || alleles.some((a) => a === '')) return `"${diplotype}" is not a diplotype (expected allele1/allele2)`;
    for (const a of alleles) {
      const p = alleleProblem(vocab, gene, a);
      if (p) return p;
    }
  }
  if (phenotype && !diplotype && !(vocab.phenotypes.get(gene)?.has(phenotype) ?? false)) return `unknown ${gene} phenotype "${phenotype}"`;
  if (score && !/^(≥|>=)?\d+(\.\d+)?$/.test(score)) return `"${score}" is not an activity score`;
  return undefined;
}

/**
 * Parses an outside-call file. Blank lines and `#` comments are skipped, a first line starting with
 * `gene` is a header. All problems are collected and thrown together (400 `PGX_OUTSIDE_CALL_INVALID`,
 * one issue per line, `line N: …`). With both a phenotype and an activity score, the score is used
 * (recommendations for activity-score genes are keyed by it).
 */
export function parseOutsideCallsTsv(text: string, vocab: OutsideCallVocabulary, fileName = 'outside calls'): GeneCall[] {
  const calls: GeneCall[] = [];
  const issues: ErrorIssue[] = [];
  const seen = new Set<string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let first = true;
  lines.forEach((raw, i) => {
    const line = raw.trimEnd();
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const cols = line.split('\t').map((c) => c.trim());
    if (first && /^gene$/i.test(cols[0] ?? '')) {
      first = false;
      return;
    }
    first = false;
    const problem = cols.length > 4 ? `expected at most 4 tab-separated columns, found ${cols.length}` : cols.length < 2 ? 'expected gene<TAB>diplotype or gene<TAB><TAB>phenotype (tab-separated)' : lineProblem(vocab, cols, seen);
    if (problem) {
      issues.push({ severity: 'error', type: 'invalid', diagnostics: `${fileName} line ${i + 1}: ${problem}` });
      return;
    }
    const [gene = '', diplotype = '', phenotype = '', score = ''] = cols;
    seen.add(gene);
    calls.push(outsideCall(gene, diplotype || undefined, score || phenotype || undefined));
  });
  if (issues.length > 0) {
    throw new FlauraError('PGX_OUTSIDE_CALL_INVALID', 400, issues.map((x) => x.diagnostics).join('; '), { issues });
  }
  return calls;
}
