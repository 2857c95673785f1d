// Variant normalization (Tan, Abecasis & Kang 2015, "Unified representation of genetic variants"; as vt normalize /
// bcftools norm): trim the common suffix, left-align while the reference allows, then trim the common prefix. There is
// no reference FASTA at run time, so "the reference" is what we know: the definitions' REF strings and the VCF
// records' own REF strings around the position. Shifting stops at an unknown base.

/** A reference base lookup on one chromosome (undefined when not known). */
export type ReferenceBase = (position: number) => string | undefined;

/** One allele of a variant in VCF form: `position` is the first base of `ref`. */
export interface VariantAllele { position: number; ref: string; alt: string }

/** The normalized (parsimonious, left-aligned as far as the known reference allows) form of a VCF allele. */
export function normalizeVariant(v: VariantAllele, base: ReferenceBase): VariantAllele {
  let { position, ref, alt } = v;
  if (ref === alt) return { position, ref, alt };
  // Trim the shared last base; when that would leave an allele empty, first pad both with the reference base before
  // (which moves the event left). Stops at an unknown base, leaving one base of padding.
  while (ref.length > 0 && alt.length > 0 && ref[ref.length - 1] === alt[alt.length - 1]) {
    if (ref.length === 1 || alt.length === 1) {
      const b = base(position - 1);
      if (b === undefined) break;
      ref = b + ref;
      alt = b + alt;
      position--;
    }
    ref = ref.slice(0, -1);
    alt = alt.slice(0, -1);
  }
  while (ref.length > 1 && alt.length > 1 && ref[0] === alt[0]) {
    ref = ref.slice(1);
    alt = alt.slice(1);
    position++;
  }
  return { position, ref, alt };
}

/** A stable key of a normalized allele (`pos:REF>ALT`). */
export function variantKey(v: VariantAllele): string {
  return `${v.position}:${v.ref}>${v.alt}`;
}

/**
 * Reference bases known from REF strings (`position` = first base); a later REF does not overwrite an earlier one
 * (callers pass the definitions first: they are the GRCh38 reference the matcher trusts).
 */
export function referenceFrom(refs: Iterable<{ position: number; ref: string }>): Map<number, string> {
  const known = new Map<number, string>();
  for (const { position, ref } of refs) {
    for (let i = 0; i < ref.length; i++) if (!known.has(position + i)) known.set(position + i, ref[i]!.toUpperCase());
  }
  return known;
}
