// The named allele matcher for one gene: genotypes at the gene's positions → ranked diplotype candidates.
import type { DiplotypeMatch, GeneCall, PgxWarning, VariantCall } from '../model.ts';
import type { VcfGenotype } from '../vcf/lines.ts';
import { resolveIndels } from './indels.ts';
import { combinationCall, combinationHaploid, type CombinationInput } from './combinations.ts';
import { baseMatches } from './iupac.ts';
import type { PreparedAllele, PreparedGene } from './prepare.ts';
import { singlePositionCall } from './single-position.ts';

/** Options of one gene match. */
export interface MatchOptions {
  /** Return every plausible pair (best first) instead of only the top-score ties. */
  allMatches: boolean;
  /** For X-linked genes (G6PD): a male is hemizygous; without it, all-haploid X genotypes are read as hemizygous. */
  sex?: 'male' | 'female' | 'unknown';
  /**
   * When no pair of defined alleles fits, look for combination / partial alleles (PharmCAT's "combinations" research
   * mode, matcher/combinations.ts); off by default.
   */
  findCombinations?: boolean;
}

interface Candidate { allele: PreparedAllele; score: number }

/** Orders two allele names as reports write them: star alleles by number, otherwise the reference allele last. */
function ordered(a: PreparedAllele, b: PreparedAllele): [PreparedAllele, PreparedAllele] {
  const star = /^\*(\d+)(.*)$/;
  const ma = star.exec(a.name);
  const mb = star.exec(b.name);
  if (ma && mb) {
    const d = Number(ma[1]) - Number(mb[1]) || (ma[2] ?? '').localeCompare(mb[2] ?? '');
    return d <= 0 ? [a, b] : [b, a];
  }
  if (a.reference !== b.reference) return a.reference ? [b, a] : [a, b];
  return a.name.localeCompare(b.name, 'en', { numeric: true }) <= 0 ? [a, b] : [b, a];
}

/** Does the allele's expected base at each called position equal the given strand's base? */
function strandMatches(allele: PreparedAllele, called: number[], strand: string[]): boolean {
  return called.every((i, k) => baseMatches(allele.bases[i] ?? '', strand[k] ?? ''));
}

/**
 * Matches one gene (PharmCAT semantics core, docs/methods/pgx-matcher.md). Positions without a genotype are
 * no-calls: listed in `missingPositions` and left out of every definition (an allele defined only there is
 * dropped). Score of an allele = its defined positions that were genotyped; a diplotype scores the sum.
 * Phased input (every heterozygous GT with `|`) is matched per strand; unphased input accepts a pair when some
 * arrangement of the heterozygous positions fits it. Top-score ties are all returned, best first.
 */
