// What a Flaura caller may see of a patient's context: each stored resource the call can use is decided by
// the access policy (the patient's consent, break-the-glass; each decision audited), like a FHIR read. Withheld
// phenotype results are left out and their genes named, so the card can say a result exists but is not shared
// (no test is suggested for them). Withheld medications are left out.
import type { Observation, Resource } from '@medplum/fhirtypes';
import { geneOf } from '../pgx/storage/read-back.ts';
import { phenotypesFrom, type PatientData } from './patient-data.ts';

export type MayRead = (resource: Resource) => Promise<boolean>;

export type VisibleContext = PatientData & { withheldGenes: Set<string> };

/**
 * Only what this call can use is decided (and so audited): phenotype results of `genes` (the guidance genes of the
 * drugs at hand) and medications with a recognised ingredient; the rest cannot change a card and is left out.
 */
export async function visibleContext(data: PatientData, mayRead: MayRead, genes: ReadonlySet<string>): Promise<VisibleContext> {
  // One after the other: the first decision loads the patient's consents, the rest are decided from memory.
  const observations: Observation[] = [];
  const withheld = new Set<string>();
  for (const o of data.observations) {
    const gene = typeof o.code === 'object' && o.code !== null ? geneOf(o) : undefined;
    if (!gene || !genes.has(gene)) continue;
    if (await mayRead(o)) observations.push(o);
    else withheld.add(gene);
  }
  const medications = [];
  for (const m of data.medications) if (m.ingredients.length > 0 && (await mayRead(m.resource))) medications.push(m);
  const { phenotypes, tested } = phenotypesFrom(observations);
  for (const g of tested) withheld.delete(g); // another, visible result of the gene is used
  // Genes outside `genes` keep counting as tested (no card here looks at them).
  const testedGenes = new Set([...[...data.testedGenes].filter((g) => !genes.has(g)), ...tested, ...withheld]);
  return { ...data, observations, phenotypes, testedGenes, medications, withheldGenes: withheld };
}
