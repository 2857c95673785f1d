// Which patients a resource belongs to, decided in memory from the R4 Patient CompartmentDefinition
// (https://hl7.org/fhir/R4/compartmentdefinition-patient.html): the same parameters the search engine uses for
// `Patient/x/*`, evaluated on the resource itself so a decision needs no query.
import type { Resource } from '@medplum/fhirtypes';
import { patientCompartmentParams } from '../../fhir/search/compartment.ts';
import { extractParamEntries } from '../../fhir/search/extract.ts';
import { getSearchParameters } from '../../fhir/search/registry.ts';
import type { SearchParamDef } from '../../fhir/search/types.ts';

/** One compartment parameter: a plain element path read directly (the common case), or its FHIRPath. */
type Reader = { path: string[] } | { def: SearchParamDef };
const readersByType = new Map<string, Reader[]>();

function compartmentReaders(resourceType: string): Reader[] {
  let readers = readersByType.get(resourceType);
  if (!readers) {
    const params = patientCompartmentParams().get(resourceType) ?? [];
    const all = getSearchParameters(resourceType);
    const defs = params.map((p) => all.get(p)).filter((d): d is SearchParamDef => d !== undefined && d.type === 'reference');
    // `Observation.subject`, `Encounter.subject.where(resolve() is Patient)`: read the element, keep Patient references
    // (the FHIRPath gives the same answer, at a hundred times the cost on every decision).
    readers = defs.map((def) => {
      const plain = new RegExp(`^${resourceType}((?:\\.[A-Za-z]+)+)(?:\\.where\\(resolve\\(\\) is Patient\\))?$`).exec(def.expression.trim());
      return plain?.[1] ? { path: plain[1].slice(1).split('.') } : { def };
    });
    readersByType.set(resourceType, readers);
  }
  return readers;
}

function referencesAt(value: unknown, path: readonly string[]): string[] {
  let level: unknown[] = [value];
  for (const key of path) level = level.flatMap((v) => (v && typeof v === 'object' ? [(v as Record<string, unknown>)[key]].flat() : [])).filter((v) => v !== undefined);
  return level.map((v) => (v && typeof v === 'object' ? (v as { reference?: unknown }).reference : undefined)).filter((r): r is string => typeof r === 'string');
}

const PATIENT_REF = /^(?:.*\/)?Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/.*)?$/;

/** True when resources of this type can belong to a patient's compartment (Patient itself included). */
export function isCompartmentType(resourceType: string): boolean {
  return resourceType === 'Patient' || patientCompartmentParams().has(resourceType);
}

/** Ids of the patients whose compartment holds `resource` (a Patient is in its own). */
export function compartmentPatients(resource: { resourceType: string; id?: string }): string[] {
  // An AuditEvent belongs to the patients whose data it is about (entity), not to a patient who acted (agent): a
  // patient's own denied attempt on someone else's record must not tell them whose record it was.
  if (resource.resourceType === 'AuditEvent') return auditEventPatients(resource as { entity?: { what?: { reference?: string } }[] });
  const ids = new Set<string>();
  if (resource.resourceType === 'Patient' && resource.id) ids.add(resource.id);
  for (const reader of compartmentReaders(resource.resourceType)) {
    if ('path' in reader) {
      for (const ref of referencesAt(resource, reader.path)) {
        const m = PATIENT_REF.exec(ref);
        if (m?.[1]) ids.add(m[1]);
      }
      continue;
    }
    for (const { e } of extractParamEntries(resource as Resource, reader.def).reference) {
      if (e.targetType === 'Patient' && e.targetId) ids.add(e.targetId);
    }
  }
  // Binary has no compartment parameter; its securityContext names the patient it was uploaded for.
  if (resource.resourceType === 'Binary') {
    const ref = (resource as { securityContext?: { reference?: string } }).securityContext?.reference;
    const m = ref ? /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(ref) : null;
    if (m?.[1]) ids.add(m[1]);
  }
  return [...ids];
}

function auditEventPatients(event: { entity?: { what?: { reference?: string } }[] }): string[] {
  const ids = new Set<string>();
  for (const e of event.entity ?? []) {
    const m = e.what?.reference ? /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(e.what.reference) : null;
    if (m?.[1]) ids.add(m[1]);
  }
  return [...ids];
}
