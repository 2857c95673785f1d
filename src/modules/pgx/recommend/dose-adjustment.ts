// Derives a structured dose adjustment from a recommendation's plain text by ordered, documented rules
// (docs/methods/pgx-phenotypes.md, "Dose adjustments"); applied once at build time, never per drug.

/** What the guideline tells the prescriber to do with the dose. */
export interface DoseAdjustment {
  kind: 'reduce' | 'increase' | 'avoid' | 'standard' | 'titrate';
  /** Dose as a percentage of the standard dose when the text states one (lower bound of a range). */
  percentOfStandard?: number;
  /** The stated range, e.g. [30, 80] for "30–80% of the normal starting dose". */
  percentRange?: [number, number];
  /** The sentence the adjustment was read from. */
  text: string;
}

const NUM = String.raw`(\d+(?:\.\d+)?)`;
const RANGE = String.raw`${NUM}%?(?:\s*(?:-|–|to)\s*${NUM})?\s*%`;
/** "…of the standard/normal/… (starting/initial/…) dose": the dose the percentage refers to (not e.g. "70% of normal activity"). */
const DOSE_REF = String.raw`(?:the )?(?:standard|normal|usual|recommended|initial|starting|calculated|lowest)(?:\s+[\w-]+){0,2}?\s+dos(?:e|es|ing|age)\b`;

/** Percent patterns, in order: "X% of (the) standard dose", "reduce … by X%", "increase … by X%", "N-fold". */
const PERCENT_RULES: Array<{ re: RegExp; toPercent: (a: number) => number; kind: DoseAdjustment['kind'] }> = [
  { re: new RegExp(`${RANGE} of ${DOSE_REF}`, 'i'), toPercent: (a) => a, kind: 'reduce' },
  { re: new RegExp(`${RANGE} (?:reduction|decrease)`, 'i'), toPercent: (a) => 100 - a, kind: 'reduce' },
  { re: new RegExp(`${NUM}(?:\\s*(?:-|–|to)\\s*${NUM})? times (?:the )?(?:standard|normal|usual|recommended)`, 'i'), toPercent: (a) => a * 100, kind: 'reduce' },
  { re: new RegExp(`(?:reduce|decrease|lower)\\w*[^.%]{0,80}?by ${RANGE}`, 'i'), toPercent: (a) => 100 - a, kind: 'reduce' },
  { re: new RegExp(`increase\\w*[^.%]{0,80}?by ${RANGE}`, 'i'), toPercent: (a) => 100 + a, kind: 'increase' },
  { re: new RegExp(`(?:reduce|decrease)\\w*[^.]{0,60}?by ${NUM}-fold`, 'i'), toPercent: (a) => 100 / a, kind: 'reduce' },
  { re: new RegExp(`${NUM}-fold higher dose`, 'i'), toPercent: (a) => 100 * a, kind: 'increase' },
];

/** Keyword rules, in order of precedence, tried on the first sentence and then on the whole text. */
const KIND_RULES: Array<{ kind: DoseAdjustment['kind']; re: RegExp }> = [
  // "avoid … CYP2D6 inhibitors" is about co-medication, not this drug
  { kind: 'avoid', re: /\b(avoid(?!(?:\s+[\w-]+){0,4}\s+(?:inhibitors|inducers)\b)|do not use|not recommended|contraindicated|should not be used|(?:use|select|prescribe|choose|consider) (?:an )?alternative)\b/i },
  // "use X% of the standard dose": a stated share of the standard dose (the percent decides reduce vs increase)
  { kind: 'reduce', re: new RegExp(`\\b${RANGE} of ${DOSE_REF}`, 'i') },
  { kind: 'reduce', re: /\b(reduced?|reduction|decreased?|lower(?:ed)?|lowest)\b(?:\s+\S+){0,4}?\s+(?:dose|dosage|doses|starting)\b|\b(reduce|decrease|lower)\b the (?:starting |initial )?dose|(?<![\d.])0?\.\d+ times (?:the )?(?:standard|normal)/i },
  { kind: 'increase', re: /\b(increase|higher)\b(?:\s+\S+){0,3}?\s+(?:dose|dosage|doses)\b|\bincreased (?:starting |maintenance )?dose|\b[1-9](?:\.\d+)?(?:\s*(?:-|–|to)\s*\d+(?:\.\d+)?)? times (?:the )?(?:standard|normal|usual|recommended)/i },
  { kind: 'titrate', re: /\b(titrat\w*|therapeutic drug monitoring|monitor \w+ (?:levels|concentrations)|TDM)\b/i },
  { kind: 'standard', re: /\b(standard|normal|usual|typical|recommended|label[- ]recommended)\b[^.]{0,30}\b(doses?|dosing|dosage|starting dose)\b|\binitiate therapy with (?:the )?recommended\b|\bno (?:dose |dosing )?adjustments? (?:is |are )?(?:needed|necessary|required)\b/i },
];

/** The first sentence of the first line, after a list marker (`- `, `1. `) if any. */
function firstSentence(text: string): string {
  const line = text.trim().replace(/^(?:[-*]|\d+\.)\s+/, '');
  const m = /^[^\n]*?[.!?](?=\s|$)|^[^\n]+/.exec(line);
  return (m ? m[0] : line).trim();
}

/** The rule whose phrase comes first wins (ties: rule order), so the leading advice decides. */
function earliestRule(text: string): { kind: DoseAdjustment['kind']; re: RegExp } | undefined {
  let best: { kind: DoseAdjustment['kind']; re: RegExp; at: number } | undefined;
  for (const rule of KIND_RULES) {
    const m = rule.re.exec(text);
    if (m && (best === undefined || m.index < best.at)) best = { ...rule, at: m.index };
  }
  return best;
}

function percentFrom(sentence: string): Pick<DoseAdjustment, 'percentOfStandard' | 'percentRange' | 'kind'> | undefined {
  for (const rule of PERCENT_RULES) {
    const m = rule.re.exec(sentence);
    if (!m || m[1] === undefined) continue;
    const a = rule.toPercent(Number(m[1]));
    const b = m[2] !== undefined ? rule.toPercent(Number(m[2])) : undefined;
    const kind = rule.kind === 'reduce' && a > 100 ? 'increase' : rule.kind;
    if (b === undefined) return { kind, percentOfStandard: Math.round(a * 100) / 100 };
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    return { kind, percentOfStandard: lo, percentRange: [lo, hi] };
  }
  return undefined;
}

/**
 * Reads the adjustment from recommendation text: the earliest rule phrase in the first sentence decides (a
 * guideline leads with its action), else the earliest in the whole text; a stated percentage refines
 * `reduce`/`increase`. Returns undefined when no rule fires (e.g. "No recommendation").
 */
export function deriveDoseAdjustment(plainText: string): DoseAdjustment | undefined {
  const first = firstSentence(plainText);
  const inFirst = earliestRule(first);
  const rule = inFirst ?? earliestRule(plainText);
  if (!rule) return undefined;
  const sentence = inFirst ? first : sentenceMatching(plainText, rule.re);
  const pct = rule.kind === 'reduce' || rule.kind === 'increase' ? percentFrom(sentence) ?? (inFirst ? undefined : percentFrom(plainText)) : undefined;
  return pct ? { ...pct, text: sentence } : { kind: rule.kind, text: sentence };
}

function sentenceMatching(text: string, re: RegExp): string {
  const sentences = text.split(/(?<=[.!?])\s+|\n+/);
  return (sentences.find((s) => re.test(s)) ?? text).trim();
}
