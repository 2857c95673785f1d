// Allele-presence genes (HLA-A, HLA-B, CYP4F2): the guidelines key on whether an allele is carried, not on a phenotype.
import type { GenePhenotype } from '../../model.ts';
import type { AllelePresenceGene } from '../knowledge.ts';

/** Compares HLA alleles at two-field resolution (`*57:01:01` carries `*57:01`); others exactly. */
function carries(alleles: readonly string[], wanted: string): boolean {
  return alleles.some((a) => {
    const name = a.replace(/^HLA-[A-Z]+/, '').trim();
    return name === wanted || name.startsWith(`${wanted}:`);
  });
}

/**
 * One phenotype per allele of interest: `*57:01 positive` / `*57:01 negative` (HLA), `*3 carrier` /
 * `*3 non-carrier` (CYP4F2). All apply at once, so the recommender sees every status.
 */
export function allelePresencePhenotypes(gene: string, spec: AllelePresenceGene, alleles: readonly string[], diplotype: string): GenePhenotype[] {
  return spec.alleles.map((wanted) => {
    const key = `${wanted} ${carries(alleles, wanted) ? spec.present : spec.absent}`;
    return { gene, diplotype, phenotype: gene.startsWith('HLA-') ? `${gene}${key}` : key, lookupKey: key };
  });
}
