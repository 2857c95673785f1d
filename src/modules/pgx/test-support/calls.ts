// Test helpers: GeneCall values as the matcher would produce them.
import type { GeneCall } from '../model.ts';

/** A GeneCall with the given tied diplotypes (`*1/*2` style names). */
export function call(gene: string, ...diplotypes: string[]): GeneCall {
  return {
    gene,
    source: 'vcf',
    diplotypes: diplotypes.map((name, i) => {
      const [allele1 = '', allele2 = ''] = name.split('/');
      return { name, allele1, allele2, score: 10 - i };
    }),
    missingPositions: [],
    phased: false,
    warnings: [],
  };
}