export function matchGene(gene: PreparedGene, read: ReadonlyMap<string, VcfGenotype>, options: MatchOptions): GeneCall {
  const genotypes = gene.indels.length > 0 ? resolveIndels(gene.indels, gene.reference, read) : read;
  const normalized: string[] = [];
  const blockNotCalled: string[] = [];
  const called: number[] = [];
  const observed: Array<[string, string]> = [];
  const missing: string[] = [];
  const variants: VariantCall[] = [];
  const refMismatch: string[] = [];
  // Alleles at definition positions that no definition has (`chrN:pos (rsid) T`).
  const undocumented: string[] = [];
  let phased = true;
  let haploid = true;
  // Phase group of each called position: heterozygous phased calls by their PS (one default set without PS),
  // each unphased heterozygous call on its own; undefined for homozygous calls.
  const groupOf: Array<string | undefined> = [];
  gene.keys.forEach((key, i) => {
    const found = genotypes.get(key);
    const ref = gene.refs[i] ?? '';
    // A gVCF reference block says "reference here" without the base: take the definition's REF.
    const gt = found?.blockReference ? { ...found, ref, alleles: [ref, ref] as [string, string] } : found;
    if (!gt?.alleles) {
      missing.push(gene.labels[i] ?? key);
      if (found?.blockNotCalled) blockNotCalled.push(`${gene.labels[i] ?? key} (${found.blockNotCalled})`);
      return;
    }
    if (gt.normalizedFrom) normalized.push(`${gene.labels[i] ?? key} from ${gt.normalizedFrom}`);
    if (gt.ref !== ref) refMismatch.push(`${gene.labels[i] ?? key} (VCF ${gt.ref}, definition ${gene.refs[i] ?? '?'})`);
    let alleles = gt.alleles;
    const odd = alleles.filter((b) => !isDocumented(gene, i, b));
    if (odd.length > 0) {
      for (const b of new Set(odd)) undocumented.push(`${gene.labels[i] ?? key} ${b}`);
      // Toxicity genes (PharmCAT): the undocumented base is read as the reference so the gene can still be called.
      if (gene.undocumentedAsReference) alleles = alleles.map((b) => (isDocumented(gene, i, b) ? b : ref)) as [string, string];
    }
    called.push(i);
    observed.push(alleles);
    if (!gt.haploid) haploid = false;
    const het = alleles[0] !== alleles[1];
    if (het && !gt.phased) phased = false;
    groupOf.push(!het ? undefined : gt.phased ? `ps:${gt.phaseSet ?? ''}` : `unphased:${i}`);
    variants.push({ chromosome: gt.chromosome, position: gt.position, ...(labelRsid(gene.labels[i])), call: gt.alleles.join(gt.phased ? '|' : '/'), phased: gt.phased });
  });
  const warnings: PgxWarning[] = [];
  if (missing.length > 0) warnings.push({ code: 'MISSING_POSITIONS', message: `${gene.gene}: ${missing.length} of ${gene.keys.length} positions were not genotyped; alleles were matched on the others.` });
  if (blockNotCalled.length > 0) warnings.push({ code: 'GVCF_BLOCK_NOT_CALLED', message: `${gene.gene}: ${blockNotCalled.length} position(s) lie in gVCF blocks without a reference call and are no-calls: ${blockNotCalled.slice(0, 5).join(', ')}${blockNotCalled.length > 5 ? ', …' : ''}.` });
  if (normalized.length > 0) warnings.push({ code: 'INDEL_NORMALIZED', message: `${gene.gene}: indel(s) written differently from the definitions were matched after normalization: ${normalized.join('; ')}.` });
  if (refMismatch.length > 0) warnings.push({ code: 'REF_MISMATCH', message: `${gene.gene}: the VCF REF differs from the definition at ${refMismatch.join(', ')}; check the build and indel representation.` });
  // An undocumented base outside the toxicity genes: the sample fits neither the reference nor any allele there.
  const blocked = undocumented.length > 0 && !gene.undocumentedAsReference;
  if (undocumented.length > 0) {
    warnings.push(gene.undocumentedAsReference
      ? { code: 'UNDOCUMENTED_VARIATION_AS_REFERENCE', message: `${gene.gene}: allele(s) that no ${gene.gene} allele definition has were found at definition position(s) and read as the reference base, so that the gene could still be called (PharmCAT's rule for genes whose variants affect drug toxicity): ${undocumented.join(', ')}. The effect of these variants is unknown.` }
      : { code: 'UNDOCUMENTED_VARIATION', message: `${gene.gene}: not called; allele(s) that no ${gene.gene} allele definition has were found at definition position(s): ${undocumented.join(', ')}. The sample matches neither the reference nor any defined allele there.` });
  }
  const calledSet = new Set(called);
  const ampTier1 = gene.ampTier1 ? ampCoverage(gene, gene.ampTier1, calledSet, warnings) : undefined;
  const requiredMissing = [...gene.required].filter((i) => !called.includes(i)).map((i) => gene.labels[i] ?? '');
  if (requiredMissing.length > 0) {
    warnings.push({ code: 'REQUIRED_POSITION_MISSING', message: `${gene.gene}: not called, required position(s) not genotyped: ${requiredMissing.join(', ')}.` });
    return { gene: gene.gene, source: 'vcf', diplotypes: [], missingPositions: missing, phased, variants, ...(ampTier1 ? { ampTier1 } : {}), warnings };
  }
  const candidates: Candidate[] = [];
  for (const allele of gene.alleles) {
    const score = called.reduce((n, i) => n + (allele.defines[i] ? 1 : 0), 0);
    if (score > 0 || allele.reference) candidates.push({ allele, score });
  }
  const extraPositions = gene.extra.length > 0 ? readExtraPositions(gene, genotypes, warnings) : undefined;
  const hemi = hemizygous(gene, observed, haploid, options.sex, warnings);
  if (hemi) {
    let single = blocked ? [] : hemizygousMatches(gene, candidates, called, observed, options, warnings);
    if (single.length === 0 && !blocked && options.findCombinations && called.length > 0) {
      const combo = combinationHaploid({ gene, alleles: candidates.map((c) => c.allele), called, observed, unitOf: called.map(() => -1) });
      single = combo.diplotypes;
      // Called after all: the hemizygous matcher's NO_MATCH no longer holds.
      const noMatch = warnings.findIndex((w) => w.code === 'NO_MATCH');
      if (single.length > 0 && noMatch >= 0) warnings.splice(noMatch, 1);
      warnings.push(...combo.warnings);
    }
    return { gene: gene.gene, source: 'vcf', diplotypes: single, missingPositions: missing, phased: true, variants, ...(extraPositions ? { extraPositions } : {}), ...(ampTier1 ? { ampTier1 } : {}), warnings };
  }
  const groups = [...new Set(groupOf.filter((g): g is string => g !== undefined))];
  const phaseSets = groups.filter((g) => g.startsWith('ps:'));
  // Several phase sets (or phased and unphased calls mixed): each set keeps its internal phase, the sets' relative
  // orientation is unknown, so every orientation is tried (up to 2^12; beyond that, the data is matched as unphased).
  const mixed = groups.length > 1 && phaseSets.length > 0 && groups.length <= 13;
  if (mixed) {
    phased = false;
    warnings.push({ code: 'PHASE_SETS', message: `${gene.gene}: ${phaseSets.length} phase set(s) and ${groups.length - phaseSets.length} unphased heterozygous call(s); each set's phase is kept, their relative orientation is not known.` });
  }
  const found = called.length === 0 || blocked ? [] : mixed ? pairsAcrossPhaseSets(candidates, called, observed, groupOf.map((g) => (g === undefined ? -1 : groups.indexOf(g))), groups.length) : pairs(candidates, called, observed, phased);
  const plausible = rank(found);
  const picked = phased ? undefined : applyPriority(gene, plausible, warnings);
  let diplotypes = picked
    ? options.allMatches ? [picked, ...plausible.filter((d) => d !== picked)] : [picked]
    : options.allMatches ? plausible : plausible.filter((d) => d.score === plausible[0]?.score);
  // Research option: no pair fits → combination / partial alleles (before the single-position fallback, as PharmCAT).
  if (called.length > 0 && diplotypes.length === 0 && !blocked && options.findCombinations) {
    const het = (k: number) => observed[k]?.[0] !== observed[k]?.[1];
    const unitOf = called.map((_, k) => (!het(k) ? -1 : phased ? 0 : mixed ? groups.indexOf(groupOf[k] ?? '') : k));
    const combo = combinationCall({ gene, alleles: candidates.map((c) => c.allele), called, observed, unitOf: compactUnits(unitOf) } satisfies CombinationInput);
    diplotypes = combo.diplotypes;
    warnings.push(...combo.warnings);
  }
  if (called.length > 0 && diplotypes.length === 0) {
    if (!blocked) warnings.push({ code: 'NO_MATCH', message: `${gene.gene}: the genotypes fit no pair of defined alleles.` });
    const fallback = singlePositionCall(gene, called, observed, blocked ? 'undocumented variation at a definition position' : 'the genotypes fit no pair of defined alleles');
    if (fallback) {
      diplotypes = [fallback.diplotype];
      warnings.push(fallback.warning);
    }
  }
  const top = diplotypes[0]?.score;
  // Combination calls are ranked by how well they explain the variants, not by score: every one returned is a tie.
  const tied = diplotypes.some((d) => d.combination) ? diplotypes : diplotypes.filter((d) => d.score === top);
  if (tied.length > 1) warnings.push({ code: 'AMBIGUOUS_CALL', message: `${gene.gene}: several diplotypes fit equally well (${tied.map((d) => d.name).join(', ')}).` });
  const haplotypes = gene.lowestFunction && !blocked ? allelesFound(candidates, called, observed) : undefined;
  // Phased data: the alleles each strand carries (the phenotype then takes the lowest-function one per strand).
  const haplotypeStrands = gene.lowestFunction && !blocked && phased ? [allelesFound(candidates, called, observed, 0), allelesFound(candidates, called, observed, 1)] as [string[], string[]] : undefined;
  if (haplotypes && diplotypes.length === 0 && haplotypes.length > 0) warnings.push({ code: 'LOWEST_FUNCTION', message: `${gene.gene}: the variants found fit no single pair; alleles found: ${haplotypes.join(', ')}.` });
  return { gene: gene.gene, source: 'vcf', diplotypes, ...(haplotypes ? { haplotypes } : {}), ...(haplotypeStrands ? { haplotypeStrands } : {}), missingPositions: missing, phased, variants, ...(extraPositions ? { extraPositions } : {}), ...(ampTier1 ? { ampTier1 } : {}), warnings };
}

