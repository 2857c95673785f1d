// Combination and partial alleles (PharmCAT's "combinations" research mode, `--find-combinations`): when no pair of
// defined alleles fits, each strand is explained by several defined alleles on one gene copy (`[*2 + *9]`) and/or a
// defined allele plus variants no definition explains there, named by genomic HGVS (`[*2 + g.94942234G>A]`).
import type { DiplotypeMatch, PgxWarning } from '../model.ts';
import { baseMatches } from './iupac.ts';
import type { PreparedAllele, PreparedGene } from './prepare.ts';

/** Unphased data: at most 2^12 arrangements of the heterozygous positions (13 independent units) are tried. */
export const MAX_COMBINATION_UNITS = 13;
/** Search nodes per strand before the decomposition gives up (a strand with many variants and overlapping alleles). */
const MAX_NODES = 200_000;

/** One way to explain a strand: its name, the parts and how well they explain it. */
interface StrandOption {
  name: string;
  /** Variant positions explained by defined alleles (the strand's variant positions minus the leftovers). */
  explained: number;
  /** Defined non-reference alleles used (an exact reference strand uses none). */
  parts: number;
  /** Defined positions genotyped, summed over the parts (PharmCAT score); reported, not used to rank. */
  score: number;
  combination: boolean;
}

/** The input of one gene's combination search (the matcher's genotyped positions and alleles). */
export interface CombinationInput {
  gene: PreparedGene;
  /** Alleles that define at least one genotyped position, and the reference allele. */
  alleles: readonly PreparedAllele[];
  /** Definition position index of each genotyped position. */
  called: readonly number[];
  observed: ReadonlyArray<readonly [string, string]>;
  /**
   * Phase unit of each genotyped position: -1 homozygous; heterozygous positions of one unit keep their relative phase
   * (a phase set), units are arranged independently (each unphased heterozygous call is a unit of its own).
   */
  unitOf: readonly number[];
}

/** What the search found: the best-explained diplotypes (ties all kept) and the warning saying how they were found. */
export interface CombinationResult {
  diplotypes: DiplotypeMatch[];
  warnings: PgxWarning[];
}

const byStarNumber = (a: string, b: string): number => {
  const star = /\*(\d+)(.*)$/;
  const ma = star.exec(a);
  const mb = star.exec(b);
  if (ma && mb) return Number(ma[1]) - Number(mb[1]) || (ma[2] ?? '').localeCompare(mb[2] ?? '');
  return a.localeCompare(b, 'en', { numeric: true });
};

/** Quality order: more variants explained by defined alleles, then fewer alleles; equal ones are ties (all kept). */
interface Quality { explained: number; parts: number }
function better(a: Quality, b: Quality): number {
  return b.explained - a.explained || a.parts - b.parts;
}

/** Per gene and set of genotyped positions: the decomposition of any strand, memoized by its bases. */
class StrandExplainer {
  private readonly reference: PreparedAllele | undefined;
  private readonly memo = new Map<string, StrandOption[] | null>();
  gaveUp = false;

  constructor(private readonly input: CombinationInput) {
    this.reference = input.alleles.find((a) => a.reference);
  }

  /** The strand's best explanations (ties all returned), or null when the search was too large. */
  explain(strand: readonly string[]): StrandOption[] | null {
    const key = strand.join('\u0000');
    let hit = this.memo.get(key);
    if (hit === undefined) {
      hit = this.search(strand);
      this.memo.set(key, hit);
    }
    return hit;
  }

  private refBase(k: number): string {
    const i = this.input.called[k] ?? -1;
    return this.reference?.bases[i] ?? this.input.gene.refs[i] ?? '';
  }

