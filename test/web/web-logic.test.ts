// The web app's pure rules (web/src/logic): card ranking, applying CDS suggestions, sharing choices as FHIR Consent,
// break-the-glass in the access log, chart alignment, PGx summary shaping and plain-language wording.
import { describe, expect, it } from 'vitest';
import type { AuditEvent, Consent, MedicationRequest } from '@medplum/fhirtypes';
import { applySuggestion, bySeverity, draftFor } from '../../web/src/logic/orders.ts';
import { consentFor, consentMatches, isShared } from '../../web/src/logic/consent.ts';
import { dataClasses, purposes } from '../../web/src/data/sharing.ts';
import { isBreakGlass, auditPurpose, auditRefusal, auditWho, auditWhat, groupAuditEvents } from '../../web/src/logic/audit.ts';
import { align, readChart } from '../../web/src/logic/chart.ts';
import { dataVersionText, toPgxSummary, type PgxSummaryResponse } from '../../web/src/logic/pgx.ts';
import { explainForPatient, phenotypeTone } from '../../web/src/components/pgxWords.ts';
import { quantity } from '../../web/src/components/format.ts';
import { validateResource } from '../../src/fhir/validation/index.ts';
import { consentRules, evaluateConsent, isPrivacyConsent } from '../../src/security/consent/rules.ts';
import dataClassesFile from '../../data/security/data-classes.json' with { type: 'json' };

const genomic = dataClasses.find((d) => d.id === 'genomic')!;
const treatment = purposes.find((p) => p.id === 'treatment')!;
const research = purposes.find((p) => p.id === 'research')!;

describe('decision support cards', () => {
  it('ranks critical before warning before info, keeping the services’ order within a level', () => {
    const cards = [
      { indicator: 'info' as const, summary: 'i1' },
      { indicator: 'warning' as const, summary: 'w1' },
      { indicator: 'critical' as const, summary: 'c1' },
      { indicator: 'warning' as const, summary: 'w2' },
      { indicator: 'critical' as const, summary: 'c2' },
    ];
    expect(bySeverity(cards).map((c) => c.summary)).toEqual(['c1', 'c2', 'w1', 'w2', 'i1']);
  });

  it('builds a valid draft MedicationRequest with RxNorm coding', () => {
    const d = draftFor('demo-maria', '32968', '75 mg once daily', 'Practitioner/p1');
    expect(d.status).toBe('draft');
    expect(d.medicationCodeableConcept?.coding?.[0]).toEqual({ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '32968', display: 'clopidogrel' });
    expect(validateResource({ ...d, id: 'x1' })).toEqual([]);
    expect(() => draftFor('p', '0', '')).toThrow(/Unknown medicine/);
  });

  it('accepting a suggestion replaces the drug but keeps the draft id, patient and prescriber', () => {
    const draft = draftFor('demo-maria', '32968', '75 mg', 'Practitioner/p1');
    const alt: Partial<MedicationRequest> & { resourceType: 'MedicationRequest' } = {
      resourceType: 'MedicationRequest',
      status: 'draft',
      intent: 'order',
      subject: { reference: 'Patient/other' },
      medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '613391', display: 'prasugrel' }] },
    };
    const next = applySuggestion(draft, { actions: [{ type: 'delete' }, { type: 'create', resource: alt }] })!;
    expect(next.id).toBe(draft.id);
    expect(next.subject).toEqual({ reference: 'Patient/demo-maria' });
    expect(next.requester).toEqual({ reference: 'Practitioner/p1' });
    expect(next.medicationCodeableConcept?.coding?.[0]?.code).toBe('613391');
    expect(applySuggestion(draft, { actions: [{ type: 'delete' }] })).toBeUndefined();
    expect(applySuggestion(draft, {})).toBeUndefined();
  });
});