/** Renumbers phase units 0..n-1 in order of first appearance (-1, homozygous, kept). */
function compactUnits(unitOf: number[]): number[] {
  const seen = new Map<number, number>();
  return unitOf.map((u) => {
    if (u < 0) return -1;
    if (!seen.has(u)) seen.set(u, seen.size);
    return seen.get(u) ?? -1;
  });
}

/** Whether some allele definition expects this base at position `i` (the reference base always is). */
function isDocumented(gene: PreparedGene, i: number, base: string): boolean {
  return (gene.documented[i] ?? []).some((e) => baseMatches(e, base));
}

/**
 * AMP tier-1 coverage: every tier-1 position must be genotyped (gVCF reference blocks and BED-declared positions were
 * filled in before matching). Each missing one leaves open the tier-1 alleles defined there (warning
 * `AMP_TIER1_POSITIONS_MISSING`).
 */
function ampCoverage(gene: PreparedGene, amp: NonNullable<PreparedGene['ampTier1']>, called: ReadonlySet<number>, warnings: PgxWarning[]): NonNullable<GeneCall['ampTier1']> {
  const missing = amp.indices.filter((i) => !called.has(i));
  const open = amp.alleles.filter((a) => a.indices.some((i) => !called.has(i))).map((a) => a.name);
  const labels = missing.map((i) => gene.labels[i] ?? gene.keys[i] ?? String(i));
  if (missing.length > 0) {
    warnings.push({ code: 'AMP_TIER1_POSITIONS_MISSING', message: `${gene.gene}: ${missing.length} of ${amp.indices.length} AMP tier-1 position(s) were not genotyped: ${labels.join(', ')}; tier-1 allele(s) that could therefore not be ruled out: ${open.join(', ')}.` });
  }
  return { covered: missing.length === 0, positions: amp.indices.length, missingPositions: labels, allelesNotRuledOut: open, ...(amp.notCallable.length > 0 ? { notAssessed: amp.notCallable } : {}) };
}

