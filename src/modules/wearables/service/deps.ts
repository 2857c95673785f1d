// What the wearables services need from the EMR: the database (own tables), the FHIR store and the FHIR
// transaction entry point (so writes are validated, versioned and flow through the event log like any other).
import type { Bundle } from '@medplum/fhirtypes';
import type { Db } from '../../../db/index.ts';
import type { FhirStore, RequestActor } from '../../../fhir/store/types.ts';
import { FlauraError } from '../../../errors.ts';

export interface WearablesDeps {
  db: Db;
  store: FhirStore;
  transaction: (bundle: Bundle, actor?: RequestActor) => Promise<Bundle>;
}

/** `Observation/abc/_history/2` → `abc`; the response entry of a transaction names what was written. */
export function writtenId(response: Bundle, index: number, resourceType: string): string {
  const location = response.entry?.[index]?.response?.location ?? '';
  const m = new RegExp(`(?:^|/)${resourceType}/([^/]+)`).exec(location);
  if (!m?.[1]) throw new FlauraError('WEARABLES_WRITE_FAILED', 500, `The FHIR transaction did not return a ${resourceType} location for entry ${index}`);
  return m[1];
}
