// What the FHIR router asks of the access policy for one request (src/security/access implements it). The router
// stays ignorant of roles, consents and scopes: it asks before it acts and filters what it returns.
import type { Resource } from '@medplum/fhirtypes';
import type { AccessRequest } from '../../security/principal.ts';
import type { Queryable } from '../../db/index.ts';
import type { FhirRequest } from './types.ts';

export type GuardAction = AccessRequest['action'];

export interface RequestGuard {
  /** Type-level check before storage is touched; throws a 403 FORBIDDEN when the interaction cannot be allowed. */
  checkType(action: GuardAction, resourceType: string, patientId?: string): void;
  /**
   * The decision for one resource (consents are loaded once per patient). Inside a write transaction pass its
   * queryable `q`: the embedded database has one connection, so a query beside the transaction would wait for it.
   */
  allows(action: GuardAction, resource: Resource, q?: Queryable): Promise<boolean>;
  /** The items whose resource is allowed, in order (items without a resource are kept only if `keepBare`). */
  filter<T>(action: GuardAction, items: readonly T[], resourceOf: (item: T) => Resource | undefined, keepBare?: boolean, q?: Queryable): Promise<T[]>;
  /** The one patient a search of `resourceType` must stay inside (patient users, patient/ scopes), if any. */
  searchCompartment(resourceType: string | undefined): string | undefined;
  /** Search parameters that narrow a search to the caller's scope restrictions (`category=…`), if exactly one applies. */
  restrictionParams(resourceType: string | undefined): [string, string][];
  /** True when nothing the caller may search could be hidden by per-resource checks (totals may be reported). */
  countsAreExact(resourceType: string | undefined, q?: Queryable): Promise<boolean>;
  /** A resource was written (Consent writes refresh the consent cache). */
  written(resource: Resource): void;
  /** Records the request's AuditEvent; call once when the response (or error) is known. */
  finish(status: number, detail?: string): void;
}

export interface GuardFactory {
  /** The guard of a request, or undefined for trusted in-process calls (no principal). */
  forRequest(req: FhirRequest, interaction: string, q?: Queryable): RequestGuard | undefined;
}