/** PharmCAT extra positions: the genotype is reported with the gene (warning `EXTRA_POSITION`), never matched. */
function readExtraPositions(gene: PreparedGene, genotypes: ReadonlyMap<string, VcfGenotype>, warnings: PgxWarning[]): NonNullable<GeneCall['extraPositions']> {
  return gene.extra.map((e) => {
    const gt = genotypes.get(e.key);
    const call = gt?.alleles ? gt.alleles.join(gt.phased ? '|' : '/') : gt?.blockReference ? '(reference block)' : null;
    const label = `${e.rsid ?? e.key} (${e.key})`;
    warnings.push({ code: 'EXTRA_POSITION', message: `${gene.gene}: ${label} ${call === null ? 'was not genotyped' : `is ${call}`}; not part of any ${gene.gene} allele, reported for ${e.use}.` });
    return { chromosome: e.chromosome, position: e.position, ...(e.rsid ? { rsid: e.rsid } : {}), call, use: e.use };
  });
}

/**
 * X-linked genes (G6PD): a male has one allele, so the gene is matched on one strand and the call names one allele
 * (`allele2` empty). Male = the `sex` option, or every genotyped position haploid when the sex is not given. A male
 * with a heterozygous X call is matched as diploid with a warning (the phenotyper then reports it as uninterpretable).
 */
