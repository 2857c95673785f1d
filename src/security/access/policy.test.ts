// The access decision as a table: roles × resource types × interactions × scopes, plus compartment, consent and
// break-the-glass cases. Every row is a case someone could get wrong; the expectation says who decides.
import { describe, expect, it } from 'vitest';
import type { Consent, Resource } from '@medplum/fhirtypes';
import { parseScopes } from '../auth/scopes.ts';
import type { AccessRequest, Principal, Role } from '../principal.ts';
import { consentRules, type ConsentRule } from '../consent/rules.ts';
import { decideAccess, type PolicyContext } from './policy.ts';
import { withDataClassLabels } from './data-classes.ts';

const now = new Date('2026-01-10T12:00:00Z');
const principal = (role: Role, scope: string, extra: Partial<Principal> = {}): Principal => ({ subject: `user:${role}`, role, scope, scopes: parseScopes(scope).grants, purposeOfUse: 'TREAT', ...extra });
const ctx = (consents: Record<string, ConsentRule[]> = {}, breakGlass: string[] = []): PolicyContext => ({ consents: new Map(Object.entries(consents)), breakGlass: new Set(breakGlass), now });

type R = AccessRequest['resource'];
const obs = (patient: string, extra: Partial<Resource> & Record<string, unknown> = {}): R =>
  ({ resourceType: 'Observation', id: `o-${patient}`, status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${patient}` }, ...extra }) as unknown as R;
const lab = (patient: string) => obs(patient, { category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }] });
const pgx = (patient: string): R => withDataClassLabels(obs(patient, { id: `pgx-${patient}`, code: { coding: [{ system: 'http://loinc.org', code: '53040-2' }] } }) as unknown as Resource) as unknown as R;
const resources: Record<string, (p: string) => AccessRequest['resource']> = {
  Patient: (p) => ({ resourceType: 'Patient', id: p }),
  Observation: obs,
  MedicationDispense: (p) => ({ resourceType: 'MedicationDispense', id: `md-${p}`, status: 'completed', medicationCodeableConcept: { text: 'x' }, subject: { reference: `Patient/${p}` } }) as unknown as R,
  DiagnosticReport: (p) => ({ resourceType: 'DiagnosticReport', id: `dr-${p}`, status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${p}` } }) as unknown as R,
  Condition: (p) => ({ resourceType: 'Condition', id: `c-${p}`, subject: { reference: `Patient/${p}` } }) as unknown as R,
  AuditEvent: (p) => ({ resourceType: 'AuditEvent', id: `a-${p}`, type: { code: 'rest' }, recorded: now.toISOString(), agent: [{ requestor: true }], source: { observer: { display: 'x' } }, entity: [{ what: { reference: `Patient/${p}` } }] }) as unknown as R,
  Medication: () => ({ resourceType: 'Medication', id: 'med1' }) as unknown as R,
};