describe('sharing choices', () => {
  it('writes a valid FHIR R4 Consent that denies genomic data for treatment', () => {
    const c = consentFor('demo-maria', genomic, treatment, false, new Date('2026-01-02T03:04:05Z'));
    expect(c.provision?.type).toBe('deny');
    expect(c.provision?.securityLabel).toEqual([{ system: 'https://flaura.dev/fhir/CodeSystem/data-class', code: 'genomic' }]);
    expect(c.provision?.purpose).toEqual([{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }]);
    expect(c.policyRule?.coding?.[0]?.code).toBe('OPTOUT');
    expect(validateResource({ ...c, id: 'c1' })).toEqual([]);
    expect(consentMatches(c, genomic, treatment)).toBe(true);
    expect(consentMatches(c, genomic, research)).toBe(false);
  });

  it('uses the data-class labels the server defines, and the server’s consent rules read the choice as the patient meant it', () => {
    for (const dc of dataClasses) {
      expect(dc.system).toBe(dataClassesFile.system);
      expect(dataClassesFile.classes.map((c) => c.code)).toContain(dc.code);
    }
    const withdrawn = consentFor('demo-maria', genomic, treatment, false);
    expect(isPrivacyConsent(withdrawn)).toBe(true);
    const rules = consentRules({ ...withdrawn, id: 'c1' });
    const ask = (purpose: string, labels: string[]) => evaluateConsent(rules, { role: 'clinician', purpose, resourceType: 'Observation', labels, now: new Date() }).effect;
    expect(ask('TREAT', [`${dataClassesFile.system}|genomic`])).toBe('deny');
    expect(ask('TREAT', [`${dataClassesFile.system}|wearable`])).toBe('none');
    expect(ask('HRESCH', [`${dataClassesFile.system}|genomic`])).toBe('none');
  });

  it('the newest active Consent decides; without one the default holds', () => {
    expect(isShared([], genomic, treatment)).toEqual({ shared: true });
    expect(isShared([], genomic, research)).toEqual({ shared: false });
    const deny = consentFor('p', genomic, treatment, false, new Date('2026-01-01T00:00:00Z'));
    const permit = consentFor('p', genomic, treatment, true, new Date('2026-02-01T00:00:00Z'));
    expect(isShared([deny], genomic, treatment).shared).toBe(false);
    expect(isShared([deny, permit], genomic, treatment)).toEqual({ shared: true, since: '2026-02-01T00:00:00.000Z' });
    const ended: Consent = { ...permit, status: 'inactive' };
    expect(isShared([deny, ended], genomic, treatment).shared).toBe(false);
  });
});

describe('access log', () => {
  const base: AuditEvent = {
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    recorded: '2026-01-01T00:00:00Z',
    action: 'R',
    agent: [{ requestor: true, who: { reference: 'Practitioner/p1', display: 'Dr Ana Lima' } }],
    source: { observer: { display: 'Flaura' } },
    entity: [{ what: { reference: 'Observation/o1' } }],
  };
  it('marks emergency (ETREAT) access and says who did what', () => {
    expect(isBreakGlass(base)).toBe(false);
    expect(isBreakGlass({ ...base, purposeOfEvent: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'ETREAT' }] }] })).toBe(true);
    expect(isBreakGlass({ ...base, subtype: [{ code: 'break-glass' }] })).toBe(true);
    expect(auditWho(base)).toBe('Dr Ana Lima');
    expect(auditWho({ ...base, agent: [{ requestor: true, who: { reference: 'Practitioner/p1' } }] }, new Map([['Practitioner/p1', 'Rudo Ndlovu']]))).toBe('Rudo Ndlovu');
    expect(auditWho({ ...base, agent: [{ requestor: true, who: { reference: 'Practitioner/p1' } }] })).toBe('Practitioner/p1');
    expect(auditWhat(base)).toBe('viewed results and measurements');
  });

  it('says what in plain words: a module read names its resource type, the grant itself reads as a request', () => {
    const patientOnly = { ...base, entity: [{ what: { reference: 'Patient/demo-maria' } }] };
    expect(auditWhat(patientOnly)).toBe('viewed your record');
    expect(auditWhat({ ...patientOnly, subtype: [{ code: 'module.read.DiagnosticReport' }] })).toBe('viewed test reports');
    expect(auditWhat({ ...patientOnly, action: 'E', subtype: [{ code: 'break-the-glass' }] })).toBe('asked for emergency access to your record');
    expect(auditPurpose({ ...base, purposeOfEvent: [{ coding: [{ code: 'ETREAT' }] }] })).toBe('emergency treatment');
    expect(auditRefusal(base)).toBeUndefined();
    expect(auditRefusal({ ...base, outcome: '4', outcomeDesc: 'Consent/c1 of Patient/p denies this access' })).toBe('refused: your sharing choices withhold this');
    expect(auditRefusal({ ...base, outcome: '4', outcomeDesc: "role 'lab' may not 'r' Consent" })).toBe("refused: role 'lab' may not 'r' Consent");
  });

  it('shows consecutive identical entries once with a count, and keeps different ones apart', () => {
    const at = (recorded: string, extra: Partial<AuditEvent> = {}): AuditEvent => ({ ...base, recorded, ...extra });
    const rows = groupAuditEvents([
      at('2026-01-01T10:00:40Z'),
      at('2026-01-01T10:00:10Z'),
      at('2026-01-01T10:00:05Z', { purposeOfEvent: [{ coding: [{ code: 'ETREAT' }] }] }),
      at('2026-01-01T09:59:59Z'),
      at('2026-01-01T09:59:30Z'),
    ]);
    expect(rows.map((r) => r.count)).toEqual([2, 1, 2]);
  });
});

describe('values as people read them', () => {
  it('rounds daily means and drops UCUM annotations and brackets', () => {
    expect(quantity({ value: 72.667, unit: '/min' })).toBe('72.7 /min');
    expect(quantity({ value: 7297, unit: '{steps}' })).toBe('7,297 steps');
    expect(quantity({ value: 128, unit: 'mm[Hg]' })).toBe('128 mmHg');
    expect(quantity({ value: 0.857, unit: 'mmol/L' })).toBe('0.86 mmol/L');
    expect(quantity({ value: 96 })).toBe('96');
    expect(quantity(undefined)).toBe('—');
  });
});

