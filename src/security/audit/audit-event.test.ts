// AuditEvent coding (R4 auditevent.html, DICOM/FHIR audit vocabularies) and the hash chain's pure parts.
import { describe, expect, it } from 'vitest';
import { buildAuditEvent } from './audit-event.ts';
import { canonicalJson, GENESIS_HASH, nextLinks, recordHash } from './chain.ts';
import { validateResource } from '../../fhir/validation/index.ts';
import type { Principal } from '../principal.ts';

const principal: Principal = { subject: 'user:7', role: 'clinician', fhirUser: 'Practitioner/7', clientId: 'web', scopes: [], scope: 'user/*.rs', purposeOfUse: 'TREAT', ip: '10.0.0.5' };

describe('buildAuditEvent', () => {
  it('codes a read of a patient\'s Observation as a valid R4 AuditEvent', () => {
    const e = buildAuditEvent({ principal, action: 'R', subtype: 'read', status: 200, patients: ['p1'], resources: ['Observation/o1'], recorded: new Date('2026-01-01T00:00:00Z') });
    expect(validateResource(e)).toEqual([]);
    expect(e.type).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' });
    expect(e.subtype).toEqual([{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }]);
    expect(e).toMatchObject({ action: 'R', outcome: '0', recorded: '2026-01-01T00:00:00.000Z' });
    expect(e.agent[0]).toMatchObject({ who: { reference: 'Practitioner/7' }, requestor: true, network: { address: '10.0.0.5', type: '2' } });
    expect(e.agent[1]).toMatchObject({ who: { identifier: { value: 'web' } }, requestor: false });
    expect(e.purposeOfEvent?.[0]?.coding?.[0]?.code).toBe('TREAT');
    expect(e.entity?.map((x) => x.what?.reference)).toEqual(['Patient/p1', 'Observation/o1']);
  });

  it('codes denials as minor failures with the reason, and server errors as serious ones', () => {
    const denied = buildAuditEvent({ principal, action: 'C', subtype: 'create', status: 403, detail: 'role may not create' });
    expect(denied).toMatchObject({ outcome: '4', outcomeDesc: 'role may not create', action: 'C' });
    expect(buildAuditEvent({ principal, action: 'R', subtype: 'search-type', status: 500, query: 'Observation?code=x' })).toMatchObject({ outcome: '8' });
    const glass = buildAuditEvent({ principal, action: 'E', subtype: 'break-the-glass', status: 201, purposeOfUse: 'ETREAT', patients: ['p1'], reason: 'unconscious' });
    expect(validateResource(glass)).toEqual([]);
    expect(glass.subtype?.[0]).toEqual({ system: 'https://flaura.dev/fhir/CodeSystem/audit-subtype', code: 'break-the-glass' });
    expect(glass.entity?.[0]?.description).toBe('unconscious');
  });
});

describe('hash chain', () => {
  it('hashes content independent of key order and meta, and links each record to the previous', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    expect(recordHash({ resourceType: 'AuditEvent', action: 'R', meta: { versionId: '1' } })).toBe(recordHash({ action: 'R', resourceType: 'AuditEvent' }));
    const links = nextLinks({ seq: 0, hash: GENESIS_HASH }, [{ auditId: 'a', content: { action: 'R' } }, { auditId: 'b', content: { action: 'C' } }]);
    expect(links.map((l) => l.seq)).toEqual([1, 2]);
    expect(links[0]!.prevHash).toBe(GENESIS_HASH);
    expect(links[1]!.prevHash).toBe(links[0]!.hash);
    const changed = nextLinks({ seq: 0, hash: GENESIS_HASH }, [{ auditId: 'a', content: { action: 'U' } }, { auditId: 'b', content: { action: 'C' } }]);
    expect(changed[1]!.hash).not.toBe(links[1]!.hash);
  });
});
