// Plain-language patient explanation per gene and per affected medicine, from the templates in
// data/pgx/phenotypes/patient-explanations.json (tested to read at or below US grade 8).
import type { DoseAdjustment } from '../recommend/dose-adjustment.ts';
import type { PgxResult } from './types.ts';

/** The template file's shape. */
export interface PatientTemplates {
  version: string;
  genes: Record<string, string>;
  defaultGene: string;
  phenotypes: Array<{ match: string; text: string }>;
  defaultPhenotype: string;
  affects: string;
  drug: Record<DoseAdjustment['kind'] | 'other', string>;
  tellOthers: string;
  /** Plain-language notes per call warning code (e.g. CYP2D6 called from a VCF: copy number not assessed). */
  callWarnings?: Record<string, string>;
}

/** The explanation, as sections a renderer (or a patient portal) can lay out. */
export interface PatientExplanation {
  /** `text` is the prose; `medicines` the names it affects (listed, not part of the readability-tested prose). */
  genes: Array<{ gene: string; result: string; text: string; medicines: string[] }>;
  medicines: Array<{ drug: string; text: string }>;
  tellOthers: string;
}

/** Most cautious first: when guideline rows disagree (e.g. by population), the patient hears the safest advice. */
const CAUTION: Array<DoseAdjustment['kind']> = ['avoid', 'reduce', 'increase', 'titrate', 'standard'];

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
}

/** The patient-facing action for a drug: CPIC's rows when it has any for this patient, else DPWG's; most cautious kind. */
function drugKind(d: PgxResult['drugs'][number]): DoseAdjustment['kind'] | 'other' {
  const cpic = d.recommendations.filter((m) => m.source === 'CPIC');
  const rows = cpic.length > 0 ? cpic : d.recommendations;
  const kinds = rows.map((m) => m.recommendation.doseAdjustment?.kind).filter((k): k is DoseAdjustment['kind'] => k !== undefined);
  return CAUTION.find((c) => kinds.includes(c)) ?? 'other';
}

/**
 * Builds the explanation. A medicine is "affected" when its advice is anything but the usual dose; a gene
 * lists the affected medicines whose matched rows are keyed on that gene. Allele-presence genes explain the
 * alleles found (negatives only when nothing was found).
 */
export function patientExplanation(result: PgxResult, templates: PatientTemplates): PatientExplanation {
  const phenotypeRules = templates.phenotypes.map((p) => ({ re: new RegExp(p.match), text: p.text }));
  const affected = result.drugs
    .filter((d) => d.status === 'recommendation')
    .map((d) => ({ drug: d, kind: drugKind(d) }))
    .filter((x) => x.kind !== 'standard');
  const genes = result.genes.map((g) => {
    const relevant = g.phenotypes.filter((p) => !/negative$|non-carrier$/.test(p.lookupKey));
    const shown = relevant.length > 0 ? relevant : g.phenotypes.slice(0, 1);
    const meanings = [...new Set(shown.map((p) => fill(phenotypeRules.find((r) => r.re.test(p.phenotype) || r.re.test(p.lookupKey))?.text ?? templates.defaultPhenotype, { allele: p.lookupKey.split(' ')[0] ?? '' })))];
    const drugs = affected.filter((x) => x.drug.recommendations.some((m) => g.gene in m.lookupKey)).map((x) => x.drug.drug);
    const affects = drugs.length > 0 ? ` ${templates.affects}` : '';
    const caveats = [...new Set(g.call.warnings.flatMap((w) => templates.callWarnings?.[w.code] ?? []))].map((t) => ` ${t}`).join('');
    return { gene: g.gene, result: [...new Set(shown.map((p) => p.phenotype))].join(' or '), text: `${templates.genes[g.gene] ?? templates.defaultGene} ${meanings.join(' ')}${caveats}${affects}`, medicines: drugs };
  });
  const medicines = affected.map((x) => ({ drug: x.drug.drug, text: templates.drug[x.kind] }));
  return { genes, medicines, tellOthers: templates.tellOthers };
}

/** The prose of the explanation without the medicine-name lists (what the readability test measures). */
export function patientProse(e: PatientExplanation): string {
  return [...e.genes.map((g) => g.text), ...e.medicines.map((m) => m.text), e.tellOthers].join('\n');
}

/** Plain-text rendering of the explanation. */
export function patientExplanationText(e: PatientExplanation): string {
  const lines = ['YOUR GENE RESULTS AND YOUR MEDICINES', ''];
  for (const g of e.genes) lines.push(`${g.gene} (${g.result})`, g.text, ...g.medicines.map((m) => `  - ${m}`), '');
  if (e.medicines.length > 0) {
    lines.push('MEDICINES TO TALK ABOUT', '');
    for (const m of e.medicines) lines.push(`${m.drug.charAt(0).toUpperCase()}${m.drug.slice(1)}: ${m.text}`);
    lines.push('');
  }
  lines.push('WHAT TO TELL OTHER DOCTORS', '', e.tellOthers, '');
  return lines.join('\n');
}
