// "No result on file": ordering a drug with actionable CPIC guidance for a patient whose gene was never tested
// suggests ordering the test (a ServiceRequest). The engine remembers the suggestion per patient and gene.
import { randomUUID } from 'node:crypto';
import type { ServiceRequest } from '@medplum/fhirtypes';
import { loadGuidanceKnowledge } from '../../pgx/recommend/knowledge.ts';
import { summary, type CardCandidate } from '../cards.ts';
import { cpicActionableGenes } from './gene-drug.ts';

/** Flaura's code for "pharmacogenomic genotyping of <gene>" (no LOINC panel code per gene is used). */
export const PGX_TEST_SYSTEM = 'https://flaura.dev/fhir/CodeSystem/pgx-test';

export function testCard(drug: string, untested: readonly string[], patientId: string, requester?: { reference: string }): CardCandidate | undefined {
  const genes = cpicActionableGenes(drug).filter((g) => untested.includes(g));
  if (genes.length === 0) return undefined;
  const url = (loadGuidanceKnowledge().byDrug.get(drug) ?? []).find((f) => f.source === 'CPIC')?.url;
  const request: ServiceRequest = {
    resourceType: 'ServiceRequest',
    status: 'draft',
    intent: 'proposal',
    category: [{ coding: [{ system: 'http://snomed.info/sct', code: '108252007', display: 'Laboratory procedure' }] }],
    code: { coding: genes.map((g) => ({ system: PGX_TEST_SYSTEM, code: g, display: `${g} genotyping` })), text: `Pharmacogenomic test: ${genes.join(', ')}` },
    subject: { reference: `Patient/${patientId}` },
    reasonCode: [{ text: `${drug} ordered; CPIC guidance depends on ${genes.join(', ')}` }],
    ...(requester ? { requester } : {}),
  };
  return {
    kind: 'pgx-test',
    drug,
    genes,
    issueKey: `pgx-test|${genes.join('+')}`,
    card: {
      uuid: randomUUID(),
      summary: summary(`No ${genes.join('/')} result on file: consider a pharmacogenomic test before ${drug}`),
      detail: `CPIC gives actionable ${drug} advice by ${genes.join(' and ')} result, and this patient has no ${genes.join('/')} result stored. A test result would show whether ${drug} suits them. This suggestion is shown once per patient and gene.`,
      indicator: 'info',
      source: { label: 'CPIC', ...(url ? { url } : {}) },
      suggestions: [{ label: `Order ${genes.join(' + ')} genotyping`, uuid: randomUUID(), isRecommended: true, actions: [{ type: 'create', description: `Pharmacogenomic test for ${genes.join(', ')}`, resource: request }] }],
      selectionBehavior: 'at-most-one',
      ...(url ? { links: [{ label: 'CPIC guideline', url, type: 'absolute' as const }] } : {}),
    },
  };
}