  private search(strand: readonly string[]): StrandOption[] | null {
    const { called, alleles } = this.input;
    const fitsAt = (a: PreparedAllele, k: number) => baseMatches(a.bases[called[k] ?? -1] ?? '', strand[k] ?? '');
    // A defined allele that fits the whole strand is the normal answer (top score, ties kept).
    const exact = alleles.filter((a) => called.every((_, k) => fitsAt(a, k)));
    if (exact.length > 0) {
      const score = (a: PreparedAllele) => called.reduce((n, i) => n + (a.defines[i] ? 1 : 0), 0);
      const top = Math.max(...exact.map(score));
      return exact.filter((a) => score(a) === top).map((a) => ({ name: a.name, explained: Number.NaN, parts: a.reference ? 0 : 1, score: top, combination: false }));
    }
    const variants = called.flatMap((_, k) => ((strand[k] ?? '') !== this.refBase(k) ? [k] : []));
    // Parts: non-reference alleles whose every genotyped defined position fits this strand and that explain a variant.
    const parts = alleles
      .filter((a) => !a.reference && called.every((i, k) => !a.defines[i] || fitsAt(a, k)))
      .map((a) => ({ allele: a, covers: variants.filter((k) => a.defines[called[k] ?? -1]), score: called.reduce((n, i) => n + (a.defines[i] ? 1 : 0), 0) }))
      .filter((p) => p.covers.length > 0);
    const best: Array<{ chosen: typeof parts; leftovers: number[] }> = [];
    let bestQ: Quality = { explained: -1, parts: Number.POSITIVE_INFINITY };
    let nodes = 0;
    const used = new Set<number>();
    const chosen: typeof parts = [];
    const leftovers: number[] = [];
    // Depth-first over the variant positions in order: the first open one is explained by a part covering it, or left over.
    const visit = (from: number): boolean => {
      if (++nodes > MAX_NODES) return false;
      let j = from;
      while (j < variants.length && used.has(variants[j] ?? -1)) j++;
      const explainedSoFar = chosen.reduce((n, p) => n + p.covers.length, 0);
      const possible = explainedSoFar + variants.slice(j).filter((k) => !used.has(k)).length;
      if (possible < bestQ.explained) return true;
      if (j === variants.length) {
        const q = { explained: explainedSoFar, parts: chosen.length };
        const d = better(q, bestQ);
        if (d < 0) {
          bestQ = q;
          best.length = 0;
        }
        if (d <= 0) best.push({ chosen: [...chosen], leftovers: [...leftovers] });
        return true;
      }
      const k = variants[j] ?? -1;
      for (const p of parts) {
        if (!p.covers.includes(k) || p.covers.some((c) => used.has(c))) continue;
        chosen.push(p);
        for (const c of p.covers) used.add(c);
        const ok = visit(j + 1);
        for (const c of p.covers) used.delete(c);
        chosen.pop();
        if (!ok) return false;
      }
      leftovers.push(k);
      used.add(k);
      const ok = visit(j + 1);
      used.delete(k);
      leftovers.pop();
      return ok;
    };
    if (!visit(0)) {
      this.gaveUp = true;
      return null;
    }
    const named = new Map<string, StrandOption>();
    for (const b of best) {
      const name = this.name(b.chosen.map((p) => p.allele.name), b.leftovers, strand);
      named.set(name, { name, explained: bestQ.explained, parts: bestQ.parts, score: b.chosen.reduce((n, p) => n + p.score, 0), combination: true });
    }
    return [...named.values()];
  }

  /** `[*2 + *9]`, `[*2 + g.94942234G>A]`; with no defined allele the reference allele is the one named (`[*1 + g.…]`). */
  private name(alleles: string[], leftovers: number[], strand: readonly string[]): string {
    const variants = [...leftovers].sort((a, b) => (this.input.called[a] ?? 0) - (this.input.called[b] ?? 0)).map((k) => this.hgvs(k, strand[k] ?? ''));
    const defined = alleles.length > 0 ? [...alleles].sort(byStarNumber) : [this.reference?.name ?? 'reference'];
    return `[${[...defined, ...variants].join(' + ')}]`;
  }

  /** PharmCAT's genomic HGVS name of the variant, else `g.<pos><REF>><ALT>` in VCF spelling. */
  private hgvs(k: number, base: string): string {
    const i = this.input.called[k] ?? -1;
    const named = this.input.gene.hgvs[i]?.[base];
    if (named) return named;
    const key = this.input.gene.keys[i] ?? '';
    return `g.${key.slice(key.lastIndexOf(':') + 1)}${this.input.gene.refs[i] ?? ''}>${base}`;
  }
}

/** A pair of strand options as a diplotype (reference allele last, otherwise by star number). */
function diplotype(a: StrandOption, b: StrandOption, referenceName: string | undefined): DiplotypeMatch {
  const [first, second] = a.name === referenceName ? [b, a] : b.name === referenceName ? [a, b] : byStarNumber(a.name, b.name) <= 0 ? [a, b] : [b, a];
  return { name: `${first.name}/${second.name}`, allele1: first.name, allele2: second.name, score: a.score + b.score, ...(a.combination || b.combination ? { combination: true as const } : {}) };
}

/** Quality of an option (an exact strand explains all its variants; NaN marks that). */
function quality(o: StrandOption, variantCount: number): Quality {
  return { explained: Number.isNaN(o.explained) ? variantCount : o.explained, parts: o.parts };
}

