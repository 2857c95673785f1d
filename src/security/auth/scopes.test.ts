// Cases from SMART App Launch 2.x, "Scopes and Launch Context" (quick-start table, v2 syntax, v1 compatibility,
// finer-grained resource constraints using search parameters) and Backend Services (system scopes).
import { describe, expect, it } from 'vitest';
import { formatGrant, grantAllows, parseResourceScope, parseScopes } from './scopes.ts';

const perms = (scope: string) => [...parseResourceScope(scope).permissions].sort().join('');

describe('SMART v2 resource scopes', () => {
  it('patient/Observation.rs: read and search Observations about the patient in context', () => {
    const g = parseResourceScope('patient/Observation.rs');
    expect(g.context).toBe('patient');
    expect(g.resourceType).toBe('Observation');
    expect([...g.permissions]).toEqual(['r', 's']);
    expect(g.restrictions).toEqual([]);
  });

  it('user/*.cruds: every interaction on every type the user may access', () => {
    const g = parseResourceScope('user/*.cruds');
    expect(g.context).toBe('user');
    expect(g.resourceType).toBe('*');
    expect([...g.permissions]).toEqual(['c', 'r', 'u', 'd', 's']);
  });

  it('system/Patient.r (backend services) and other partial permission sets', () => {
    expect(parseResourceScope('system/Patient.r').context).toBe('system');
    expect(perms('system/Patient.r')).toBe('r');
    expect(perms('user/Appointment.cu')).toBe('cu');
    expect(perms('patient/Observation.c')).toBe('c');
    expect(perms('user/Encounter.d')).toBe('d');
  });

  it('category restriction: only laboratory Observations', () => {
    const g = parseResourceScope('patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory');
    expect(g.restrictions).toEqual([['category', 'http://terminology.hl7.org/CodeSystem/observation-category|laboratory']]);
    expect(formatGrant(g)).toBe('patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory');
  });

  it('several restrictions and percent-encoded values', () => {
    const g = parseResourceScope('patient/Condition.rs?category=http%3A%2F%2Fterminology.hl7.org%2FCodeSystem%2Fcondition-category%7Chealth-concern&clinical-status=active');
    expect(g.restrictions).toEqual([
      ['category', 'http://terminology.hl7.org/CodeSystem/condition-category|health-concern'],
      ['clinical-status', 'active'],
    ]);
  });

  it('rejects permissions out of the c-r-u-d-s order or repeated', () => {
    expect(() => parseResourceScope('patient/Observation.sr')).toThrow(/order c, r, u, d, s/);
    expect(() => parseResourceScope('patient/Observation.rrs')).toThrow(/order/);
    expect(() => parseResourceScope('patient/Observation.rx')).toThrow(/'x' is not a permission/);
    expect(() => parseResourceScope('patient/Observation.')).toThrow(/no permissions/);
  });

  it('rejects unknown contexts, malformed types and empty restrictions', () => {
    expect(() => parseResourceScope('practitioner/Observation.rs')).toThrow(/context must be/);
    expect(() => parseResourceScope('patient/observation.rs')).toThrow(/not a FHIR resource type/);
    expect(() => parseResourceScope('patient/Observation')).toThrow(/expected/);
    expect(() => parseResourceScope('patient/Observation.rs?')).toThrow(/at least one/);
    expect(() => parseResourceScope('patient/Observation.rs?category')).toThrow(/name=value/);
    expect(() => parseResourceScope('patient/*.rs?category=x')).toThrow(/concrete resource type/);
  });

  it('checks resource types against the server definitions when given', () => {
    const known = (t: string) => t === 'Observation';
    expect(() => parseResourceScope('patient/Observatio.rs', known)).toThrow(/not a FHIR resource type/);
    expect(parseResourceScope('patient/Observation.rs', known).resourceType).toBe('Observation');
  });
});

describe('SMART v1 scopes (accepted, mapped to v2 permissions)', () => {
  it('read = rs, write = cud, * = cruds', () => {
    expect(perms('patient/*.read')).toBe('rs');
    expect(perms('user/Observation.write')).toBe('cdu');
    expect(perms('user/*.*')).toBe('cdrsu');
    expect(formatGrant(parseResourceScope('patient/*.read'))).toBe('patient/*.rs');
    expect(formatGrant(parseResourceScope('user/Observation.write'))).toBe('user/Observation.cud');
  });
});

describe('parseScopes', () => {
  it('recognises launch, identity and refresh scopes next to resource scopes', () => {
    const p = parseScopes('openid fhirUser launch launch/patient offline_access patient/*.rs user/Observation.write');
    expect(p).toMatchObject({ openid: true, fhirUser: true, launch: true, launchPatient: true, offlineAccess: true, onlineAccess: false });
    expect(p.grants.map(formatGrant)).toEqual(['patient/*.rs', 'user/Observation.cud']);
    expect(p.tokens).toHaveLength(7);
  });

  it('online_access and v1 profile (treated as fhirUser); duplicates and extra spaces ignored', () => {
    const p = parseScopes('  online_access profile  patient/Patient.r patient/Patient.r ');
    expect(p.onlineAccess).toBe(true);
    expect(p.fhirUser).toBe(true);
    expect(p.grants).toHaveLength(1);
    expect(p.tokens).toEqual(['online_access', 'profile', 'patient/Patient.r']);
  });

  it('rejects unknown scopes with the scope named and the INVALID_SCOPE code', () => {
    expect(() => parseScopes('openid email')).toThrow(/Invalid scope 'email'/);
    try {
      parseScopes('patient/*.rs admin');
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'INVALID_SCOPE', status: 400 });
    }
  });

  it('an empty scope string grants nothing', () => {
    expect(parseScopes('').grants).toEqual([]);
  });
});

describe('grantAllows', () => {
  it('matches the type (or *) and one permission letter', () => {
    const g = parseResourceScope('patient/Observation.rs');
    expect(grantAllows(g, 'Observation', 'r')).toBe(true);
    expect(grantAllows(g, 'Observation', 'c')).toBe(false);
    expect(grantAllows(g, 'Condition', 'r')).toBe(false);
    expect(grantAllows(parseResourceScope('user/*.cruds'), 'Condition', 'd')).toBe(true);
  });
});
