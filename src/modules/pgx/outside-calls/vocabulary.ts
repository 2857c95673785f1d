// What an outside call may name: known genes, their alleles and phenotypes (from the phenotype and guidance data).
import type { PhenotypeKnowledge } from '../phenotype/knowledge.ts';
import { normaliseCyp2d6Allele } from '../phenotype/rules/cyp2d6-copy-number.ts';

/** The genes, alleles and phenotype words an outside call is checked against. */
export interface OutsideCallVocabulary {
  genes: Set<string>;
  /** Per gene with a phenotype table: allele names; absent for allele-presence genes (HLA, CYP4F2). */
  alleles: Map<string, Set<string>>;
  /** Per gene: phenotypes and lookup keys the data uses. */
  phenotypes: Map<string, Set<string>>;
}

/** Builds the vocabulary once from the loaded knowledge (+ genes the guidance keys on). */
export function buildVocabulary(knowledge: PhenotypeKnowledge, guidanceGenes: Iterable<string> = []): OutsideCallVocabulary {
  const genes = new Set<string>([...knowledge.tables.keys(), ...Object.keys(knowledge.allelePresence), ...guidanceGenes]);
  const alleles = new Map<string, Set<string>>();
  const phenotypes = new Map<string, Set<string>>();
  for (const [gene, t] of knowledge.tables) {
    alleles.set(gene, new Set(Object.keys(t.alleles)));
    const p = new Set<string>(['Indeterminate']);
    for (const e of [...Object.values(t.functionPairs ?? {}), ...Object.values(t.overrides), ...(t.unscored ? [t.unscored] : [])]) {
      p.add(e.phenotype);
      p.add(e.lookupKey);
    }
    for (const b of t.bins ?? []) p.add(b.phenotype);
    phenotypes.set(gene, p);
  }
  for (const [gene, spec] of Object.entries(knowledge.allelePresence)) {
    phenotypes.set(gene, new Set(spec.alleles.flatMap((a) => [`${a} ${spec.present}`, `${a} ${spec.absent}`])));
  }
  return { genes, alleles, phenotypes };
}

/** HLA allele names as labs write them: `*57:01`, `*57:01:01`, `HLA-B*57:01`. */
const HLA_ALLELE = /^(?:HLA-[A-Z0-9]+)?\*\d{2,3}(?::\d{2,3}[A-Z]?){1,3}$/;
/** Star alleles for genes without a table (CYP4F2): `*1`, `*3`. */
const STAR_ALLELE = /^\*\d+[A-Z]?$/;

/** Returns the problem with an allele name for this gene, or undefined when it is acceptable. */
export function alleleProblem(vocab: OutsideCallVocabulary, gene: string, allele: string): string | undefined {
  const known = vocab.alleles.get(gene);
  if (known) {
    const name = gene === 'CYP2D6' ? normaliseCyp2d6Allele(allele).allele : allele;
    if (known.has(name) || (gene === 'CYP2D6' && /x(N|n)$/.test(allele) && known.has(name.replace(/xN$/, '')))) return undefined;
    return `unknown ${gene} allele "${allele}"`;
  }
  if (gene.startsWith('HLA-')) return HLA_ALLELE.test(allele) ? undefined : `"${allele}" is not an HLA allele name (expected e.g. *57:01)`;
  return STAR_ALLELE.test(allele) ? undefined : `unknown ${gene} allele "${allele}"`;
}