type Row = [role: Role, scope: string, action: AccessRequest['action'], type: string, patient: string, allowed: boolean, decidedBy?: string];
const P = 'p1';
const matrix: Row[] = [
  // admin and clinician: everything, by user scopes
  ['admin', 'user/*.cruds', 'read', 'Observation', 'p2', true],
  ['admin', 'user/*.cruds', 'delete', 'Condition', 'p2', true],
  ['admin', 'user/*.cruds', 'search', 'AuditEvent', 'p2', true],
  ['admin', 'user/*.cruds', 'create', 'AuditEvent', 'p2', false, 'role'],
  ['clinician', 'user/*.cruds', 'update', 'Observation', 'p2', true],
  ['clinician', 'user/*.cruds', 'read', 'AuditEvent', 'p2', false, 'role'],
  ['clinician', 'user/Observation.rs', 'create', 'Observation', 'p2', false, 'scope'],
  ['clinician', 'user/Observation.rs', 'read', 'Condition', 'p2', false, 'scope'],
  ['clinician', 'patient/*.rs', 'read', 'Observation', P, true],
  ['clinician', 'patient/*.rs', 'read', 'Observation', 'p2', false, 'compartment'],
  // nurse: reads all, writes some
  ['nurse', 'user/*.cruds', 'read', 'Condition', 'p2', true],
  ['nurse', 'user/*.cruds', 'create', 'Observation', 'p2', true],
  ['nurse', 'user/*.cruds', 'create', 'Condition', 'p2', false, 'role'],
  ['nurse', 'user/*.cruds', 'delete', 'Observation', 'p2', false, 'role'],
  // pharmacist: meds, reads clinical context
  ['pharmacist', 'user/*.cruds', 'create', 'MedicationDispense', 'p2', true],
  ['pharmacist', 'user/*.cruds', 'read', 'Observation', 'p2', true],
  ['pharmacist', 'user/*.cruds', 'create', 'Observation', 'p2', false, 'role'],
  ['pharmacist', 'user/*.cruds', 'read', 'AuditEvent', 'p2', false, 'role'],
  // lab: writes Observation and DiagnosticReport, not dispenses
  ['lab', 'user/*.cruds', 'create', 'Observation', 'p2', true],
  ['lab', 'user/*.cruds', 'update', 'DiagnosticReport', 'p2', true],
  ['lab', 'user/*.cruds', 'create', 'MedicationDispense', 'p2', false, 'role'],
  ['lab', 'user/*.cruds', 'delete', 'Observation', 'p2', false, 'role'],
  // device: writes Observation only
  ['device', 'user/*.cruds', 'create', 'Observation', 'p2', true],
  ['device', 'user/*.cruds', 'read', 'Observation', 'p2', false, 'role'],
  ['device', 'user/*.cruds', 'create', 'Condition', 'p2', false, 'role'],
  // research: read-only
  ['research', 'user/*.cruds', 'read', 'Observation', 'p2', true],
  ['research', 'user/*.cruds', 'search', 'Condition', 'p2', true],
  ['research', 'user/*.cruds', 'update', 'Observation', 'p2', false, 'role'],
  ['research', 'user/*.cruds', 'read', 'MedicationDispense', 'p2', false, 'role'],
  // patient: own compartment only, scopes still narrow
  ['patient', 'patient/*.cruds', 'read', 'Patient', P, true],
  ['patient', 'patient/*.cruds', 'read', 'Patient', 'p2', false, 'compartment'],
  ['patient', 'patient/*.cruds', 'read', 'Observation', P, true],
  ['patient', 'patient/*.cruds', 'read', 'Observation', 'p2', false, 'compartment'],
  ['patient', 'patient/*.cruds', 'read', 'AuditEvent', P, true],
  ['patient', 'patient/*.cruds', 'read', 'AuditEvent', 'p2', false, 'compartment'],
  ['patient', 'patient/*.cruds', 'read', 'Medication', P, true],
  ['patient', 'patient/*.cruds', 'create', 'Medication', P, false, 'role'],
  ['patient', 'patient/*.cruds', 'create', 'Observation', P, true],
  ['patient', 'patient/*.cruds', 'create', 'Observation', 'p2', false, 'compartment'],
  ['patient', 'patient/*.cruds', 'update', 'Condition', P, false, 'role'],
  ['patient', 'patient/Observation.rs', 'read', 'Observation', P, true],
  ['patient', 'patient/Observation.rs', 'search', 'Observation', P, true],
  ['patient', 'patient/Observation.rs', 'create', 'Observation', P, false, 'scope'],
  ['patient', 'patient/Observation.rs', 'update', 'Observation', P, false, 'scope'],
  ['patient', 'patient/Observation.rs', 'read', 'Condition', P, false, 'scope'],
  ['patient', 'patient/Observation.read', 'read', 'Observation', P, true],
  ['patient', 'patient/Observation.read', 'delete', 'Observation', P, false, 'scope'],
  // backend service
  ['system', 'system/*.cruds', 'create', 'Condition', 'p2', true],
  ['system', 'system/Patient.r', 'read', 'Patient', 'p2', true],
  ['system', 'system/Patient.r', 'search', 'Patient', 'p2', false, 'scope'],
];

