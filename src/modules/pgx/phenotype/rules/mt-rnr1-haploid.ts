// MT-RNR1 is mitochondrial (haploid): one variant decides the aminoglycoside hearing-loss risk (CPIC MT-RNR1 guideline, McDermott et al., CPT 2022).
import type { PgxWarning } from '../../model.ts';

/**
 * Mitochondrial calls are haploid: `m.1555A>G` or a VCF-style `m.1555A>G/m.1555A>G` both mean one
 * allele. Two different alleles (heteroplasmy, or a diploid caller's artefact) cannot be placed in the
 * CPIC table; the caller reports the call as indeterminate with this warning.
 */
export function mtRnr1Allele(alleles: readonly string[]): { alleles: string[]; warning?: PgxWarning } {
  const distinct = [...new Set(alleles)];
  if (distinct.length === 1 && distinct[0] !== undefined) return { alleles: [distinct[0]] };
  const variants = distinct.filter((a) => a !== 'Reference');
  if (variants.length === 1 && variants[0] !== undefined) {
    return { alleles: [variants[0]], warning: { code: 'MT_HETEROPLASMY', message: `MT-RNR1 ${alleles.join('/')}: read as ${variants[0]} (possible heteroplasmy).` } };
  }
  return { alleles: [], warning: { code: 'MT_MULTIPLE_VARIANTS', message: `MT-RNR1 ${alleles.join('/')}: more than one variant; cannot assign a risk.` } };
}
