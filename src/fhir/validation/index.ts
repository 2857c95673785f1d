// Validates resources against the official FHIR R4 JSON Schema (fhir.schema.json) with Ajv, a maintained JSON Schema
// validator: unknown elements, JSON types, primitive formats, required elements and required-binding codes.
// One compiled validator per resource type; nested resources (contained, Bundle entries, Parameters) are validated
// by their own type so errors name the right element.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { FlauraError, type IssueType } from '../../errors.ts';
import { getFhirDefinitions } from '../definitions/index.ts';

export interface ValidationIssue {
  severity: 'error' | 'warning';
  type: IssueType;
  diagnostics: string;
  /** FHIRPath-like location, e.g. `Patient.name[0].given[1]`. */
  expression: string;
}

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function validatorFor(resourceType: string): ValidateFunction {
  let v = validators.get(resourceType);
  if (v) return v;
  if (!ajv) {
    const schema = { ...getFhirDefinitions().jsonSchema() } as Record<string, unknown>;
    delete schema.$schema;
    delete schema.id;
    delete schema.oneOf;
    delete schema.discriminator;
    // Nested resources are checked separately by their own type (see nestedResources below).
    const definitions = { ...(schema.definitions as Record<string, unknown>), Resource: { type: 'object', required: ['resourceType'], properties: { resourceType: { type: 'string' } } } };
    // The official schema gives complex types properties but no `type`, so null, numbers, strings and arrays passed
    // where an element must be an object (e.g. `subject: null`, `coding: [0]`): say it is an object.
    for (const [name, def] of Object.entries(definitions)) {
      const d = def as Record<string, unknown>;
      if (d.properties && d.type === undefined) definitions[name as keyof typeof definitions] = { ...d, type: 'object' } as never;
    }
    // The schema build refers to a few definitions it does not ship (e.g. R5's integer64): accept any value there.
    for (const ref of JSON.stringify(schema).matchAll(/"#\/definitions\/([A-Za-z0-9_]+)"/g)) {
      if (!(ref[1]! in definitions)) (definitions as Record<string, unknown>)[ref[1]!] = {};
    }
    ajv = new Ajv({ strict: false, allErrors: true, allowUnionTypes: true });
    ajv.addSchema({ ...schema, definitions, $id: 'fhir' });
  }
  v = ajv.getSchema(`fhir#/definitions/${resourceType}`);
  if (!v) throw new Error(`No schema for ${resourceType}`);
  validators.set(resourceType, v);
  return v;
}

function toPath(root: string, pointer: string): string {
  let path = root;
  for (const part of pointer.split('/').slice(1)) path += /^\d+$/.test(part) ? `[${part}]` : `.${part.replace(/~1/g, '/').replace(/~0/g, '~')}`;
  return path;
}

function describe(e: ErrorObject): { type: IssueType; message: string; extraPath?: string } {
  switch (e.keyword) {
    case 'additionalProperties':
      return { type: 'structure', message: `Unknown element '${String(e.params.additionalProperty)}'`, extraPath: String(e.params.additionalProperty) };
    case 'required':
      return { type: 'required', message: `Missing required element '${String(e.params.missingProperty)}'`, extraPath: String(e.params.missingProperty) };
    case 'enum':
      return { type: 'code-invalid', message: `Value is not in the required value set (allowed: ${(e.params.allowedValues as unknown[]).join(', ')})` };
    case 'pattern':
      return { type: 'value', message: `Value does not match the FHIR primitive format ${String(e.params.pattern)}` };
    case 'type':
      return { type: 'structure', message: `Expected ${String(e.params.type)}` };
    case 'const':
      return { type: 'value', message: `Expected ${JSON.stringify(e.params.allowedValue)}` };
    default:
      return { type: 'invalid', message: e.message ?? e.keyword };
  }
}

/** Real calendar dates: the schema's regex accepts 2023-02-30. */
const DATE_LIKE = /^(\d{4})-(\d{2})-(\d{2})(T|$)/;
function checkDates(value: unknown, path: string, issues: ValidationIssue[]): void {
  if (typeof value === 'string') {
    const m = DATE_LIKE.exec(value);
    if (m) {
      const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      if (d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) issues.push({ severity: 'error', type: 'value', diagnostics: `'${value}' is not a real calendar date`, expression: path });
    }
  } else if (Array.isArray(value)) value.forEach((v, i) => checkDates(v, `${path}[${i}]`, issues));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (k !== 'div' && k !== 'resource' && k !== 'contained') checkDates(v, `${path}.${k}`, issues);
  }
}

