// What a Flaura caller may see of a patient's context: every stored resource the context was read from is decided by
// the access policy (the patient's consent, break-the-glass; each decision audited), like a FHIR read. Withheld
// phenotype results are left out and their genes named, so the card can say a result exists but is not shared
// (no test is suggested for them). Withheld medications are left out.
import type { Observation, Resource } from '@medplum/fhirtypes';
import { geneOf } from '../pgx/storage/read-back.ts';
import { phenotypesFrom, type PatientData } from './patient-data.ts';

export type MayRead = (resource: Resource) => Promise<boolean>;

export type VisibleContext = PatientData & { withheldGenes: Set<string> };

export async function visibleContext(data: PatientData, mayRead: MayRead): Promise<VisibleContext> {
  // One after the other: the first decision loads the patient's consents, the rest are decided from memory.
  const observations: Observation[] = [];
  const withheld = new Set<string>();
  for (const o of data.observations) {
    if (await mayRead(o)) observations.push(o);
    else {
      const gene = typeof o.code === 'object' && o.code !== null ? geneOf(o) : undefined;
      if (gene) withheld.add(gene);
    }
  }
  const medications = [];
  for (const m of data.medications) if (await mayRead(m.resource)) medications.push(m);
  if (withheld.size === 0 && observations.length === data.observations.length && medications.length === data.medications.length) return { ...data, withheldGenes: withheld };
  const { phenotypes, tested } = phenotypesFrom(observations);
  for (const g of tested) withheld.delete(g); // another, visible result of the gene is used
  return { ...data, observations, phenotypes, testedGenes: new Set([...tested, ...withheld]), medications, withheldGenes: withheld };
}
