// Drug-drug-gene interactions (phenoconversion): a co-medication that inhibits or induces an enzyme changes the
// patient's effective phenotype. Pure: knowledge and medications in, adjusted results and explanations out.
import modulatorData from '../../../../data/ddi/cyp-modulators.json' with { type: 'json' };
import ruleData from '../../../../data/ddi/phenoconversion-rules.json' with { type: 'json' };
import type { GenePhenotype } from '../model.ts';

export type Strength = 'strong' | 'moderate' | 'weak';

export interface Modulator {
  enzyme: string;
  drug: string;
  effect: 'inhibitor' | 'inducer';
  strength: Strength;
  source: string;
  conditional: boolean;
  regimen: boolean;
  nonDrug: boolean;
}

export interface PhenoconversionRule {
  gene: string;
  enzyme: string;
  kind: 'activity-score' | 'advisory';
  inhibitor?: Partial<Record<Strength, number>>;
  roundTo?: number;
  advisoryOnly: boolean;
  strengths?: Strength[];
  effects?: ('inhibitor' | 'inducer')[];
  source: string;
  sourceUrl: string;
}

/** A medication the patient takes, as a CDS request or the chart names it. */
export interface Medication {
  /** Free text or display, e.g. `fluoxetine 20 MG Oral Capsule`. */
  name: string;
  rxnorm?: string;
}

/** Why an effective phenotype differs from the genotype's (or may differ, for advisory rules). */
export interface PhenoconversionNote {
  gene: string;
  drug: string;
  medication: string;
  effect: 'inhibitor' | 'inducer';
  strength: Strength;
  advisoryOnly: boolean;
  genotypeActivityScore?: string;
  effectiveActivityScore?: string;
  source: string;
  sourceUrl: string;
}

export interface PhenoconversionResult {
  /** The phenotypes to use for prescribing, after applying the rules (unchanged for advisory rules). */
  effective: GenePhenotype[];
  notes: PhenoconversionNote[];
}

export const modulators: readonly Modulator[] = modulatorData.modulators as Modulator[];
export const phenoconversionRules: readonly PhenoconversionRule[] = ruleData.rules as PhenoconversionRule[];

/** Ingredient names appear as whole words in RxNorm display names (`fluoxetine 20 MG Oral Capsule`). */
function mentions(medication: Medication, drug: string): boolean {
  const text = ` ${medication.name.toLowerCase().replace(/[^a-z0-9]+/g, ' ')} `;
  return text.includes(` ${drug.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim()} `);
}

/** The modulators of `enzyme` among the medications (regimens, non-drugs and conditional rows are not matched). */
export function findModulators(enzyme: string, medications: readonly Medication[], known: readonly Modulator[] = modulators): { modulator: Modulator; medication: Medication }[] {
  const found: { modulator: Modulator; medication: Medication }[] = [];
  for (const modulator of known) {
    if (modulator.enzyme !== enzyme || modulator.regimen || modulator.nonDrug || modulator.conditional) continue;
    for (const medication of medications) if (mentions(medication, modulator.drug)) found.push({ modulator, medication });
  }
  return found;
}

function formatScore(score: number): string {
  return score.toFixed(score * 100 % 10 === 0 ? 1 : 2);
}

/**
 * Applies the phenoconversion rules. `phenotypeForScore` maps an adjusted activity score to the gene's phenotype
 * (the CPIC bins; supplied by the phenotyper so the bins stay in one place).
 */
export function applyPhenoconversion(
  phenotypes: readonly GenePhenotype[],
  medications: readonly Medication[],
  phenotypeForScore: (gene: string, activityScore: string) => string | undefined,
  rules: readonly PhenoconversionRule[] = phenoconversionRules,
  known: readonly Modulator[] = modulators,
): PhenoconversionResult {
  const notes: PhenoconversionNote[] = [];
  const effective = phenotypes.map((p) => {
    const rule = rules.find((r) => r.gene === p.gene);
    if (!rule) return p;
    const found = findModulators(rule.enzyme, medications, known);
    if (rule.kind === 'advisory') {
      for (const { modulator, medication } of found) {
        if (!rule.strengths?.includes(modulator.strength) || !rule.effects?.includes(modulator.effect)) continue;
        notes.push({ gene: p.gene, drug: modulator.drug, medication: medication.name, effect: modulator.effect, strength: modulator.strength, advisoryOnly: true, source: rule.source, sourceUrl: rule.sourceUrl });
      }
      return p;
    }
    const score = p.activityScore === undefined ? NaN : Number(p.activityScore.replace(/^≥/, ''));
    // The strongest inhibitor decides: factors are not multiplied together (no source supports stacking them).
    const inhibitors = found.filter(({ modulator }) => modulator.effect === 'inhibitor' && rule.inhibitor?.[modulator.strength] !== undefined);
    if (inhibitors.length === 0 || Number.isNaN(score)) return p;
    const strongest = inhibitors.reduce((a, b) => (rule.inhibitor![a.modulator.strength]! <= rule.inhibitor![b.modulator.strength]! ? a : b));
    const factor = rule.inhibitor![strongest.modulator.strength]!;
    const step = rule.roundTo ?? 0.25;
    const adjusted = Math.floor((score * factor) / step + 1e-9) * step;
    const adjustedText = formatScore(adjusted);
    const phenotype = phenotypeForScore(p.gene, adjustedText) ?? p.phenotype;
    for (const { modulator, medication } of inhibitors) {
      notes.push({
        gene: p.gene,
        drug: modulator.drug,
        medication: medication.name,
        effect: modulator.effect,
        strength: modulator.strength,
        advisoryOnly: false,
        genotypeActivityScore: p.activityScore,
        effectiveActivityScore: adjustedText,
        source: rule.source,
        sourceUrl: rule.sourceUrl,
      });
    }
    return { ...p, phenotype, activityScore: adjustedText, lookupKey: adjustedText };
  });
  return { effective, notes };
}