describe('lifestyle charts', () => {
  it('reads a baseline band given per day or as one range, and alert markers', () => {
    const perDay = readChart({ resolution: 'day', points: [{ t: 1000, v: 60 }], baseline: [{ t: 1000, low: 55, high: 65, median: 60 }], alerts: [{ start: '1970-01-01T00:00:01Z', title: 'RHR rise', severity: 'warning', id: 'a1' }] }, 0, 2000);
    expect(perDay.baseline).toEqual([{ t: 1000, low: 55, high: 65, mid: 60 }]);
    expect(perDay.alerts).toEqual([{ t: 1000, title: 'RHR rise', severity: 'warning', id: 'a1' }]);
    const range = readChart({ points: [], baseline: { lower: 50, upper: 70 } }, 0, 2000);
    expect(range.baseline).toEqual([
      { t: 0, low: 50, high: 70, mid: undefined },
      { t: 2000, low: 50, high: 70, mid: undefined },
    ]);
    expect(readChart({ points: [] }, 0, 1).baseline).toEqual([]);
  });

  it('aligns values, band edges and markers on one axis in seconds', () => {
    const a = align({ resolution: 'day', points: [{ t: 2000, v: 61 }, { t: 4000, v: 70 }], baseline: [{ t: 0, low: 55, high: 65 }, { t: 6000, low: 56, high: 66 }], alerts: [{ t: 4000, title: 'x', severity: 'warning' }] });
    expect(a[0]).toEqual([0, 2, 4, 6]);
    expect(a[1]).toEqual([null, 61, 70, null]);
    expect(a[2]).toEqual([55, null, null, 56]);
    expect(a[3]).toEqual([65, null, null, 66]);
    expect(a[4]).toEqual([null, null, 70, null]);
  });
});

describe('PGx summary', () => {
  const response: PgxSummaryResponse = {
    patient: 'Patient/demo-maria',
    genes: [
      { gene: 'ABCG2', diplotypes: ['ref/ref'], phenotype: 'Normal Function', activityScore: null, lookupKeys: ['Normal Function'], source: 'vcf', warnings: [], date: '2026-01-01', reportId: 'r1', dataVersion: { cpicRecommendations: '2024-03-25-16-13' }, observationIds: ['o0'] },
      { gene: 'CYP2C19', diplotypes: ['*2/*2'], phenotype: 'Poor Metabolizer', activityScore: null, lookupKeys: ['Poor Metabolizer'], source: 'vcf', warnings: [], date: '2026-01-01', reportId: 'r1', dataVersion: { alleleDefinitions: 'PharmCAT allele definitions 2025-11-05-00-25', cpicRecommendations: '2024-03-25-16-13' }, observationIds: ['o1', 'o2'] },
    ],
    drugs: [{ drug: 'clopidogrel', genes: ['CYP2C19'], date: '2026-01-01', reportId: 'r1', guidance: [{ source: 'CPIC', classification: 'Strong', population: 'ACS/PCI', text: 'Avoid clopidogrel; use prasugrel or ticagrelor.', implications: ['Reduced active metabolite.'], lookupKey: { CYP2C19: 'Poor Metabolizer' }, observationId: 'o3' }] }],
    reports: [{ id: 'r1', status: 'final', issued: '2026-01-01', conclusion: '2 genes interpreted', contentHash: null }],
  };
  it('puts genes with guidance first and attaches each drug’s guidance to its genes', () => {
    const s = toPgxSummary(response);
    expect(s.genes.map((g) => g.gene)).toEqual(['CYP2C19', 'ABCG2']);
    const c = s.genes[0]!;
    expect(c.diplotype).toBe('*2/*2');
    expect(c.source).toBe('Genotyped from a VCF');
    expect(c.dataVersion).toBe('Alleles 2025-11-05 · CPIC 2024-03-25');
    expect(c.drugs).toEqual([{ drug: 'clopidogrel', withGenes: [], items: [{ source: 'CPIC', strength: 'Strong', population: 'ACS/PCI', text: 'Avoid clopidogrel; use prasugrel or ticagrelor.', implications: ['Reduced active metabolite.'], observationId: 'o3' }] }]);
    expect(s.conclusion).toBe('2 genes interpreted');
    expect(dataVersionText({ dpwgRecommendations: '2024-03-25-16-13', other: 'v7' })).toBe('DPWG 2024-03-25 · other v7');
  });

  it('words results for patients without jargon and flags what needs attention', () => {
    expect(phenotypeTone('Poor Metabolizer')).toBe('critical');
    expect(phenotypeTone('Intermediate Metabolizer')).toBe('warning');
    expect(phenotypeTone('Normal Metabolizer')).toBe('normal');
    expect(phenotypeTone('Indeterminate')).toBe('unknown');
    const text = explainForPatient('CYP2C19', 'Poor Metabolizer', ['clopidogrel']);
    expect(text).toContain('works very little or not at all');
    expect(text).toContain('clopidogrel');
    expect(text).toContain('do not stop or change a medicine on your own');
  });
});
