// PATCH bodies: JSON Patch (RFC 6902) and FHIRPath Patch (R4 fhirpatch.html), applied to a copy of the resource.
import type { Parameters, ParametersParameter, Resource } from '@medplum/fhirtypes';
import jsonpatch, { type Operation } from 'fast-json-patch';
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4';
import { errors, FlauraError } from '../../errors.ts';

type Json = Record<string, unknown>;

/** Applies a JSON Patch document. Failing `test` operations and bad paths are 422 per FHIR R4 http.html#patch. */
export function applyJsonPatch(resource: Resource, patch: unknown): Resource {
  if (!Array.isArray(patch)) throw errors.badRequest('PATCH_INVALID', 'A JSON Patch body must be an array of operations');
  const validationError = jsonpatch.validate(patch as Operation[], structuredClone(resource));
  if (validationError) {
    const isTest = validationError.name === 'TEST_OPERATION_FAILED';
    throw new FlauraError(isTest ? 'PATCH_TEST_FAILED' : 'PATCH_INVALID', isTest ? 422 : 400, `JSON Patch operation ${validationError.index ?? ''} failed: ${validationError.message.split('\n')[0]}`);
  }
  return jsonpatch.applyPatch(structuredClone(resource), patch as Operation[], false, false).newDocument as Resource;
}

interface FhirPathNode {
  data: unknown;
  propName?: string;
  index?: number;
  parentResNode?: FhirPathNode | null;
}

function part(param: ParametersParameter, name: string): ParametersParameter | undefined {
  return param.part?.find((p) => p.name === name);
}

function partValue(param: ParametersParameter, name: string): unknown {
  const p = part(param, name);
  if (!p) return undefined;
  // The value is whichever value[x] is present, or a complex value given as nested parts.
  for (const [key, value] of Object.entries(p)) if (key.startsWith('value')) return value;
  if (p.part) return Object.fromEntries(p.part.map((sub) => [sub.name, partValue({ part: [sub] } as ParametersParameter, sub.name)]));
  return undefined;
}

function partString(param: ParametersParameter, name: string, index: number): string {
  const value = partValue(param, name);
  if (typeof value !== 'string' || value === '') throw errors.badRequest('PATCH_INVALID', `FHIRPath Patch operation ${index}: '${name}' is required`);
  return value;
}

function partInteger(param: ParametersParameter, name: string, index: number): number {
  const value = partValue(param, name);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw errors.badRequest('PATCH_INVALID', `FHIRPath Patch operation ${index}: '${name}' must be a non-negative integer`);
  return value;
}

function evaluateNodes(resource: Resource, path: string, index: number): FhirPathNode[] {
  try {
    return fhirpath.evaluate(resource, path, undefined, r4model, { resolveInternalTypes: false }) as FhirPathNode[];
  } catch (err) {
    throw errors.badRequest('PATCH_INVALID', `FHIRPath Patch operation ${index}: path '${path}' is not valid FHIRPath (${(err as Error).message})`);
  }
}

/** The single object (or resource) a path points at; `add` and `insert` need exactly one. */
function singleTarget(resource: Resource, path: string, index: number): Json {
  const nodes = evaluateNodes(resource, path, index);
  if (nodes.length !== 1 || typeof nodes[0]!.data !== 'object' || nodes[0]!.data === null) {
    throw errors.unprocessable('PATCH_FAILED', `FHIRPath Patch operation ${index}: path '${path}' must select exactly one element (selected ${nodes.length})`);
  }
  return nodes[0]!.data as Json;
}

/** Splits `Patient.name[0].given` into the container path and the list element name for insert/move. */
function listOwner(resource: Resource, path: string, index: number): { owner: Json; name: string; list: unknown[] } {
  const cut = path.lastIndexOf('.');
  if (cut < 0) throw errors.badRequest('PATCH_INVALID', `FHIRPath Patch operation ${index}: path '${path}' must name a list element`);
  const owner = singleTarget(resource, path.slice(0, cut), index);
  const name = path.slice(cut + 1);
  const list = owner[name];
  if (list !== undefined && !Array.isArray(list)) throw errors.unprocessable('PATCH_FAILED', `FHIRPath Patch operation ${index}: '${path}' is not a list`);
  return { owner, name, list: (list as unknown[] | undefined) ?? [] };
}