function hemizygous(gene: PreparedGene, observed: Array<[string, string]>, haploid: boolean, sex: MatchOptions['sex'], warnings: PgxWarning[]): boolean {
  if (!gene.keys[0]?.startsWith('chrX:') || observed.length === 0) return false;
  if (sex === 'female') return false;
  if (sex !== 'male') return haploid;
  if (observed.every((o) => o[0] === o[1])) return true;
  warnings.push({ code: 'MALE_HETEROZYGOUS_X', message: `${gene.gene}: heterozygous genotypes on chrX for a male (one X chromosome); matched as two alleles, check the sex and the calls.` });
  return false;
}

/** Hemizygous matching: the alleles that fit the one strand, best score first (top ties unless all matches). */
function hemizygousMatches(gene: PreparedGene, candidates: Candidate[], called: number[], observed: Array<[string, string]>, options: MatchOptions, warnings: PgxWarning[]): DiplotypeMatch[] {
  const strand = observed.map((o) => o[0]);
  const fits = candidates
    .filter((c) => strandMatches(c.allele, called, strand))
    .sort((a, b) => b.score - a.score || a.allele.name.localeCompare(b.allele.name, 'en', { numeric: true }))
    .map((c) => ({ name: c.allele.name, allele1: c.allele.name, allele2: '', score: c.score }));
  const shown = options.allMatches ? fits : fits.filter((d) => d.score === fits[0]?.score);
  warnings.push({ code: 'HEMIZYGOUS_CALL', message: `${gene.gene}: called as a single X allele (${options.sex === 'male' ? 'male' : 'haploid genotypes'}).` });
  if (shown.length === 0) warnings.push({ code: 'NO_MATCH', message: `${gene.gene}: the genotypes fit no defined allele.` });
  if (shown.filter((d) => d.score === shown[0]?.score).length > 1) warnings.push({ code: 'AMBIGUOUS_CALL', message: `${gene.gene}: several alleles fit equally well (${shown.map((d) => d.name).join(', ')}).` });
  return shown;
}

/**
 * Lowest-function genes: every non-reference allele all of whose genotyped defining positions carry its allele
 * on at least one strand, whatever the pairing (PharmCAT reports these when several variants are present); an allele
 * carried on both strands at all of them (homozygous) is listed twice. `strand` 0/1 restricts to one strand (phased data).
 */
function allelesFound(candidates: Candidate[], called: number[], observed: Array<[string, string]>, strand?: 0 | 1): string[] {
  const carried = (c: Candidate, both: boolean) => called.every((i, k) => {
    if (!c.allele.defines[i]) return true;
    const o = observed[k];
    const e = c.allele.bases[i] ?? '';
    if (o === undefined) return false;
    if (strand !== undefined) return baseMatches(e, o[strand]);
    return both ? baseMatches(e, o[0]) && baseMatches(e, o[1]) : baseMatches(e, o[0]) || baseMatches(e, o[1]);
  });
  const found = candidates.filter((c) => !c.allele.reference && c.score > 0 && carried(c, false));
  // An allele whose variants all belong to a larger allele found too (DPYD c.1129-5923C>G inside HapB3) is that allele.
  // With the same evidence (HapB3's exonic position not genotyped), the allele whose whole definition was seen stands:
  // counting both would score one variant twice.
  const definedCount = (c: Candidate) => c.allele.defines.filter(Boolean).length;
  const covers = (d: Candidate, c: Candidate) => called.every((i) => !c.allele.defines[i] || (d.allele.defines[i] && d.allele.bases[i] === c.allele.bases[i]));
  const inside = (c: Candidate, d: Candidate) => covers(d, c) && (d.score > c.score || (d.score === c.score && covers(c, d) && definedCount(c) > definedCount(d)));
  return found
    .filter((c) => !found.some((d) => d !== c && inside(c, d)))
    .flatMap((c) => (strand === undefined && carried(c, true) ? [c.allele.name, c.allele.name] : [c.allele.name]));
}

/**
 * PharmCAT exemptions `unphasedDiplotypePriorities`: when the plausible pairs of unphased data are exactly a
 * listed set, the listed pick is reported whatever its score (NAT2, e.g. `*4/*5` over `*1/*16`).
 */
