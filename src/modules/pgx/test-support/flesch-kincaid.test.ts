// The readability helper against hand-counted texts.
import { describe, expect, it } from 'vitest';
import { fleschKincaidGrade, syllables } from './flesch-kincaid.ts';

describe('Flesch–Kincaid', () => {
  it('counts syllables of common words', () => {
    expect([syllables('the'), syllables('medicine'), syllables('doctor'), syllables('table'), syllables('body')]).toEqual([1, 3, 2, 2, 2]);
  });
  it('scores simple text low and dense text high', () => {
    expect(fleschKincaidGrade('The cat sat on the mat. The dog ran.')).toBeLessThan(2);
    expect(fleschKincaidGrade('Pharmacogenomic interpretation necessitates comprehensive consideration of heterogeneous metabolizer phenotypes.')).toBeGreaterThan(16);
  });
});
