// Combination and partial alleles (PharmCAT's "combinations" research mode, `--find-combinations`): when no pair of
// defined alleles fits, each strand is explained by several defined alleles on one gene copy (`[*2 + *9]`) and/or a
// defined allele plus variants no definition explains there, named by genomic HGVS (`[*2 + g.94942234G>A]`).
import type { DiplotypeMatch, PgxWarning } from '../model.ts';
import { baseMatches } from './iupac.ts';
import type { PreparedAllele, PreparedGene } from './prepare.ts';

/** Unphased data: at most 2^12 arrangements of the heterozygous positions (13 independent units) are tried. */
export const MAX_COMBINATION_UNITS = 13;
/** More tied diplotypes than this are not a call: the gene is left uncalled with a warning rather than listing them all. */
export const MAX_COMBINATION_TIES = 32;
/** Search steps per gene call (all strands together) before the decomposition gives up, so the time stays bounded. */
const MAX_NODES = 1_000_000;

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

const collator = new Intl.Collator('en', { numeric: true });

const byStarNumber = (a: string, b: string): number => {
  const star = /\*(\d+)(.*)$/;
  const ma = star.exec(a);
  const mb = star.exec(b);
  if (ma && mb) return Number(ma[1]) - Number(mb[1]) || collator.compare(ma[2] ?? '', mb[2] ?? '');
  return collator.compare(a, b);
};

/** Quality order: more variants explained by defined alleles, then fewer alleles; equal ones are ties (all kept). */
interface Quality { explained: number; parts: number }
function better(a: Quality, b: Quality): number {
  return b.explained - a.explained || a.parts - b.parts;
}

/** Per gene and set of genotyped positions: the decomposition of any strand, memoized by its bases. */
class StrandExplainer {
  private readonly reference: PreparedAllele | undefined;
  /** Per allele, the genotyped positions (indices into `called`) it defines: most alleles define one or two. */
  private readonly defined: Array<{ allele: PreparedAllele; ks: number[] }>;
  /** Genotyped positions where the reference allele's base is not the VCF REF (CYP2D6 IUPAC R/S): checked one by one. */
  private readonly refDiffers: number[];
  /** Heterozygous positions (the only ones that differ between strands and arrangements) and the homozygous variants. */
  private readonly het: number[];
  private readonly homVariants: number[];
  private readonly memo = new Map<string, StrandOption[] | null>();
  private nodes = 0;
  gaveUp = false;

  constructor(private readonly input: CombinationInput) {
    this.reference = input.alleles.find((a) => a.reference);
    this.defined = input.alleles.map((allele) => ({ allele, ks: input.called.flatMap((i, k) => (allele.defines[i] ? [k] : [])) }));
    this.refDiffers = input.called.flatMap((i, k) => ((this.reference?.bases[i] ?? input.gene.refs[i]) !== input.gene.refs[i] ? [k] : []));
    this.het = input.called.flatMap((_, k) => (input.observed[k]?.[0] !== input.observed[k]?.[1] ? [k] : []));
    const hom = input.called.flatMap((_, k) => (input.observed[k]?.[0] === input.observed[k]?.[1] ? [k] : []));
    this.homVariants = hom.filter((k) => this.differs(k, input.observed[k]?.[0] ?? ''));
  }

  /** The strand's best explanations (ties all returned), or null when the search was too large. */
  explain(strand: readonly string[]): StrandOption[] | null {
    // Homozygous positions are the same on every strand: the heterozygous bases identify it.
    const key = this.het.map((k) => strand[k] ?? '').join('\u0000');
    let hit = this.memo.get(key);
    if (hit === undefined) {
      hit = this.search(strand);
      this.memo.set(key, hit);
    }
    return hit;
  }

  /**
   * Genotyped positions where the strand differs from the reference allele (its base may be an IUPAC code: CYP2D6 *1
   * has R and S where GRCh38 carries one of the two bases).
   */
  variants(strand: readonly string[]): number[] {
    const het = this.het.filter((k) => this.differs(k, strand[k] ?? ''));
    return het.length === 0 ? this.homVariants : [...this.homVariants, ...het].sort((a, b) => a - b);
  }

  private differs(k: number, base: string): boolean {
    const i = this.input.called[k] ?? -1;
    return !baseMatches(this.reference?.bases[i] ?? this.input.gene.refs[i] ?? '', base);
  }

