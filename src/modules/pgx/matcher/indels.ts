// Indels written differently from the definitions (left-aligned or not, extra padding bases, a repeat spelled out):
// both sides are normalized (vcf/normalize.ts) and a VCF record whose ALT normalizes to a definition allele is read as
// that definition position's genotype, in the definition's allele strings.
import type { VcfGenotype } from '../vcf/lines.ts';
import { normalizeVariant, referenceFrom, variantKey, type ReferenceBase } from '../vcf/normalize.ts';

/** How far from a definition indel the VCF may place the same event (repeat lengths of the PGx indels are < 20 bases). */
const WINDOW_LEFT = 20;
const WINDOW_RIGHT = 40;

/** A definition position that is not a single-base substitution (indel or multi-base), with the VCF positions to look at. */
export interface IndelSite {
  index: number;
  chromosome: string;
  position: number;
  ref: string;
  alts: string[];
  /** Positions whose records may spell the same event (`chrN:pos` keys), the definition position included. */
  window: string[];
}

/** The indel sites of a gene's positions and the reference bases the definitions' REF strings give. */
export function indelSites(positions: ReadonlyArray<{ chromosome: string; position: number; ref: string; alts: string[] }>): { sites: IndelSite[]; reference: Map<string, Map<number, string>> } {
  const reference = new Map<string, Map<number, string>>();
  for (const chromosome of new Set(positions.map((p) => p.chromosome))) reference.set(chromosome, referenceFrom(positions.filter((p) => p.chromosome === chromosome)));
  const sites = positions.flatMap((p, index) => {
    if (p.ref.length === 1 && p.alts.every((a) => a.length === 1)) return [];
    const window: string[] = [];
    for (let q = p.position - WINDOW_LEFT; q <= p.position + p.ref.length + WINDOW_RIGHT; q++) window.push(`${p.chromosome}:${q}`);
    return [{ index, chromosome: p.chromosome, position: p.position, ref: p.ref, alts: p.alts, window }];
  });
  return { sites, reference };
}

/** Reference lookup: the definitions' bases first, then the REF strings of the records found in the window. */
function lookup(known: ReadonlyMap<number, string> | undefined, records: readonly VcfGenotype[]): ReferenceBase {
  let fromRecords: Map<number, string> | undefined;
  return (p) => {
    const k = known?.get(p);
    if (k !== undefined) return k;
    fromRecords ??= referenceFrom(records.map((r) => ({ position: r.position, ref: r.ref })));
    return fromRecords.get(p);
  };
}

/** Maps each allele string of a record (REF and every ALT) to the definition allele it spells, if any. */
function alleleMap(site: IndelSite, record: VcfGenotype, base: ReferenceBase): Map<string, string> | undefined {
  const wanted = new Map(site.alts.map((a) => [variantKey(normalizeVariant({ position: site.position, ref: site.ref, alt: a }, base)), a]));
  const map = new Map<string, string>();
  for (const alt of record.alts) {
    if (alt === '*' || alt.startsWith('<')) continue;
    const hit = wanted.get(variantKey(normalizeVariant({ position: record.position, ref: record.ref, alt }, base)));
    if (hit !== undefined) map.set(alt, hit);
  }
  if (map.size === 0) return undefined;
  map.set(record.ref, site.ref);
  return map;
}

/** The record written in the definition's allele strings, or undefined when a called allele is another event. */
function translate(site: IndelSite, record: VcfGenotype, map: ReadonlyMap<string, string>): VcfGenotype | undefined {
  const alleles = record.alleles?.map((a) => map.get(a));
  if (alleles && alleles.some((a) => a === undefined)) return undefined;
  const same = record.position === site.position && record.ref === site.ref && record.alts.every((a) => map.get(a) === a);
  return {
    chromosome: site.chromosome,
    position: site.position,
    ref: site.ref,
    alts: site.alts,
    alleles: alleles ? [alleles[0]!, alleles[1]!] : null,
    phased: record.phased,
    ...(record.phaseSet !== undefined ? { phaseSet: record.phaseSet } : {}),
    ...(same ? {} : { normalizedFrom: `${record.chromosome}:${record.position} ${record.ref}>${record.alts.join(',')}` }),
  };
}

/** A homozygous-reference line at the position whose REF is a prefix of the definition's (or the reverse) is its reference. */
function shorterReference(site: IndelSite, atSite: VcfGenotype | undefined): VcfGenotype | undefined {
  if (!atSite?.alleles || !atSite.alleles.every((a) => a === atSite.ref)) return undefined;
  if (!site.ref.startsWith(atSite.ref) && !atSite.ref.startsWith(site.ref)) return undefined;
  return { ...atSite, ref: site.ref, alts: site.alts, alleles: [site.ref, site.ref] };
}

/**
 * Reads every indel site of a gene through normalization. At each site the first record (in window order) whose ALT
 * spells a definition allele and whose called alleles are all of that event wins when it carries the variant;
 * otherwise a homozygous-reference spelling of the event; otherwise the record at the position (or the gVCF block) is
 * kept as read. A homozygous-reference record at the position whose REF overlaps the definition's (a shorter or longer
 * REF, e.g. a SNV-style `0/0` line) counts as the definition's reference. Returns the (copied only if changed) genotypes.
 */
export function resolveIndels(sites: readonly IndelSite[], reference: ReadonlyMap<string, ReadonlyMap<number, string>>, genotypes: ReadonlyMap<string, VcfGenotype>): ReadonlyMap<string, VcfGenotype> {
  let out: Map<string, VcfGenotype> | undefined;
  for (const site of sites) {
    const key = site.window[WINDOW_LEFT]!;
    const records = site.window.flatMap((k) => {
      const g = genotypes.get(k);
      return g && !g.blockReference ? [g] : [];
    });
    if (records.length === 0) continue;
    const base = lookup(reference.get(site.chromosome), records);
    let carrier: VcfGenotype | undefined;
    let homRef: VcfGenotype | undefined;
    for (const r of records) {
      const map = alleleMap(site, r, base);
      const t = map && translate(site, r, map);
      if (!t) continue;
      if (t.alleles && t.alleles.some((a) => a !== site.ref)) {
        carrier = t;
        break;
      }
      homRef ??= t.alleles ? t : undefined;
    }
    const atSite = genotypes.get(key);
    // A called record in the definition's own spelling at the position is kept, unless it is reference and another
    // spelling carries the variant.
    if (atSite?.alleles && atSite.ref === site.ref && (!carrier || atSite.alleles.some((a) => a !== site.ref))) continue;
    const chosen = carrier ?? homRef ?? shorterReference(site, atSite);
    if (!chosen) continue;
    out ??= new Map(genotypes);
    out.set(key, chosen);
  }
  return out ?? genotypes;
}
