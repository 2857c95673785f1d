// Flesch–Kincaid grade level (Kincaid et al. 1975): 0.39·words/sentences + 11.8·syllables/words − 15.59.

/** Syllables by vowel groups, minus a silent final e, at least one per word (the usual heuristic). */
export function syllables(word: string): number {
  const w = word.toLowerCase().replace(/[^a-z]/g, '');
  if (w.length === 0) return 0;
  if (w.length <= 3) return 1;
  const groups = w.replace(/(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$/, '').replace(/^y/, '').match(/[aeiouy]{1,2}/g);
  return Math.max(1, groups?.length ?? 1);
}

/** Grade level of a text; sentences end at . ! ? or a line break. */
export function fleschKincaidGrade(text: string): number {
  const sentences = text.split(/[.!?]+\s|\n+|[.!?]+$/).filter((s) => /[a-z]/i.test(s));
  const words = text.split(/\s+/).filter((w) => /[a-z]/i.test(w));
  if (sentences.length === 0 || words.length === 0) return 0;
  const syl = words.reduce((n, w) => n + syllables(w), 0);
  return 0.39 * (words.length / sentences.length) + 11.8 * (syl / words.length) - 15.59;
}
