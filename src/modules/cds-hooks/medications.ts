// Which drugs a MedicationRequest or MedicationStatement is about: RxNorm ingredient codes (data/ddi/rxnorm-drugs.json)
// and, for product codes the map does not hold (e.g. `309362 clopidogrel 75 MG Oral Tablet`), ingredient names as
// whole words of the coding display or text, the way RxNorm names clinical drugs.
import type { CodeableConcept, Medication, MedicationRequest, MedicationStatement } from '@medplum/fhirtypes';
import rxnormData from '../../../data/ddi/rxnorm-drugs.json' with { type: 'json' };
import pddiData from '../../../data/ddi/pddi/rules.json' with { type: 'json' };
import { loadGuidanceKnowledge } from '../pgx/recommend/knowledge.ts';
import { modulators } from '../pgx/phenoconversion/index.ts';

export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

const nameByRxcui = new Map(rxnormData.drugs.map((d) => [d.rxcui, d.name]));
const rxcuiByName = new Map(rxnormData.drugs.map((d) => [d.name, d.rxcui]));

/** Every ingredient name the knowledge can act on, longest first (so `peginterferon alfa-2b` wins over shorter names). */
const knownNames: readonly string[] = [
  ...new Set([...loadGuidanceKnowledge().drugs.map((d) => d.name), ...Object.values(pddiData.groups).flat(), ...modulators.map((m) => m.drug), ...nameByRxcui.values()]),
].sort((a, b) => b.length - a.length);

/** A medication of the request or the chart, with the ingredients recognised in it. */
export interface MedicationUse {
  /** `MedicationRequest/<id>` or `MedicationStatement/<id>` (drafts: the id the client gave). */
  reference: string;
  /** Display text: the concept text, first coding display, or the ingredient names. */
  text: string;
  ingredients: string[];
  /** RxNorm code of the order (any term type), when coded. */
  rxnorm?: string;
  /** The whole resource (drafts are echoed back in `update` suggestions). */
  resource: MedicationRequest | MedicationStatement;
  source: 'draft' | 'active-request' | 'active-statement';
}

function normalise(text: string): string {
  return ` ${text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim()} `;
}

const normalisedNames: readonly [string, string][] = knownNames.map((n) => [n, normalise(n)]);

/** Ingredient names recognised in a concept (RxNorm ingredient codes first, then names in the texts). */
export function ingredientsOf(concept: CodeableConcept | undefined): string[] {
  const out = new Set<string>();
  for (const c of concept?.coding ?? []) {
    if (c.system === RXNORM && c.code) {
      const name = nameByRxcui.get(c.code);
      if (name) out.add(name);
    }
  }
  const text = normalise([concept?.text, ...(concept?.coding ?? []).map((c) => c.display)].filter(Boolean).join(' '));
  for (const [name, normalised] of normalisedNames) if (text.includes(normalised)) out.add(name);
  return [...out];
}

function conceptOf(resource: MedicationRequest | MedicationStatement): CodeableConcept | undefined {
  if (resource.medicationCodeableConcept) return resource.medicationCodeableConcept;
  const ref = resource.medicationReference?.reference;
  if (ref?.startsWith('#')) {
    const contained = (resource.contained ?? []).find((c) => c.resourceType === 'Medication' && c.id === ref.slice(1)) as Medication | undefined;
    return contained?.code;
  }
  return resource.medicationReference?.display ? { text: resource.medicationReference.display } : undefined;
}

export function medicationUse(resource: MedicationRequest | MedicationStatement, source: MedicationUse['source']): MedicationUse {
  const concept = conceptOf(resource);
  const ingredients = ingredientsOf(concept);
  const rxnorm = concept?.coding?.find((c) => c.system === RXNORM && c.code)?.code;
  const text = concept?.text ?? concept?.coding?.find((c) => c.display)?.display ?? ingredients.join(' / ');
  return { reference: `${resource.resourceType}/${resource.id ?? ''}`, text, ingredients, ...(rxnorm ? { rxnorm } : {}), resource, source };
}

/** The RxNorm ingredient code of a drug name, when the map holds it. */
export function rxcuiOf(name: string): string | undefined {
  return rxcuiByName.get(name);
}

/** A dose form given on the skin (the PDDI topical-diclofenac branch). */
export function isTopical(use: MedicationUse, pattern: string): boolean {
  const route = (use.resource as MedicationRequest).dosageInstruction?.[0]?.route ?? (use.resource as MedicationStatement).dosage?.[0]?.route;
  const texts = [use.text, route?.text, ...(route?.coding ?? []).map((c) => c.display)].filter(Boolean).join(' ');
  return new RegExp(`\\b(?:${pattern})\\b`, 'i').test(texts);
}
