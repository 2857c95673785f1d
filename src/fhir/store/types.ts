// The resource store contract: what modules and the REST layer may ask of FHIR storage.
import type { Bundle, Resource } from '@medplum/fhirtypes';

/** Who is acting, carried into events and the audit trail. Filled by the security layer. */
export interface RequestActor {
  /** `Practitioner/123`, `Patient/9`, `Device/x`, or a client id for system access. */
  reference?: string;
  clientId?: string;
  role?: string;
  /** Purpose of use (e.g. `TREAT`, `ETREAT` for break-the-glass), for the audit trail. */
  purpose?: string;
  ip?: string;
  requestId?: string;
}

export interface WriteOptions {
  /** Version the client expects (If-Match); a mismatch is a 412. */
  ifMatch?: string;
  actor?: RequestActor;
}

/** The stored form returned by writes and reads. */
export interface StoredResource<T extends Resource = Resource> {
  resource: T;
  versionId: string;
  lastUpdated: string;
  /** True when the write created the resource (201), false when it updated one (200). */
  created?: boolean;
}

export interface HistoryOptions {
  since?: string;
  at?: string;
  count?: number;
  /** Opaque continuation token of a previous page. */
  cursor?: string;
}

export interface FhirStore {
  create<T extends Resource>(resource: T, options?: WriteOptions): Promise<StoredResource<T>>;
  read<T extends Resource>(resourceType: string, id: string): Promise<StoredResource<T>>;
  vread<T extends Resource>(resourceType: string, id: string, versionId: string): Promise<StoredResource<T>>;
  /** Update, or create with the client's id when none exists (update-as-create). */
  update<T extends Resource>(resource: T, options?: WriteOptions): Promise<StoredResource<T>>;
  delete(resourceType: string, id: string, options?: WriteOptions): Promise<void>;
  /** A searchset Bundle for a query string such as `code=http://loinc.org|8867-4&_count=10`. */
  search(resourceType: string | undefined, query: string | URLSearchParams, options?: { baseUrl?: string }): Promise<Bundle>;
  history(resourceType: string | undefined, id: string | undefined, options?: HistoryOptions): Promise<Bundle>;
}
