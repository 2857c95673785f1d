// Converts one PharmCAT guideline-annotation file (CPIC or DPWG) into Flaura's compact recommendation format.
import { deriveDoseAdjustment } from '../../src/modules/pgx/recommend/dose-adjustment.ts';
import type { GuidelineFile, GuidelineRecommendation } from '../../src/modules/pgx/recommend/guidance-types.ts';
import { canonicalDiplotype } from '../../src/modules/pgx/phenotype/table.ts';
import { htmlToMarkdown, markdownToPlain } from '../../src/modules/pgx/recommend/html-to-markdown.ts';

interface SourceRecommendation {
  id: string;
  population: string | null;
  classification: { term: string } | null;
  relatedChemicals: Array<{ name: string }>;
  text: { html: string } | null;
  implications: string[];
  lookupKey: Record<string, string | Record<string, number>>;
  dosingInformation: boolean;
  alternateDrugAvailable: boolean;
  otherPrescribingGuidance: boolean;
}

/** The subset of a guideline annotation JSON file that the build reads. */
export interface SourceGuideline {
  guideline: { id: string; name: string; source: string; version: number; url: string; relatedChemicals: Array<{ id: string; name: string }>; relatedGenes: Array<{ symbol: string }> };
  recommendations: SourceRecommendation[];
  citations: Array<{ pmid: string | null; title: string; year: number | null }>;
  version: string;
}

/** CPIC's UI-only pseudo key ("xN is not a valid input") is not a patient result; such rows are dropped. */
const UI_ONLY_KEYS = new Set(['xN combinations']);

/**
 * Normalises a lookup-key value: a diplotype given as allele counts becomes `diplotype:<canonical>`;
 * DPWG's `1.0 (Intermediate Metabolizer)` style DPYD keys become the bare score (the phenotype in
 * brackets is implied by the score); everything else is kept as written.
 */
export function normaliseLookupValue(value: string | Record<string, number>): string {
  if (typeof value !== 'string') {
    const alleles = Object.entries(value).flatMap(([a, n]) => Array.from({ length: Math.round(n) }, () => a));
    return `diplotype:${canonicalDiplotype(alleles)}`;
  }
  const m = /^(\d+\.\d+) \((?:Poor|Intermediate|Normal) Metabolizer\)$/.exec(value);
  return m?.[1] ?? value;
}

function convertRecommendation(r: SourceRecommendation): GuidelineRecommendation | undefined {
  if (Object.values(r.lookupKey).some((v) => typeof v === 'string' && UI_ONLY_KEYS.has(v))) return undefined;
  const text = r.text ? htmlToMarkdown(r.text.html) : '';
  const lookupKey: Record<string, string> = {};
  for (const gene of Object.keys(r.lookupKey).sort()) lookupKey[gene] = normaliseLookupValue(r.lookupKey[gene] as string | Record<string, number>);
  const dose = r.dosingInformation || r.alternateDrugAvailable || /standard|normal|usual|recommended/i.test(text) ? deriveDoseAdjustment(markdownToPlain(text)) : undefined;
  return {
    id: r.id,
    drugs: r.relatedChemicals.map((c) => c.name).sort(),
    lookupKey,
    population: r.population ?? undefined,
    classification: r.classification?.term ?? undefined,
    implications: r.implications.map((i) => i.replace(/&gt;/g, '>').replace(/&lt;/g, '<')),
    text,
    alternateDrugAvailable: r.alternateDrugAvailable,
    dosingInformation: r.dosingInformation,
    otherPrescribingGuidance: r.otherPrescribingGuidance,
    ...(dose ? { doseAdjustment: dose } : {}),
  };
}

/** Converts a whole annotation; returns the file and the number of UI-only rows dropped. */
export function convertGuideline(src: SourceGuideline, source: 'CPIC' | 'DPWG'): { file: GuidelineFile; dropped: number } {
  const recs: GuidelineRecommendation[] = [];
  let dropped = 0;
  for (const r of src.recommendations) {
    const c = convertRecommendation(r);
    if (c) recs.push(c);
    else dropped++;
  }
  return {
    dropped,
    file: {
      id: src.guideline.id,
      name: src.guideline.name,
      source,
      url: src.guideline.url,
      annotationVersion: src.guideline.version,
      snapshot: src.version,
      drugs: src.guideline.relatedChemicals.map((c) => ({ name: c.name, pharmgkbId: c.id })).sort((a, b) => a.name.localeCompare(b.name)),
      genes: src.guideline.relatedGenes.map((g) => g.symbol).sort(),
      citations: src.citations.map((c) => ({ ...(c.pmid ? { pmid: c.pmid } : {}), title: c.title, ...(c.year ? { year: c.year } : {}) })),
      recommendations: recs,
    },
  };
}
