// IUPAC nucleotide codes used in allele definitions (e.g. CYP2C19 *2 `R` = A or G), NC-IUB 1984.
const CODES: Record<string, string> = {
  R: 'AG', Y: 'CT', S: 'CG', W: 'AT', K: 'GT', M: 'AC', B: 'CGT', D: 'AGT', H: 'ACT', V: 'ACG', N: 'ACGT',
};

/** True when the observed VCF allele satisfies the expected one (equal, or a single base within an IUPAC code). */
export function baseMatches(expected: string, observed: string): boolean {
  if (expected === observed) return true;
  if (observed.length !== 1) return false;
  const set = CODES[expected];
  return set !== undefined && set.includes(observed);
}