function removeNode(node: FhirPathNode, index: number): void {
  const parent = node.parentResNode?.data as Json | undefined;
  if (!parent || !node.propName) throw errors.unprocessable('PATCH_FAILED', `FHIRPath Patch operation ${index}: cannot delete the resource root`);
  const current = parent[node.propName];
  if (Array.isArray(current) && node.index !== undefined && node.index !== null) {
    current.splice(node.index, 1);
    if (current.length === 0) delete parent[node.propName];
  } else {
    delete parent[node.propName];
  }
}

/** Applies a FHIRPath Patch `Parameters` resource (operations: add, insert, delete, replace, move). */
export function applyFhirPathPatch(resource: Resource, patch: Parameters): Resource {
  if (patch.resourceType !== 'Parameters') throw errors.badRequest('PATCH_INVALID', 'A FHIRPath Patch body must be a Parameters resource');
  const result = structuredClone(resource);
  (patch.parameter ?? []).forEach((op, i) => {
    if (op.name !== 'operation') throw errors.badRequest('PATCH_INVALID', `FHIRPath Patch parameter ${i} must be named 'operation'`);
    const type = partString(op, 'type', i);
    const path = partString(op, 'path', i);
    switch (type) {
      case 'add': {
        const target = singleTarget(result, path, i);
        const name = partString(op, 'name', i);
        const value = partValue(op, 'value');
        if (value === undefined) throw errors.badRequest('PATCH_INVALID', `FHIRPath Patch operation ${i}: 'value' is required for add`);
        const existing = target[name];
        if (Array.isArray(existing)) existing.push(value);
        else if (existing === undefined) target[name] = value;
        else throw errors.unprocessable('PATCH_FAILED', `FHIRPath Patch operation ${i}: '${path}.${name}' already has a value; use replace`);
        break;
      }
      case 'insert': {
        const { owner, name, list } = listOwner(result, path, i);
        const at = partInteger(op, 'index', i);
        if (at > list.length) throw errors.unprocessable('PATCH_FAILED', `FHIRPath Patch operation ${i}: index ${at} is beyond the list of ${list.length}`);
        list.splice(at, 0, partValue(op, 'value'));
        owner[name] = list;
        break;
      }
      case 'delete': {
        const nodes = evaluateNodes(result, path, i);
        if (nodes.length > 1) throw errors.unprocessable('PATCH_FAILED', `FHIRPath Patch operation ${i}: delete path '${path}' selects ${nodes.length} elements`);
        if (nodes.length === 1) removeNode(nodes[0]!, i);
        break;
      }
      case 'replace': {
        const nodes = evaluateNodes(result, path, i);
        if (nodes.length !== 1) throw errors.unprocessable('PATCH_FAILED', `FHIRPath Patch operation ${i}: replace path '${path}' must select exactly one element (selected ${nodes.length})`);
        const node = nodes[0]!;
        const parent = node.parentResNode?.data as Json | undefined;
        if (!parent || !node.propName) throw errors.unprocessable('PATCH_FAILED', `FHIRPath Patch operation ${i}: cannot replace the resource root`);
        const value = partValue(op, 'value');
        const current = parent[node.propName];
        if (Array.isArray(current) && node.index !== undefined && node.index !== null) current[node.index] = value;
        else parent[node.propName] = value;
        break;
      }
      case 'move': {
        const { owner, name, list } = listOwner(result, path, i);
        const source = partInteger(op, 'source', i);
        const destination = partInteger(op, 'destination', i);
        if (source >= list.length || destination >= list.length) throw errors.unprocessable('PATCH_FAILED', `FHIRPath Patch operation ${i}: move ${source}->${destination} is outside the list of ${list.length}`);
        const [moved] = list.splice(source, 1);
        list.splice(destination, 0, moved);
        owner[name] = list;
        break;
      }
      default:
        throw errors.badRequest('PATCH_INVALID', `FHIRPath Patch operation ${i}: unknown type '${type}'`);
    }
  });
  return result;
}
