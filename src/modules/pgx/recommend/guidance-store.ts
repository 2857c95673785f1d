// Stored (deduplicated) form of a guideline file: repeated texts are kept once in `texts` and referenced by index.
import type { GuidelineFile, GuidelineRecommendation } from './guidance-types.ts';

/** A recommendation as stored: `text` and `implications` are indexes into the file's `texts`. */
export type StoredRecommendation = Omit<GuidelineRecommendation, 'text' | 'implications'> & { text: number; implications: number[] };

/** A guideline file as stored in data/pgx/guidance/{cpic,dpwg}/. */
export type StoredGuidelineFile = Omit<GuidelineFile, 'recommendations'> & { texts: string[]; recommendations: StoredRecommendation[] };

/** Replaces texts by indexes into a shared, first-seen-ordered table (deterministic). */
export function deflateGuideline(file: GuidelineFile): StoredGuidelineFile {
  const texts: string[] = [];
  const index = new Map<string, number>();
  const ref = (t: string): number => {
    let i = index.get(t);
    if (i === undefined) {
      i = texts.length;
      texts.push(t);
      index.set(t, i);
    }
    return i;
  };
  const recommendations = file.recommendations.map((r) => ({ ...r, text: ref(r.text), implications: r.implications.map(ref) }));
  return { ...file, texts, recommendations };
}

/** Restores the full texts of a stored guideline file. */
export function inflateGuideline(stored: StoredGuidelineFile): GuidelineFile {
  const { texts, ...rest } = stored;
  const at = (i: number): string => texts[i] ?? '';
  return { ...rest, recommendations: stored.recommendations.map((r) => ({ ...r, text: at(r.text), implications: r.implications.map(at) })) };
}

/** JSON with one recommendation / text per line: compact yet diff-friendly. */
export function serialiseStoredGuideline(stored: StoredGuidelineFile): string {
  const { texts, recommendations, ...head } = stored;
  const lines = [
    '{',
    ...Object.entries(head).map(([k, v]) => ` ${JSON.stringify(k)}: ${JSON.stringify(v)},`),
    ' "texts": [',
    texts.map((t) => `  ${JSON.stringify(t)}`).join(',\n'),
    ' ],',
    ' "recommendations": [',
    recommendations.map((r) => `  ${JSON.stringify(r)}`).join(',\n'),
    ' ]',
    '}',
  ];
  return lines.join('\n') + '\n';
}