describe('access decision matrix (role × type × interaction × scope)', () => {
  it.each(matrix)('%s with %s: %s %s of %s → %s', (role, scope, action, type, patient, allowed, decidedBy) => {
    const resource = resources[type]!(patient);
    const d = decideAccess(principal(role, scope, { patientId: P }), { action, resourceType: type, resource }, ctx());
    expect(d.allowed).toBe(allowed);
    if (decidedBy) expect(d.decidedBy).toBe(decidedBy);
  });
});

describe('scope restrictions', () => {
  const p = principal('patient', 'patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory', { patientId: P });
  it('allows a laboratory Observation and hides another category', () => {
    expect(decideAccess(p, { action: 'read', resourceType: 'Observation', resource: lab(P) }, ctx()).allowed).toBe(true);
    const d = decideAccess(p, { action: 'read', resourceType: 'Observation', resource: obs(P) }, ctx());
    expect(d).toMatchObject({ allowed: false, decidedBy: 'scope' });
  });
  it('a restriction on code without system matches any system', () => {
    const q = principal('clinician', 'user/Observation.rs?category=laboratory');
    expect(decideAccess(q, { action: 'read', resourceType: 'Observation', resource: lab('p2') }, ctx()).allowed).toBe(true);
  });
});

describe('type-level and module checks', () => {
  it('a patient may search Observations (results are decided one by one) but not name another patient', () => {
    const p = principal('patient', 'patient/*.rs', { patientId: P });
    expect(decideAccess(p, { action: 'search', resourceType: 'Observation' }, ctx()).allowed).toBe(true);
    expect(decideAccess(p, { action: 'read', resourceType: 'Observation', patientId: 'p2' }, ctx())).toMatchObject({ allowed: false, decidedBy: 'compartment' });
    expect(decideAccess(p, { action: 'search', resourceType: 'Subscription' }, ctx())).toMatchObject({ allowed: false, decidedBy: 'compartment' });
  });
  it('patient/ scopes without a patient in context deny', () => {
    const p = principal('clinician', 'patient/*.rs');
    expect(decideAccess(p, { action: 'read', resourceType: 'Observation', resource: obs(P) }, ctx())).toMatchObject({ allowed: false, decidedBy: 'compartment' });
  });
});

const consent = (provision: Consent['provision'], extra: Partial<Consent> = {}): ConsentRule[] =>
  consentRules({
    resourceType: 'Consent', id: 'c1', status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    patient: { reference: `Patient/${P}` }, provision, ...extra,
  });
const GENOMIC = { system: 'https://flaura.dev/fhir/CodeSystem/data-class', code: 'genomic' };
const role = (code: string) => ({ role: { coding: [{ system: 'https://flaura.dev/fhir/CodeSystem/role', code }] }, reference: { display: `every ${code}` } });