function applyPriority(gene: PreparedGene, plausible: DiplotypeMatch[], warnings: PgxWarning[]): DiplotypeMatch | undefined {
  if (plausible.length < 2) return undefined;
  const pick = gene.unphasedPriorities.get(plausible.map((d) => d.name).sort().join('|'));
  const chosen = pick === undefined ? undefined : plausible.find((d) => d.name === pick);
  if (!chosen) return undefined;
  warnings.push({ code: 'UNPHASED_PRIORITY', message: `${gene.gene}: unphased data fit ${plausible.map((d) => d.name).join(', ')}; ${chosen.name} is reported by PharmCAT's priority rule.` });
  return chosen;
}

function labelRsid(label: string | undefined): { rsid?: string } {
  const m = label ? /\((rs\d+)\)$/.exec(label) : null;
  return m?.[1] ? { rsid: m[1] } : {};
}

/** Every allele pair consistent with the genotypes. */
function pairs(candidates: Candidate[], called: number[], observed: Array<[string, string]>, phased: boolean): Array<[Candidate, Candidate]> {
  const out: Array<[Candidate, Candidate]> = [];
  if (phased) {
    const s1 = observed.map((o) => o[0]);
    const s2 = observed.map((o) => o[1]);
    const on1 = candidates.filter((c) => strandMatches(c.allele, called, s1));
    const on2 = candidates.filter((c) => strandMatches(c.allele, called, s2));
    for (const a of on1) for (const b of on2) out.push([a, b]);
    return out;
  }
  // An allele can only be part of a pair if each of its bases is one of the two observed alleles.
  const fits = candidates.filter((c) => called.every((i, k) => {
    const o = observed[k];
    const e = c.allele.bases[i] ?? '';
    return o !== undefined && (baseMatches(e, o[0]) || baseMatches(e, o[1]));
  }));
  for (let x = 0; x < fits.length; x++) {
    for (let y = x; y < fits.length; y++) {
      const a = fits[x];
      const b = fits[y];
      if (!a || !b) continue;
      const ok = called.every((i, k) => {
        const o = observed[k];
        const ea = a.allele.bases[i] ?? '';
        const eb = b.allele.bases[i] ?? '';
        return o !== undefined && ((baseMatches(ea, o[0]) && baseMatches(eb, o[1])) || (baseMatches(ea, o[1]) && baseMatches(eb, o[0])));
      });
      if (ok) out.push([a, b]);
    }
  }
  return out;
}

/** Phased matching for every relative orientation of the phase groups (group 0 fixed); `group[k]` = -1 when homozygous. */
function pairsAcrossPhaseSets(candidates: Candidate[], called: number[], observed: Array<[string, string]>, group: number[], groups: number): Array<[Candidate, Candidate]> {
  const out: Array<[Candidate, Candidate]> = [];
  for (let mask = 0; mask < 1 << (groups - 1); mask++) {
    const flip = (k: number) => (group[k] ?? -1) > 0 && (mask & (1 << ((group[k] ?? 1) - 1))) !== 0;
    const s1 = observed.map((o, k) => (flip(k) ? o[1] : o[0]));
    const s2 = observed.map((o, k) => (flip(k) ? o[0] : o[1]));
    const on1 = candidates.filter((c) => strandMatches(c.allele, called, s1));
    const on2 = candidates.filter((c) => strandMatches(c.allele, called, s2));
    for (const a of on1) for (const b of on2) out.push([a, b]);
  }
  return out;
}

/** Names, deduplicates and sorts pairs by score, best first (then by name). */
function rank(found: Array<[Candidate, Candidate]>): DiplotypeMatch[] {
  const byName = new Map<string, DiplotypeMatch>();
  for (const [a, b] of found) {
    const [first, second] = ordered(a.allele, b.allele);
    const name = `${first.name}/${second.name}`;
    if (!byName.has(name)) byName.set(name, { name, allele1: first.name, allele2: second.name, score: a.score + b.score });
  }
  return [...byName.values()].sort((p, q) => q.score - p.score || p.name.localeCompare(q.name, 'en', { numeric: true }));
}
