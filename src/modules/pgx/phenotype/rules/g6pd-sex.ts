// G6PD is X-linked: males are hemizygous (one allele), females have two (CPIC G6PD guideline, Gammal et al., CPT 2023).
import type { PgxWarning } from '../../model.ts';
import type { Sex } from '../types.ts';

/**
 * The alleles to look up for a G6PD call. Males: one allele; a homozygous-looking call (`A-/A-`, from a
 * diploid VCF) is read as the single X allele, a heterozygous one is impossible and gives a warning.
 * Females: two alleles. Unknown sex: as called (two alleles, or one for a hemizygous call).
 */
export function g6pdAlleles(alleles: readonly string[], sex: Sex | undefined): { alleles: string[]; warning?: PgxWarning } {
  if (sex === 'male') {
    const distinct = [...new Set(alleles)];
    if (distinct.length === 1 && distinct[0] !== undefined) return { alleles: [distinct[0]] };
    return { alleles: [], warning: { code: 'G6PD_MALE_HETEROZYGOUS', message: `G6PD ${alleles.join('/')}: a male has one X chromosome, so two different alleles cannot be interpreted.` } };
  }
  if (sex === 'female' && alleles.length === 1) {
    return { alleles: [], warning: { code: 'G6PD_FEMALE_HEMIZYGOUS', message: `G6PD ${alleles.join('/')}: a female has two X alleles; a single allele cannot be interpreted.` } };
  }
  return { alleles: [...alleles] };
}
