// The seam between authentication (who is calling: src/security/auth) and authorization (may they do this:
// src/security/access). Everything that serves a request receives a Principal; nothing else about tokens leaks out.

/** The roles of issue 3. `system` is a backend-services client acting for no user. */
export type Role = 'admin' | 'clinician' | 'nurse' | 'pharmacist' | 'lab' | 'patient' | 'device' | 'research' | 'system';

/** One parsed SMART scope (v1 `patient/Observation.read` and v2 `patient/Observation.rs?category=...` alike). */
export interface ScopeGrant {
  context: 'patient' | 'user' | 'system';
  /** A resource type or `*`. */
  resourceType: string;
  /** v2 permissions; v1 `read` = `rs`, `write` = `cud`, `*` = `cruds`. */
  permissions: ReadonlySet<'c' | 'r' | 'u' | 'd' | 's'>;
  /** v2 restrictions, e.g. `[['category', 'http://...|laboratory']]`; empty = none. */
  restrictions: readonly [string, string][];
}

/** Who is calling, after the access token (or operator credentials) were verified. */
export interface Principal {
  /** User id (`user:<id>`), client id (`client:<id>`) or `operator` (CLI with data-directory access). */
  subject: string;
  role: Role;
  /** The OAuth client the call comes through. */
  clientId?: string;
  /** `fhirUser` claim, e.g. `Practitioner/123` or `Patient/9`. */
  fhirUser?: string;
  /** Patient in context: the launch patient, or the patient a `patient` role user is linked to. */
  patientId?: string;
  /** Granted scopes, parsed; the raw string is kept for the audit trail and introspection. */
  scopes: readonly ScopeGrant[];
  scope: string;
  /** HL7 v3 PurposeOfUse code; `TREAT` unless stated; `ETREAT` during break-the-glass. */
  purposeOfUse: string;
  /** Active break-the-glass grant, if any. */
  breakGlass?: { patientId: string; reason: string; expiresAt: string; id: string };
  /** JWT id of the access token (revocation, audit). */
  tokenId?: string;
  /** Where the call came from (audit). */
  ip?: string;
}

/** What is being attempted, for one access decision. */
export interface AccessRequest {
  /** FHIR interaction or a module action, e.g. `read`, `search`, `create`, `update`, `delete`, `history`, `operation`. */
  action: 'read' | 'search' | 'create' | 'update' | 'delete' | 'history' | 'operation';
  resourceType: string;
  /** The resource itself when known (reads, results, writes): compartment and security labels come from it. */
  resource?: { resourceType: string; id?: string; meta?: { security?: { system?: string; code?: string }[] } } & Record<string, unknown>;
  /** Patient the request is about, when known without the resource (e.g. module endpoints). */
  patientId?: string;
}

export interface AccessDecision {
  allowed: boolean;
  /** Why, in words an operator can act on (never shown for hidden reads: those answer 404). */
  reason: string;
  /** The policy part that decided: `scope`, `role`, `compartment`, `consent`, `break-glass`. */
  decidedBy?: string;
}

/** The one access decision (src/security/access implements it); modules use it for their own endpoints. */
export interface AccessControl {
  decide(principal: Principal, request: AccessRequest): Promise<AccessDecision>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook for every route that is not public. */
    principal?: Principal;
  }
}
