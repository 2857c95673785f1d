// Reading stored PGx resources back: paged search, and which genes an Observation of report/fhir.ts is about.
import type { Bundle, Observation, Resource } from '@medplum/fhirtypes';
import type { FhirStore } from '../../../fhir/store/types.ts';
import { FLAURA_PGX_CODES } from '../report/fhir.ts';
import { CODES, LOINC } from './conventions.ts';

/** Every match of a search, following `next` links; with each resource's current version id. */
export async function searchAll<T extends Resource>(store: FhirStore, type: string, params: Record<string, string>): Promise<{ resource: T; versionId: string }[]> {
  const out: { resource: T; versionId: string }[] = [];
  let query: URLSearchParams | undefined = new URLSearchParams({ ...params, _count: '1000' });
  for (let page = 0; query && page < 1000; page++) {
    const bundle: Bundle = await store.search(type, query);
    for (const e of bundle.entry ?? []) {
      if (e.resource?.resourceType === type && (e.search?.mode ?? 'match') === 'match') out.push({ resource: e.resource as T, versionId: e.resource.meta?.versionId ?? '1' });
    }
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    query = next ? new URL(next).searchParams : undefined;
  }
  return out;
}

export function hasLoinc(obs: Observation, code: string): boolean {
  return (obs.code.coding ?? []).some((c) => c.system === LOINC && c.code === code);
}

function componentHas(c: NonNullable<Observation['component']>[number], code: string): boolean {
  return (c.code.coding ?? []).some((x) => x.system === LOINC && x.code === code);
}

/** Gene of a genotype/phenotype Observation (gene-studied component). */
export function geneOf(obs: Observation): string | undefined {
  const c = (obs.component ?? []).find((x) => componentHas(x, CODES.geneStudied));
  return c?.valueCodeableConcept?.text ?? c?.valueCodeableConcept?.coding?.[0]?.display;
}

/** Genes an Observation is about: the gene studied (genotype, phenotype) or the genes of an implication's lookup key. */
export function observationGenes(obs: Observation): string[] {
  if (hasLoinc(obs, CODES.implication)) {
    return (obs.component ?? []).filter((x) => componentHas(x, CODES.phenotype)).flatMap((x) => (x.code.text ? [x.code.text] : []));
  }
  const gene = geneOf(obs);
  return gene ? [gene] : [];
}

/** Where a genotype/phenotype Observation's call came from (Observation.method, written by report/fhir.ts). */
export function observationSource(obs: Observation): 'vcf' | 'outside-call' | 'unknown' {
  const code = obs.method?.coding?.find((c) => c.system === FLAURA_PGX_CODES)?.code;
  return code === 'vcf' || code === 'outside-call' ? code : 'unknown';
}