describe('consent and break-the-glass', () => {
  const nurse = principal('nurse', 'user/*.cruds');
  const clinician = principal('clinician', 'user/*.cruds', { fhirUser: 'Practitioner/dr1' });
  const denyGenomicToNurses = consent({ type: 'deny', actor: [role('nurse')], securityLabel: [GENOMIC] });

  it('PGx Observations carry the genomic label', () => {
    expect(pgx(P)!.meta?.security?.map((s) => s.code)).toEqual(['genomic', 'GDIS']);
  });
  it('denies genomic data to the named role only', () => {
    expect(decideAccess(nurse, { action: 'read', resourceType: 'Observation', resource: pgx(P) }, ctx({ [P]: denyGenomicToNurses }))).toMatchObject({ allowed: false, decidedBy: 'consent' });
    expect(decideAccess(nurse, { action: 'read', resourceType: 'Observation', resource: obs(P) }, ctx({ [P]: denyGenomicToNurses })).allowed).toBe(true);
    expect(decideAccess(clinician, { action: 'read', resourceType: 'Observation', resource: pgx(P) }, ctx({ [P]: denyGenomicToNurses })).allowed).toBe(true);
  });
  it('never binds the patient on their own record', () => {
    const all = consent({ type: 'deny' });
    const p = principal('patient', 'patient/*.rs', { patientId: P });
    expect(decideAccess(p, { action: 'read', resourceType: 'Observation', resource: pgx(P) }, ctx({ [P]: all })).allowed).toBe(true);
  });
  it('most specific wins: deny all, but permit Practitioner/dr1', () => {
    const rules = consent({ type: 'deny', provision: [{ type: 'permit', actor: [{ role: { text: 'x' }, reference: { reference: 'Practitioner/dr1' } }] }] });
    expect(decideAccess(clinician, { action: 'read', resourceType: 'Observation', resource: obs(P) }, ctx({ [P]: rules })).allowed).toBe(true);
    expect(decideAccess(nurse, { action: 'read', resourceType: 'Observation', resource: obs(P) }, ctx({ [P]: rules })).allowed).toBe(false);
  });
  it('equally specific permit and deny: deny wins', () => {
    const rules = [...consent({ type: 'permit', actor: [role('nurse')] }), ...consent({ type: 'deny', actor: [role('nurse')] })];
    expect(decideAccess(nurse, { action: 'read', resourceType: 'Observation', resource: obs(P) }, ctx({ [P]: rules })).allowed).toBe(false);
  });
  it('a consent permit never widens a role', () => {
    const rules = consent({ type: 'permit', actor: [role('device')] });
    const device = principal('device', 'user/*.cruds');
    expect(decideAccess(device, { action: 'read', resourceType: 'Observation', resource: obs(P) }, ctx({ [P]: rules }))).toMatchObject({ allowed: false, decidedBy: 'role' });
  });
  it('purpose of use: deny research (HRESCH) applies to the research role only', () => {
    const rules = consent({ type: 'deny', purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HRESCH' }] });
    expect(decideAccess(principal('research', 'user/*.rs'), { action: 'read', resourceType: 'Observation', resource: obs(P) }, ctx({ [P]: rules })).allowed).toBe(false);
    expect(decideAccess(clinician, { action: 'read', resourceType: 'Observation', resource: obs(P) }, ctx({ [P]: rules })).allowed).toBe(true);
  });
  it('a provision period that has ended no longer applies; an inactive consent never does', () => {
    expect(decideAccess(nurse, { action: 'read', resourceType: 'Observation', resource: pgx(P) }, ctx({ [P]: consent({ type: 'deny', period: { end: '2025-12-31' } }) })).allowed).toBe(true);
    expect(consent({ type: 'deny' }, { status: 'inactive' })).toEqual([]);
    expect(consent({ type: 'deny' }, { scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'research' }] } })).toEqual([]);
  });
  it('class restricts a provision to resource types', () => {
    const rules = consent({ type: 'deny', class: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Condition' }] });
    expect(decideAccess(nurse, { action: 'read', resourceType: 'Condition', resource: resources.Condition!(P) }, ctx({ [P]: rules })).allowed).toBe(false);
    expect(decideAccess(nurse, { action: 'read', resourceType: 'Observation', resource: obs(P) }, ctx({ [P]: rules })).allowed).toBe(true);
  });
  it('break-the-glass lifts the consent denial for its patient (ETREAT), not role or scope limits', () => {
    const rules = consent({ type: 'deny', securityLabel: [GENOMIC] });
    const d = decideAccess(clinician, { action: 'read', resourceType: 'Observation', resource: pgx(P) }, ctx({ [P]: rules }, [P]));
    expect(d).toMatchObject({ allowed: true, decidedBy: 'break-glass', purposeOfUse: 'ETREAT' });
    expect(decideAccess(clinician, { action: 'read', resourceType: 'Observation', resource: pgx(P) }, ctx({ [P]: rules }, ['other'])).allowed).toBe(false);
    const narrow = principal('clinician', 'user/Condition.rs');
    expect(decideAccess(narrow, { action: 'read', resourceType: 'Observation', resource: pgx(P) }, ctx({ [P]: rules }, [P]))).toMatchObject({ allowed: false, decidedBy: 'scope' });
    const pharmacist = principal('pharmacist', 'user/*.cruds');
    expect(decideAccess(pharmacist, { action: 'read', resourceType: 'Observation', resource: pgx(P) }, ctx({ [P]: rules }, [P]))).toMatchObject({ allowed: false, decidedBy: 'consent' });
  });
});