  private search(strand: readonly string[]): StrandOption[] | null {
    const { called } = this.input;
    const fitsAt = (a: PreparedAllele, k: number) => baseMatches(a.bases[called[k] ?? -1] ?? '', strand[k] ?? '');
    const variants = this.variants(strand);
    // A position an allele leaves undefined expects the reference base, so an allele fits the whole strand when it fits
    // where it is defined and every variant lies there. Such an allele is the normal answer (top score, ties kept).
    const exact = this.defined.filter(({ allele, ks }) => ks.every((k) => fitsAt(allele, k)) && variants.every((k) => allele.defines[called[k] ?? -1]) && this.refDiffers.every((k) => fitsAt(allele, k)));
    if (exact.length > 0) {
      const top = Math.max(...exact.map((e) => e.ks.length));
      return exact.filter((e) => e.ks.length === top).map((e) => ({ name: e.allele.name, explained: Number.NaN, parts: e.allele.reference ? 0 : 1, score: top, combination: false }));
    }
    // Parts: non-reference alleles whose every genotyped defined position fits this strand and that explain a variant.
    const parts = this.defined
      .filter(({ allele, ks }) => !allele.reference && ks.every((k) => fitsAt(allele, k)))
      .map(({ allele, ks }) => ({ allele, covers: variants.filter((k) => allele.defines[called[k] ?? -1]), score: ks.length }))
      .filter((p) => p.covers.length > 0);
    const best: Array<{ chosen: typeof parts; leftovers: number[] }> = [];
    let bestQ: Quality = { explained: -1, parts: Number.POSITIVE_INFINITY };
    const used = new Set<number>();
    const chosen: typeof parts = [];
    const leftovers: number[] = [];
    // Depth-first over the variant positions in order: the first open one is explained by a part covering it, or left over.
    const visit = (from: number): boolean => {
      if (++this.nodes > MAX_NODES) return false;
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
  const found = new Map<string, DiplotypeMatch>();
  let bestQ: Quality | undefined;
  const base1 = observed.map((o) => o[0]);
  const base2 = observed.map((o) => o[1]);
  const flippable = unitOf.flatMap((u, k) => (u > 0 ? [k] : []));
  for (let mask = 0; mask < 1 << Math.max(0, units - 1); mask++) {
    const s1 = base1.slice();
    const s2 = base2.slice();
    for (const k of flippable) {
      if ((mask & (1 << ((unitOf[k] ?? 1) - 1))) === 0) continue;
      s1[k] = observed[k]?.[1] ?? '';
      s2[k] = observed[k]?.[0] ?? '';
    }
    const o1 = explainer.explain(s1);
    const o2 = explainer.explain(s2);
    if (!o1 || !o2 || o1.length === 0 || o2.length === 0) continue;
    const q1 = quality(o1[0]!, explainer.variants(s1).length);
    const q2 = quality(o2[0]!, explainer.variants(s2).length);
    const q = { explained: q1.explained + q2.explained, parts: q1.parts + q2.parts };
    const d = bestQ ? better(q, bestQ) : -1;
    if (d > 0) continue;
    if (d < 0) {
      bestQ = q;
      found.clear();
    }
    for (const a of o1) for (const b of o2) {
      // More ties than can be reported at the best quality so far: stop naming them (a better arrangement resets it).
      if (found.size > MAX_COMBINATION_TIES) break;
      const dip = diplotype(a, b, referenceName);
      if (dip.combination) found.set(dip.name, dip);
    }
  }
  // A search cut short could report calls that are not the best-explained ones: nothing is reported then.
  if (explainer.gaveUp) return { diplotypes: [], warnings: [{ code: 'COMBINATION_SEARCH_LIMIT', message: `${gene.gene}: the combination search stopped after ${MAX_NODES.toLocaleString('en')} steps without assessing every arrangement; no combination call is made.` }] };
  if (found.size > MAX_COMBINATION_TIES) {
    return { diplotypes: [], warnings: [{ code: 'COMBINATION_TOO_AMBIGUOUS', message: `${gene.gene}: more than ${MAX_COMBINATION_TIES} combination/partial diplotypes explain the unphased data equally well; none is reported. Phased data would tell them apart.` }] };
  }
  const diplotypes = [...found.values()].sort((p, q) => collator.compare(p.name, q.name));
  const warnings: PgxWarning[] = [];
  if (diplotypes.length > 0) warnings.push(comboWarning(gene.gene, diplotypes, units));
  return { diplotypes, warnings };
}

/** The hemizygous (one X) form: the one strand decomposed. */
export function combinationHaploid(input: CombinationInput): CombinationResult {
  const explainer = new StrandExplainer(input);
  const options = explainer.explain(input.observed.map((o) => o[0])) ?? [];
  if (explainer.gaveUp) return { diplotypes: [], warnings: [{ code: 'COMBINATION_SEARCH_LIMIT', message: `${input.gene.gene}: the combination search stopped after ${MAX_NODES.toLocaleString('en')} steps; no combination call is made.` }] };
  const diplotypes = options.filter((o) => o.combination).map((o) => ({ name: o.name, allele1: o.name, allele2: '', score: o.score, combination: true as const }));
  return { diplotypes, warnings: diplotypes.length > 0 ? [comboWarning(input.gene.gene, diplotypes, 1)] : [] };
}

function comboWarning(gene: string, diplotypes: DiplotypeMatch[], units: number): PgxWarning {
  const unphased = units > 1;
  return {
    code: 'COMBINATION_CALL',
    message: `${gene}: no pair of defined alleles fits; called with combination/partial allele(s) (research option --find-combinations): ${diplotypes.map((d) => d.name).join(', ')}. Alleles (or variants, written as genomic HGVS) joined by '+' are found together on one gene copy; this does not mean a gene duplication.${unphased ? ` The data are not phased: of the ${2 ** (units - 1)} arrangements of the heterozygous positions, those leaving the fewest variants unexplained with the fewest alleles are reported; other arrangements are possible.` : ''}`,
  };
}
