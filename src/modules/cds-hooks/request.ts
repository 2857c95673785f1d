// Validation of CDS Hooks 2.0 requests: what real EHRs send (draft orders as an R4 Bundle, several selections,
// prefetch present or not). Anything else is a 400 with the reason, never a crash.
import type { Bundle, MedicationRequest } from '@medplum/fhirtypes';
import { FlauraError } from '../../errors.ts';
import { validateResource } from '../../fhir/validation/index.ts';

export interface FhirAuthorization {
  access_token: string;
  token_type: string;
  expires_in?: number;
  scope?: string;
  subject?: string;
  patient?: string;
}

/** A request after validation. */
export interface HookRequest {
  hook: string;
  hookInstance: string;
  fhirServer?: string;
  fhirAuthorization?: FhirAuthorization;
  patientId: string;
  userId?: string;
  /** Draft MedicationRequests (order-select, order-sign); other draft resource types are ignored. */
  drafts: MedicationRequest[];
  /** order-select: the references (`MedicationRequest/<id>`) of the drafts just selected; others are context only. */
  selections?: string[];
  prefetch: Record<string, unknown>;
}

function bad(message: string, expression?: string): never {
  throw new FlauraError('CDS_REQUEST_INVALID', 400, message, { type: 'invalid', ...(expression ? { expression: [expression] } : {}) });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

function draftOrders(value: unknown): MedicationRequest[] {
  if (value === undefined) bad('context.draftOrders is required for this hook (a FHIR R4 Bundle of the draft orders)', 'context.draftOrders');
  if (Array.isArray(value)) bad('context.draftOrders is an array: CDS Hooks 2.0 sends the draft orders as a FHIR Bundle (older CDS Hooks drafts sent `medications`)', 'context.draftOrders');
  if (!isObject(value) || value.resourceType !== 'Bundle') bad('context.draftOrders must be a FHIR Bundle', 'context.draftOrders');
  const entries = (value as unknown as Bundle).entry;
  if (entries !== undefined && !Array.isArray(entries)) bad('context.draftOrders.entry must be an array', 'context.draftOrders.entry');
  const out: MedicationRequest[] = [];
  (entries ?? []).forEach((e, i) => {
    const r = isObject(e) ? e.resource : undefined;
    if (!isObject(r) || typeof r.resourceType !== 'string') bad(`context.draftOrders.entry[${i}] has no resource`, `context.draftOrders.entry[${i}]`);
    if (r.resourceType !== 'MedicationRequest') return; // other orders (ServiceRequest, ...) are not this service's business
    if (typeof r.id !== 'string' || !FHIR_ID.test(r.id)) bad(`context.draftOrders.entry[${i}]: a draft MedicationRequest needs an id (selections and suggestions refer to it)`, `context.draftOrders.entry[${i}].resource.id`);
    if (!isObject(r.medicationCodeableConcept) && !isObject(r.medicationReference)) bad(`context.draftOrders.entry[${i}]: MedicationRequest/${r.id as string} names no medication`, `context.draftOrders.entry[${i}].resource.medication[x]`);
    // The rules read codings, dosages and references: a draft that is not a valid R4 MedicationRequest is refused here.
    const issues = validateResource(r, { expectedType: 'MedicationRequest' }, `context.draftOrders.entry[${i}].resource`).filter((x) => x.severity === 'error');
    if (issues.length > 0) bad(`not a valid FHIR R4 MedicationRequest: ${issues.slice(0, 3).map((x) => x.diagnostics).join('; ')}`, issues[0]!.expression);
    out.push(r as unknown as MedicationRequest);
  });
  return out;
}

/** Validates a request for `hook`; throws a 400 FlauraError saying what is wrong. */
export function parseHookRequest(body: unknown, hook: string): HookRequest {
  if (!isObject(body)) bad('the request body must be a JSON object (CDS Hooks 2.0 §HTTP Request)');
  if (typeof body.hook !== 'string') bad('`hook` is required', 'hook');
  if (body.hook !== hook) bad(`this service answers the '${hook}' hook, not '${body.hook}'`, 'hook');
  if (typeof body.hookInstance !== 'string' || body.hookInstance === '') bad('`hookInstance` (a UUID) is required', 'hookInstance');
  if (body.fhirServer !== undefined && (typeof body.fhirServer !== 'string' || !/^https?:\/\//.test(body.fhirServer))) bad('`fhirServer` must be an http(s) URL', 'fhirServer');
  let fhirAuthorization: FhirAuthorization | undefined;
  if (body.fhirAuthorization !== undefined && body.fhirAuthorization !== null) {
    const a = body.fhirAuthorization;
    if (!isObject(a) || typeof a.access_token !== 'string' || typeof a.token_type !== 'string') bad('`fhirAuthorization` needs access_token and token_type', 'fhirAuthorization');
    if (a.token_type.toLowerCase() !== 'bearer') bad('`fhirAuthorization.token_type` must be Bearer', 'fhirAuthorization.token_type');
    if (body.fhirServer === undefined) bad('`fhirAuthorization` is given without `fhirServer`', 'fhirServer');
    fhirAuthorization = a as unknown as FhirAuthorization;
  }
  const context = body.context;
  if (!isObject(context)) bad('`context` is required', 'context');
  if (typeof context.patientId !== 'string' || !FHIR_ID.test(context.patientId)) bad('context.patientId (a FHIR id) is required', 'context.patientId');
  if (context.userId !== undefined && typeof context.userId !== 'string') bad('context.userId must be a string', 'context.userId');
  if (context.medications !== undefined && context.draftOrders === undefined) {
    bad('context.medications is the retired medication-prescribe shape; send order-select/order-sign with context.draftOrders (CDS Hooks 2.0)', 'context.medications');
  }
  const prefetch = body.prefetch === undefined || body.prefetch === null ? {} : body.prefetch;
  if (!isObject(prefetch)) bad('`prefetch` must be an object of prefetch key → resource', 'prefetch');
  const out: HookRequest = {
    hook,
    hookInstance: body.hookInstance,
    ...(body.fhirServer !== undefined ? { fhirServer: (body.fhirServer as string).replace(/\/+$/, '') } : {}),
    ...(fhirAuthorization ? { fhirAuthorization } : {}),
    patientId: context.patientId,
    ...(typeof context.userId === 'string' ? { userId: context.userId } : {}),
    drafts: [],
    prefetch,
  };
  if (hook === 'order-select' || hook === 'order-sign') out.drafts = draftOrders(context.draftOrders);
  if (hook === 'order-select') {
    const s = context.selections;
    if (!Array.isArray(s) || s.some((x) => typeof x !== 'string')) bad('context.selections (an array of `MedicationRequest/<id>` references) is required for order-select', 'context.selections');
    out.selections = s as string[];
  }
  return out;
}
