// FHIR interactions as plain values: a request in, a response out. No HTTP framework knows about these files.
import type { Resource } from '@medplum/fhirtypes';
import type { RequestActor } from '../store/types.ts';
import type { Principal } from '../../security/principal.ts';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface FhirRequest {
  method: HttpMethod;
  /** Path below the FHIR base, without leading slash: `Patient/1/_history/2`, `` for the base itself. */
  path: string;
  query: [string, string][];
  /** Lower-case header names. */
  headers: Readonly<Record<string, string | undefined>>;
  body?: unknown;
  /** Media type of the body without parameters, e.g. `application/fhir+json`. */
  contentType?: string;
  /** Absolute FHIR base URL, e.g. `http://127.0.0.1:8080/fhir`. */
  baseUrl: string;
  actor?: RequestActor;
  /** The verified caller; absent only for trusted in-process calls (modules, CLI), which act as the system. */
  principal?: Principal;
}

export interface FhirResponse {
  status: number;
  headers: Record<string, string>;
  body?: Resource;
}

/** The FHIR interactions (R4 http.html), used to tag routes and to check access. */
export type Interaction =
  | 'read' | 'vread' | 'update' | 'patch' | 'delete' | 'history-instance' | 'history-type' | 'history-system'
  | 'create' | 'search-type' | 'search-system' | 'search-compartment' | 'capabilities' | 'batch' | 'transaction'
  | 'operation' | 'conditional-update' | 'conditional-delete' | 'conditional-patch';
