// Scope narrowing: what a client asked for, cut down to its registration and to the user's context.
import { describe, expect, it } from 'vitest';
import type { OAuthClient } from './clients.ts';
import { grantedScope, isSubScope } from './scope-grant.ts';
import { parseScopes } from './scopes.ts';

const client = (scope: string): OAuthClient => ({ clientId: 'c', name: 'c', type: 'public', redirectUris: ['https://a/cb'], scope });
const grant = (requested: string, registered: string, role: Parameters<typeof grantedScope>[2]['role'], hasPatient: boolean) =>
  grantedScope(parseScopes(requested), client(registered), { role, hasPatient });

describe('grantedScope', () => {
  it('a patient user gets patient/ scopes only (the web app asks for both)', () => {
    expect(grant('fhirUser offline_access user/*.cruds patient/*.cruds', 'fhirUser offline_access user/*.cruds patient/*.cruds', 'patient', true)).toBe('fhirUser offline_access patient/*.cruds');
  });

  it('staff get user/ scopes, and patient/ scopes only with a patient in context', () => {
    expect(grant('launch/patient user/*.rs patient/*.rs', 'launch/patient user/*.cruds patient/*.cruds', 'clinician', false)).toBe('user/*.rs');
    expect(grant('launch/patient user/*.rs patient/*.rs', 'launch/patient user/*.cruds patient/*.cruds', 'clinician', true)).toBe('launch/patient user/*.rs patient/*.rs');
  });

  it('permissions are cut to the registration; v1 requests come back in v2 syntax', () => {
    expect(grant('user/Observation.cruds', 'user/*.rs', 'nurse', false)).toBe('user/Observation.rs');
    expect(grant('user/Observation.write', 'user/*.rs', 'nurse', false)).toBe('');
    expect(grant('patient/*.read', 'patient/*.cruds', 'patient', true)).toBe('patient/*.rs');
    expect(grant('openid user/*.rs', 'user/*.rs', 'nurse', false)).toBe('user/*.rs'); // openid not registered
  });

  it('a restricted registration grants only that restriction', () => {
    const lab = 'patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory';
    expect(grant(lab, lab, 'patient', true)).toBe(lab);
    expect(grant('patient/Observation.rs', lab, 'patient', true)).toBe('');
  });

  it('backend services get system/ scopes only, and never launch or identity scopes', () => {
    expect(grant('openid system/Patient.rs user/*.rs system/Observation.cruds', 'openid system/*.rs', 'system', false)).toBe('system/Patient.rs system/Observation.rs');
    expect(grant('system/Patient.rs', 'system/*.rs', 'clinician', false)).toBe('');
  });
});

describe('isSubScope', () => {
  it('is true for equal or narrower sets of scope tokens only', () => {
    expect(isSubScope('patient/*.rs', 'launch/patient patient/*.rs')).toBe(true);
    expect(isSubScope('patient/*.cruds', 'patient/*.rs')).toBe(false);
  });
});
