// Small typed helpers over the FHIR REST API at /fhir (searches follow no next links: screens ask for what they show).
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { api } from './http.ts';

/** Search parameters: a record, or pairs when a parameter repeats (e.g. several `code:not`). */
export type SearchParams = Record<string, string> | [string, string][];

export async function search<T extends Resource>(type: T['resourceType'], params: SearchParams): Promise<T[]> {
  const bundle = await api<Bundle<T>>(`/fhir/${type}?${new URLSearchParams(params)}`);
  return (bundle.entry ?? []).map((e) => e.resource).filter((r): r is T => !!r && r.resourceType === type);
}

export function read<T extends Resource>(type: T['resourceType'], id: string): Promise<T> {
  return api<T>(`/fhir/${type}/${encodeURIComponent(id)}`);
}

export function create<T extends Resource>(resource: T): Promise<T> {
  return api<T>(`/fhir/${resource.resourceType}`, { method: 'POST', json: resource, contentType: 'application/fhir+json', headers: { prefer: 'return=representation' } });
}

export function update<T extends Resource & { id?: string }>(resource: T): Promise<T> {
  return api<T>(`/fhir/${resource.resourceType}/${encodeURIComponent(resource.id ?? '')}`, { method: 'PUT', json: resource, contentType: 'application/fhir+json', headers: { prefer: 'return=representation' } });
}