/**
 * The combination / partial call of a gene no pair of defined alleles fits. Phased data: each strand is decomposed.
 * Unphased (or several phase sets): every arrangement of the units is tried (up to 2^12) and the diplotypes of the
 * best-explained arrangements are kept (most variants explained by defined alleles, then fewest alleles); all ties
 * are returned, never one picked. Empty when nothing could be explained within the limits (with a warning).
 */
export function combinationCall(input: CombinationInput): CombinationResult {
  const { gene, observed, unitOf } = input;
  const units = Math.max(-1, ...unitOf) + 1;
  if (units > MAX_COMBINATION_UNITS) {
    return { diplotypes: [], warnings: [{ code: 'COMBINATION_SEARCH_LIMIT', message: `${gene.gene}: no combination or partial allele search: ${units} heterozygous positions (or phase sets) of unknown relative phase would need 2^${units - 1} arrangements (limit 2^${MAX_COMBINATION_UNITS - 1}).` }] };
  }
  const explainer = new StrandExplainer(input);
  const referenceName = input.alleles.find((a) => a.reference)?.name;
  const variantsOn = (strand: readonly string[]) => strand.filter((b, k) => b !== (input.gene.refs[input.called[k] ?? -1] ?? '')).length;
  const found = new Map<string, DiplotypeMatch>();
  let bestQ: Quality | undefined;
  for (let mask = 0; mask < 1 << Math.max(0, units - 1); mask++) {
    const flip = (k: number) => (unitOf[k] ?? -1) > 0 && (mask & (1 << ((unitOf[k] ?? 1) - 1))) !== 0;
    const s1 = observed.map((o, k) => (flip(k) ? o[1] : o[0]));
    const s2 = observed.map((o, k) => (flip(k) ? o[0] : o[1]));
    const o1 = explainer.explain(s1);
    const o2 = explainer.explain(s2);
    if (!o1 || !o2 || o1.length === 0 || o2.length === 0) continue;
    const q1 = quality(o1[0]!, variantsOn(s1));
    const q2 = quality(o2[0]!, variantsOn(s2));
    const q = { explained: q1.explained + q2.explained, parts: q1.parts + q2.parts };
    const d = bestQ ? better(q, bestQ) : -1;
    if (d > 0) continue;
    if (d < 0) {
      bestQ = q;
      found.clear();
    }
    for (const a of o1) for (const b of o2) {
      const dip = diplotype(a, b, referenceName);
      if (dip.combination) found.set(dip.name, dip);
    }
  }
  const diplotypes = [...found.values()].sort((p, q) => p.name.localeCompare(q.name, 'en', { numeric: true }));
  const warnings: PgxWarning[] = [];
  if (explainer.gaveUp) warnings.push({ code: 'COMBINATION_SEARCH_LIMIT', message: `${gene.gene}: the combination search stopped on a strand after ${MAX_NODES.toLocaleString('en')} steps; arrangements on such strands were not assessed.` });
  if (diplotypes.length > 0) warnings.push(comboWarning(gene.gene, diplotypes, units));
  return { diplotypes, warnings };
}

/** The hemizygous (one X) form: the one strand decomposed. */
export function combinationHaploid(input: CombinationInput): CombinationResult {
  const explainer = new StrandExplainer(input);
  const options = explainer.explain(input.observed.map((o) => o[0])) ?? [];
  const diplotypes = options.filter((o) => o.combination).map((o) => ({ name: o.name, allele1: o.name, allele2: '', score: o.score, combination: true as const }));
  const warnings: PgxWarning[] = explainer.gaveUp ? [{ code: 'COMBINATION_SEARCH_LIMIT', message: `${input.gene.gene}: the combination search stopped after ${MAX_NODES.toLocaleString('en')} steps.` }] : [];
  if (diplotypes.length > 0) warnings.push(comboWarning(input.gene.gene, diplotypes, 1));
  return { diplotypes, warnings };
}

function comboWarning(gene: string, diplotypes: DiplotypeMatch[], units: number): PgxWarning {
  const unphased = units > 1;
  return {
    code: 'COMBINATION_CALL',
    message: `${gene}: no pair of defined alleles fits; called with combination/partial allele(s) (research option --find-combinations): ${diplotypes.map((d) => d.name).join(', ')}. Alleles (or variants, written as genomic HGVS) joined by '+' are found together on one gene copy; this does not mean a gene duplication.${unphased ? ` The data are not phased: of the ${2 ** (units - 1)} arrangements of the heterozygous positions, those leaving the fewest variants unexplained with the fewest alleles are reported; other arrangements are possible.` : ''}`,
  };
}