/** Malformed references: relative `Type/id[/_history/v]`, absolute URL, `#local`, `urn:uuid:`/`urn:oid:`, conditional. */
const REFERENCE = /^(#[A-Za-z0-9\-.]{1,64}|#|urn:(uuid|oid):\S+|https?:\/\/\S+|[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?|[A-Z][A-Za-z]+\?\S*)$/;
function checkReferences(value: unknown, path: string, issues: ValidationIssue[]): void {
  if (Array.isArray(value)) value.forEach((v, i) => checkReferences(v, `${path}[${i}]`, issues));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') {
        const type = /^([A-Z][A-Za-z]+)[/?]/.exec(v)?.[1];
        if (!REFERENCE.test(v) || (type && !getFhirDefinitions().isResourceType(type))) issues.push({ severity: 'error', type: 'value', diagnostics: `Malformed reference '${v}'`, expression: `${path}.reference` });
      } else if (k !== 'resource' && k !== 'contained') checkReferences(v, `${path}.${k}`, issues);
    }
  }
}

/** Cardinality minimums of the resource and its backbone elements (R4 StructureDefinition `min`). */
function checkRequired(value: unknown, definitionPath: string, path: string, required: ReadonlyMap<string, readonly string[]>, issues: ValidationIssue[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkRequired(v, definitionPath, `${path}[${i}]`, required, issues));
    return;
  }
  if (!value || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  for (const name of required.get(definitionPath) ?? []) {
    const present = name.endsWith('[x]') ? Object.keys(obj).some((k) => k.startsWith(name.slice(0, -3)) && k.length > name.length - 3 && /[A-Z]/.test(k[name.length - 3]!)) : obj[name] !== undefined;
    if (!present) issues.push({ severity: 'error', type: 'required', diagnostics: `${path}: missing required element '${name}'`, expression: `${path}.${name}` });
  }
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'object' && k !== 'contained' && k !== 'extension' && k !== 'modifierExtension') {
      const child = `${definitionPath}.${k}`;
      // Only descend where the definition has rules below (backbone elements of this resource).
      if ([...required.keys()].some((p) => p === child || p.startsWith(child + '.'))) checkRequired(v, child, `${path}.${k}`, required, issues);
    }
  }
}

function nestedResources(resource: Record<string, unknown>, path: string): { value: unknown; path: string }[] {
  const out: { value: unknown; path: string }[] = [];
  // The schema check reports a non-array here; this walk must not trip over it (e.g. `entry: 0`).
  const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
  list<unknown>(resource.contained).forEach((r, i) => out.push({ value: r, path: `${path}.contained[${i}]` }));
  if (resource.resourceType === 'Bundle') list<{ resource?: unknown } | null>(resource.entry).forEach((e, i) => e?.resource !== undefined && out.push({ value: e.resource, path: `${path}.entry[${i}].resource` }));
  if (resource.resourceType === 'Parameters') list<{ resource?: unknown } | null>(resource.parameter).forEach((p, i) => p?.resource !== undefined && out.push({ value: p.resource, path: `${path}.parameter[${i}].resource` }));
  return out;
}

/** Every issue of a resource; an empty list means valid. */
export function validateResource(input: unknown, options: { expectedType?: string } = {}, path?: string): ValidationIssue[] {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return [{ severity: 'error', type: 'structure', diagnostics: 'A resource must be a JSON object', expression: path ?? '' }];
  const resource = input as Record<string, unknown>;
  const type = resource.resourceType;
  if (typeof type !== 'string' || !getFhirDefinitions().isResourceType(type)) {
    return [{ severity: 'error', type: 'structure', diagnostics: `Unknown or missing resourceType '${String(type)}'`, expression: path ?? 'resourceType' }];
  }
  const root = path ?? type;
  if (options.expectedType && type !== options.expectedType) return [{ severity: 'error', type: 'invalid', diagnostics: `Expected a ${options.expectedType}, got a ${type}`, expression: root }];
  const validate = validatorFor(type);
  const issues: ValidationIssue[] = [];
  if (!validate(resource)) {
    for (const e of validate.errors ?? []) {
      // oneOf/anyOf wrappers repeat what their branches already said.
      if (e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'if') continue;
      const d = describe(e);
      const location = toPath(root, e.instancePath);
      issues.push({ severity: 'error', type: d.type, diagnostics: `${location}: ${d.message}`, expression: d.extraPath && e.keyword === 'additionalProperties' ? `${location}.${d.extraPath}` : location });
    }
  }
  checkRequired(resource, type, root, getFhirDefinitions().requiredElements(type), issues);
  checkDates(resource, root, issues);
  checkReferences(resource, root, issues);
  for (const nested of nestedResources(resource, root)) issues.push(...validateResource(nested.value, {}, nested.path));
  return issues;
}

/** Throws a 400 listing every issue, or returns the resource when valid (FHIR R4 http.html#create: 400 on invalid). */
export function assertValidResource(input: unknown, options: { expectedType?: string } = {}): Record<string, unknown> & { resourceType: string } {
  const issues = validateResource(input, options).filter((i) => i.severity === 'error');
  if (issues.length > 0) {
    throw new FlauraError('VALIDATION_FAILED', 400, issues.map((i) => i.diagnostics).slice(0, 5).join('; '), {
      issues: issues.map((i) => ({ severity: 'error', type: i.type, diagnostics: i.diagnostics, expression: [i.expression] })),
    });
  }
  return input as Record<string, unknown> & { resourceType: string };
}
