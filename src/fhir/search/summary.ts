// _summary and _elements (https://hl7.org/fhir/R4/search.html#summary): top-level element subsets, SUBSETTED tag.
import type { Resource } from '@medplum/fhirtypes';
import { r4ResourceStructures } from './r4-data.ts';
import type { SearchRequest } from './types.ts';

interface TypeElements { summary: Set<string>; mandatory: Set<string> }
let elements: Map<string, TypeElements> | undefined;

/** Top-level element names flagged isSummary / min > 0 per type, from profiles-resources.json (loaded once). */
function elementsOf(type: string): TypeElements {
  if (!elements) {
    elements = new Map();
    for (const sd of r4ResourceStructures()) {
      const e: TypeElements = { summary: new Set(), mandatory: new Set() };
      for (const el of sd.snapshot?.element ?? []) {
        const parts = (el.path ?? '').split('.');
        if (parts.length !== 2) continue;
        const name = parts[1]!.replace('[x]', '');
        if (el.isSummary) e.summary.add(name);
        if ((el.min ?? 0) > 0) e.mandatory.add(name);
      }
      elements.set(sd.type, e);
    }
  }
  return elements.get(type) ?? { summary: new Set(), mandatory: new Set() };
}

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'Resource encoded in summary mode' };

/** `valueQuantity` -> `value`: the element name a JSON property belongs to. */
function baseName(key: string, known: Set<string>): string {
  if (known.has(key)) return key;
  for (let i = key.length - 1; i > 0; i--) if (key[i]! >= 'A' && key[i]! <= 'Z' && known.has(key.slice(0, i))) return key.slice(0, i);
  return key.replace(/^_/, '');
}

function keep(resource: Resource, allowed: (name: string) => boolean, known: Set<string>): Resource {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    const name = baseName(key.replace(/^_/, ''), known);
    if (key === 'resourceType' || key === 'id' || key === 'meta' || allowed(name)) out[key] = value;
  }
  const meta = (out.meta ?? {}) as { tag?: unknown[] };
  out.meta = { ...meta, tag: [...(meta.tag ?? []), SUBSETTED] };
  return out as unknown as Resource;
}

/** Applies `_summary` (true/text/data) or `_elements` to a matched resource; returns it unchanged otherwise. */
export function subsetResource(resource: Resource, request: Pick<SearchRequest, 'summary' | 'elements'>): Resource {
  const e = elementsOf(resource.resourceType);
  const known = new Set([...e.summary, ...e.mandatory, 'text', 'contained', 'extension', 'modifierExtension']);
  switch (request.summary) {
    case 'true': return keep(resource, (n) => e.summary.has(n), known);
    case 'text': return keep(resource, (n) => n === 'text' || e.mandatory.has(n), known);
    case 'data': return keep(resource, (n) => n !== 'text', known);
  }
  if (request.elements && request.elements.length > 0) {
    const wanted = new Set(request.elements);
    for (const w of wanted) known.add(w);
    return keep(resource, (n) => wanted.has(n) || e.mandatory.has(n), known);
  }
  return resource;
}
