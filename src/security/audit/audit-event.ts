// One access as an R4 AuditEvent (https://hl7.org/fhir/R4/auditevent.html), coded as the FHIR/DICOM audit
// vocabularies say: type `rest`, subtype the RESTful interaction, action C/R/U/D/E, outcome 0/4/8/12.
import type { AuditEvent, AuditEventAgent, AuditEventEntity } from '@medplum/fhirtypes';
import type { Principal } from '../principal.ts';

export const FLAURA_SUBJECT_SYSTEM = 'https://flaura.dev/fhir/sid/subject';
export const FLAURA_CLIENT_SYSTEM = 'https://flaura.dev/fhir/sid/oauth-client';
export const FLAURA_AUDIT_SUBTYPE_SYSTEM = 'https://flaura.dev/fhir/CodeSystem/audit-subtype';
const REST_INTERACTION = 'http://hl7.org/fhir/restful-interaction';

export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';

/** What `audit.record` takes: the access, not the AuditEvent shape. */
export interface AuditInput {
  /** The caller; absent for operator/in-process actions (recorded as the Flaura server itself). */
  principal?: Principal;
  action: AuditAction;
  /** A FHIR RESTful interaction (`read`, `search-type`, …) or a Flaura action (`break-the-glass`, `pgx.upload`). */
  subtype: string;
  /** HTTP-style status of the outcome: < 400 success, 4xx minor failure (denied, not found), 5xx serious failure. */
  status: number;
  /** Why it failed (denials), for the operator; never shown to the caller. */
  detail?: string;
  purposeOfUse?: string;
  /** Patients the access concerned. */
  patients?: readonly string[];
  /** Resources accessed (`Observation/1`), beyond the patients. */
  resources?: readonly string[];
  /** The search or operation query as sent. */
  query?: string;
  requestId?: string;
  recorded?: Date;
  /** A stated reason (break-the-glass), shown to the patient with the patient entity. */
  reason?: string;
  /** Where the request came from, when there is no principal (failed authentication). */
  ip?: string;
  /** The user name given at sign-in, when there is no principal yet. */
  username?: string;
}

const REST_INTERACTIONS = new Set(['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'history-system', 'create', 'search-type', 'search-system', 'capabilities', 'transaction', 'batch', 'operation']);

function outcomeCode(status: number): '0' | '4' | '8' | '12' {
  if (status < 400) return '0';
  if (status < 500) return '4';
  return '8';
}

/** Builds the AuditEvent of one access. Pure. */
export function buildAuditEvent(input: AuditInput): AuditEvent {
  const p = input.principal;
  const purpose = input.purposeOfUse ?? p?.purposeOfUse;
  const purposeOfUse = purpose ? [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: purpose }] }] : undefined;
  const user: AuditEventAgent = {
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP', display: 'information recipient' }] },
    ...(p?.role ? { role: [{ coding: [{ system: 'https://flaura.dev/fhir/CodeSystem/role', code: p.role }] }] } : {}),
    who: p?.fhirUser ? { reference: p.fhirUser } : { identifier: { system: FLAURA_SUBJECT_SYSTEM, value: p?.subject ?? input.username ?? (input.ip ? 'anonymous' : 'flaura') } },
    ...(p ? { altId: p.subject } : {}),
    requestor: true,
    ...((p?.ip ?? input.ip) ? { network: { address: (p?.ip ?? input.ip)!, type: '2' as const } } : {}),
    ...(purposeOfUse ? { purposeOfUse } : {}),
  };
  const agents: AuditEventAgent[] = [user];
  if (p?.clientId) {
    agents.push({
      type: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110150', display: 'Application' }] },
      who: { identifier: { system: FLAURA_CLIENT_SYSTEM, value: p.clientId } },
      requestor: false,
    });
  }
  const entity: AuditEventEntity[] = [
    ...(input.patients ?? []).map((id) => ({
      what: { reference: `Patient/${id}` },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
      ...(input.reason ? { description: input.reason } : {}),
    })),
    ...(input.resources ?? []).filter((r) => !r.startsWith('Patient/')).map((ref) => ({
      what: { reference: ref },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
    })),
    ...(input.query !== undefined
      ? [{ type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '24', display: 'Query' }, query: Buffer.from(input.query, 'utf8').toString('base64') }]
      : []),
  ];
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: REST_INTERACTIONS.has(input.subtype) ? REST_INTERACTION : FLAURA_AUDIT_SUBTYPE_SYSTEM, code: input.subtype }],
    action: input.action,
    recorded: (input.recorded ?? new Date()).toISOString(),
    outcome: outcomeCode(input.status),
    ...(input.detail ? { outcomeDesc: input.detail } : {}),
    ...(purposeOfUse ? { purposeOfEvent: purposeOfUse } : {}),
    agent: agents,
    source: {
      site: 'flaura',
      observer: { display: 'Flaura FHIR server' },
      type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }],
    },
    ...(entity.length > 0 ? { entity } : {}),
    ...(input.requestId ? { extension: [{ url: 'https://flaura.dev/fhir/StructureDefinition/request-id', valueString: input.requestId }] } : {}),
  };
}
