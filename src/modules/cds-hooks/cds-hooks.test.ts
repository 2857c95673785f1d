// CDS Hooks 2.0 through the HTTP API: the golden cases of issue 5 with PGx results stored by the real engine, draft
// MedicationRequests coded with RxNorm, prefetch present and absent, order-select selections, feedback round trip,
// and malformed or older-style requests.
import type { Bundle, DetectedIssue, MedicationRequest } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKind } from '../../../test/test-db.ts';
import { startTestServer, type TestServer } from '../../../test/test-server.ts';
import { loadAlleleDefinitions } from '../pgx/matcher/definitions.ts';
import { panelVcf } from '../pgx/synthetic/allele-vcf.ts';
import type { HookCard } from './cards.ts';
import { activeMedication, createPatient, draftOrder, hookRequest, storeCalls } from './test-support.ts';

const SIGN = '/cds-services/flaura-pgx-order-sign';
const SELECT = '/cds-services/flaura-pgx-order-select';

// RxNorm clinical drugs as order entry codes them.
const CLOPIDOGREL = ['309362', 'clopidogrel 75 MG Oral Tablet'] as const;
const CODEINE = ['993781', 'Acetaminophen 300 MG / Codeine Phosphate 30 MG Oral Tablet'] as const;
const EFAVIRENZ = ['310429', 'efavirenz 600 MG Oral Tablet'] as const;
const SIMVASTATIN = ['314231', 'simvastatin 40 MG Oral Tablet'] as const;
const FLUOROURACIL = ['1732186', 'fluorouracil 50 MG/ML Injectable Solution'] as const;
const ABACAVIR = ['242680', 'abacavir 300 MG Oral Tablet'] as const;
const METFORMIN = ['861007', 'metformin hydrochloride 500 MG Oral Tablet'] as const;
const WARFARIN = ['855332', 'warfarin sodium 5 MG Oral Tablet'] as const;
const IBUPROFEN = ['197806', 'ibuprofen 600 MG Oral Tablet'] as const;

interface CardsResponse { cards: HookCard[] }

describe(`CDS Hooks services on ${testDbKind}`, () => {
  let s: TestServer;
  const sign = async (patientId: string, drafts: MedicationRequest[], extra: Record<string, unknown> = {}) => {
    const res = await s.request('POST', SIGN, hookRequest('order-sign', patientId, drafts, extra));
    expect(res.status, res.text).toBe(200);
    return (res.body as unknown as CardsResponse).cards;
  };

  beforeAll(async () => {
    s = await startTestServer({ rateLimitPerMinute: 0 }); // the wrong-type sweep below sends ~1,000 requests
    const patients: Record<string, Record<string, string>> = {
      'cyp2c19-pm': { CYP2C19: '*2/*2' },
      'cyp2d6-um': { CYP2D6: '*1/*2x3' },
      'cyp2d6-nm': { CYP2D6: '*1/*2' },
      'cyp2b6-pm': { CYP2B6: '*6/*6' },
      'slco1b1-pf': { SLCO1B1: '*5/*5' },
      'dpyd-im': { DPYD: 'c.1905+1G>A (*2A)/Reference' },
      'hlab-5701': { 'HLA-B': '*57:01/*07:02' },
    };
    for (const [id, calls] of Object.entries(patients)) {
      await createPatient(s, id);
      await storeCalls(s, id, calls);
    }
    for (const id of ['never-tested', 'never-tested-2', 'ddi', 'feedback']) await createPatient(s, id);
    await storeCalls(s, 'feedback', { CYP2C19: '*2/*2' });
    await activeMedication(s, 'cyp2d6-nm', '310385', 'fluoxetine 20 MG Oral Capsule');
    await activeMedication(s, 'ddi', WARFARIN[0], WARFARIN[1]);
  }, 300_000);
  afterAll(async () => s.close());

  it('discovery lists the three hooks with prefetch templates, without a token', async () => {
    const res = await s.request('GET', '/cds-services', undefined, { authorization: '' });
    expect(res.status).toBe(200);
    const services = (res.body as unknown as { services: { id: string; hook: string; prefetch: Record<string, string> }[] }).services;
    expect(services.map((x) => x.hook).sort()).toEqual(['order-select', 'order-sign', 'patient-view']);
    expect(services[0]!.prefetch.pgxPhenotypes).toBe('Observation?patient={{context.patientId}}&code=http://loinc.org|53040-2&status=final&_count=1000');
  });

  it('clopidogrel + CYP2C19 poor metabolizer → critical card with prasugrel and ticagrelor replacing the draft', async () => {
    const draft = draftOrder('cyp2c19-pm', ...CLOPIDOGREL, { dose: { value: 75, unit: 'mg' } });
    const cards = await sign('cyp2c19-pm', [draft]);
    expect(cards).toHaveLength(1);
    const card = cards[0]!;
    expect(card.indicator).toBe('critical');
    expect(card.summary).toBe('Avoid clopidogrel: CYP2C19 Poor Metabolizer');
    expect(card.summary.length).toBeLessThanOrEqual(140);
    // CPIC's 2022 clopidogrel guideline (Lee et al., PMID 35034351) and the annotation the recommendation comes from
    expect(card.source.url).toBe('https://pubmed.ncbi.nlm.nih.gov/35034351/');
    expect(card.links?.map((l) => l.url)).toContain('https://www.pharmgkb.org/guidelineAnnotation/PA166104948');
    expect(card.detail).toMatch(/CPIC \(Strong\)[^:]*:\*\* Avoid clopidogrel if possible\. Use prasugrel or ticagrelor/);
    expect(card.selectionBehavior).toBe('at-most-one');
    expect(card.overrideReasons?.length).toBeGreaterThan(0);
    const labels = card.suggestions!.map((x) => x.label);
    expect(labels).toEqual(['Replace clopidogrel with prasugrel', 'Replace clopidogrel with ticagrelor', 'Cancel the clopidogrel order']);
    const replace = card.suggestions![0]!.actions[0]!;
    expect(replace.type).toBe('update');
    const resource = replace.resource as MedicationRequest;
    expect(resource).toMatchObject({ resourceType: 'MedicationRequest', id: draft.id, status: 'draft', subject: { reference: 'Patient/cyp2c19-pm' } });
    expect(resource.medicationCodeableConcept?.coding?.[0]).toEqual({ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '613391', display: 'prasugrel' });
    // The suggested order is valid FHIR R4 (checked by the server's validator on a create).
    const created = await s.fhir('POST', 'MedicationRequest', { ...resource, id: undefined });
    expect(created.status, created.text).toBe(201);
    expect(card.links?.some((l) => l.url.endsWith('/cds-services/explanations/clopidogrel'))).toBe(true);
    expect(card.detail).toContain('**For the patient:**');
  });

  it('the patient explanation linked from the card is plain language for that drug', async () => {
    const res = await s.request('GET', '/cds-services/explanations/clopidogrel', undefined, { authorization: '' });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^# clopidogrel and your genes/);
    expect(res.text).toContain('CYP2C19');
    expect((await s.request('GET', '/cds-services/explanations/metformin')).status).toBe(404);
  });

  it('codeine + CYP2D6 ultrarapid metabolizer → avoid', async () => {
    const cards = await sign('cyp2d6-um', [draftOrder('cyp2d6-um', ...CODEINE)]);
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({ indicator: 'critical', summary: expect.stringMatching(/^Avoid codeine: CYP2D6 Ultrarapid Metabolizer/) });
    expect(cards[0]!.detail).toContain('potential for serious toxicity');
    expect(cards[0]!.suggestions!.map((x) => x.label)).toEqual(['Cancel the codeine order']);
    expect(cards[0]!.suggestions![0]!.actions[0]).toMatchObject({ type: 'delete' });
  });

  it('a lab CYP2D6 call (with copy number) stays the one used when a VCF-derived CYP2D6 call (no copy number) is imported after it', async () => {
    await createPatient(s, 'cyp2d6-um-vcf');
    await storeCalls(s, 'cyp2d6-um-vcf', { CYP2D6: '*1/*2x3' });
    const { genes, optIn } = loadAlleleDefinitions();
    const vcf = panelVcf([...genes, ...optIn], { CYP2D6: ['*1', '*1'] }, { sample: 'UM' });
    const res = await s.request('POST', '/pgx/patients/cyp2d6-um-vcf/results?cyp2d6FromVcf=true&filename=um.vcf', vcf, { 'content-type': 'application/octet-stream' });
    expect(res.status, res.text).toBe(201);
    expect((res.body as unknown as { genes: Array<{ gene: string; phenotype: string }> }).genes.find((g) => g.gene === 'CYP2D6')?.phenotype).toBe('Normal Metabolizer');
    const cards = await sign('cyp2d6-um-vcf', [draftOrder('cyp2d6-um-vcf', ...CODEINE)]);
    expect(cards.map((c) => c.summary)).toEqual([expect.stringMatching(/^Avoid codeine: CYP2D6 Ultrarapid Metabolizer/)]);
  });

  it('codeine + CYP2D6 normal metabolizer + active fluoxetine → phenoconverted to poor, avoid, naming fluoxetine and what stopping it changes', async () => {
    const cards = await sign('cyp2d6-nm', [draftOrder('cyp2d6-nm', ...CODEINE)]);
    expect(cards).toHaveLength(1);
    const card = cards[0]!;
    expect(card.indicator).toBe('critical');
    expect(card.summary).toBe('Avoid codeine: CYP2D6 Poor Metabolizer (activity score 0.0) with fluoxetine');
    expect(card.detail).toMatch(/\*\*combination\*\* of the patient's CYP2D6 genotype \(CYP2D6 Normal Metabolizer \(activity score 2\.0\)\) and fluoxetine \(strong CYP2D6 inhibitor\)/);
    expect(card.detail).toMatch(/If fluoxetine is stopped, the genotype-predicted CYP2D6 Normal Metabolizer .* applies again, and the guidance is: Use codeine label recommended/);
    expect(card.detail).toContain('diminished analgesia');
  });

  it('the same normal metabolizer without the interacting drug gets no interruptive card (standard dosing)', async () => {
    await createPatient(s, 'cyp2d6-nm-alone');
    await storeCalls(s, 'cyp2d6-nm-alone', { CYP2D6: '*1/*2' });
    expect(await sign('cyp2d6-nm-alone', [draftOrder('cyp2d6-nm-alone', ...CODEINE)])).toEqual([]);
  });

  it('fluoxetine as another draft order of the same basket phenoconverts too', async () => {
    await createPatient(s, 'cyp2d6-nm-basket');
    await storeCalls(s, 'cyp2d6-nm-basket', { CYP2D6: '*1/*2' });
    const cards = await sign('cyp2d6-nm-basket', [draftOrder('cyp2d6-nm-basket', ...CODEINE), draftOrder('cyp2d6-nm-basket', '310385', 'fluoxetine 20 MG Oral Capsule')]);
    expect(cards.map((c) => c.summary)).toContain('Avoid codeine: CYP2D6 Poor Metabolizer (activity score 0.0) with fluoxetine');
  });

  it('efavirenz + CYP2B6 poor metabolizer → reduced dose suggestions (400 and 200 mg/day)', async () => {
    const draft = draftOrder('cyp2b6-pm', ...EFAVIRENZ, { dose: { value: 600, unit: 'mg' } });
    const cards = await sign('cyp2b6-pm', [draft]);
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({ indicator: 'warning', summary: 'efavirenz: reduced dose for CYP2B6 Poor Metabolizer' });
    const s400 = cards[0]!.suggestions![0]!;
    expect(s400.label).toBe('Change to efavirenz 400 mg/day');
    expect(cards[0]!.suggestions![1]!.label).toBe('Change to efavirenz 200 mg/day');
    const updated = s400.actions[0]!.resource as MedicationRequest;
    expect(updated.id).toBe(draft.id);
    expect(updated.dosageInstruction?.[0]?.doseAndRate?.[0]?.doseQuantity).toMatchObject({ value: 400, unit: 'mg' });
  });

  it('simvastatin + SLCO1B1 poor function → avoid, prescribe an alternative statin', async () => {
    const cards = await sign('slco1b1-pf', [draftOrder('slco1b1-pf', ...SIMVASTATIN)]);
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({ indicator: 'critical', summary: 'Avoid simvastatin: SLCO1B1 Poor Function' });
    expect(cards[0]!.detail).toContain('Prescribe an alternative statin');
  });

  it('fluorouracil + DPYD intermediate metabolizer → 50% dose reduction of the ordered dose', async () => {
    const draft = draftOrder('dpyd-im', ...FLUOROURACIL, { dose: { value: 400, unit: 'mg/m2', code: 'mg/m2' } });
    const cards = await sign('dpyd-im', [draft]);
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({ indicator: 'warning', summary: 'fluorouracil: reduced dose for DPYD Intermediate Metabolizer (activity score 1.0)' });
    const suggestion = cards[0]!.suggestions![0]!;
    expect(suggestion.label).toBe('Reduce fluorouracil to 200 mg/m2 (50% of the ordered dose)');
    expect((suggestion.actions[0]!.resource as MedicationRequest).dosageInstruction?.[0]?.doseAndRate?.[0]?.doseQuantity?.value).toBe(200);
  });

  it('abacavir + HLA-B*57:01 positive → do not prescribe', async () => {
    const cards = await sign('hlab-5701', [draftOrder('hlab-5701', ...ABACAVIR)]);
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({ indicator: 'critical', summary: 'Avoid abacavir: HLA-B*57:01 positive' });
    expect(cards[0]!.detail).toContain('Abacavir is not recommended');
  });

  it('a drug without a guideline → no card', async () => {
    expect(await sign('cyp2c19-pm', [draftOrder('cyp2c19-pm', ...METFORMIN)])).toEqual([]);
  });

  it('clopidogrel for a never-tested patient → one test-order suggestion, and not again', async () => {
    const cards = await sign('never-tested', [draftOrder('never-tested', ...CLOPIDOGREL)]);
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({ indicator: 'info', summary: 'No CYP2C19 result on file: consider a pharmacogenomic test before clopidogrel' });
    const action = cards[0]!.suggestions![0]!.actions[0]!;
    expect(action.type).toBe('create');
    expect(action.resource).toMatchObject({ resourceType: 'ServiceRequest', status: 'draft', intent: 'proposal', subject: { reference: 'Patient/never-tested' }, code: { coding: [{ code: 'CYP2C19' }] } });
    const created = await s.fhir('POST', 'ServiceRequest', action.resource);
    expect(created.status, created.text).toBe(201);
    expect(await sign('never-tested', [draftOrder('never-tested', ...CLOPIDOGREL)])).toEqual([]);
    // order-select for the same patient does not repeat it either; another patient still gets it
    expect((await s.request('POST', SELECT, hookRequest('order-select', 'never-tested', [draftOrder('never-tested', ...CLOPIDOGREL)]))).body).toEqual({ cards: [] });
    expect((await sign('never-tested-2', [draftOrder('never-tested-2', ...CLOPIDOGREL)])).map((c) => c.summary)).toEqual(['No CYP2C19 result on file: consider a pharmacogenomic test before clopidogrel']);
  });

  it('drug–drug (PDDI IG): ibuprofen for a patient on warfarin → bleeding-risk card with acetaminophen substitutes replacing the NSAID', async () => {
    const draft = draftOrder('ddi', ...IBUPROFEN);
    const cards = (await sign('ddi', [draft])).filter((c) => c.source.label.startsWith('HL7 PDDI'));
    expect(cards).toHaveLength(1);
    expect(cards[0]!.indicator).toBe('warning');
    expect(cards[0]!.summary).toBe('ibuprofen + warfarin (active): Increased risk of bleeding.');
    const substitute = cards[0]!.suggestions!.find((x) => x.label === 'Substitute NSAID with Acetaminophen 500 MG Oral Tablet')!;
    expect(substitute.actions.map((a) => a.type)).toEqual(['delete', 'create']);
    expect(substitute.actions[0]!.resourceId).toEqual([`MedicationRequest/${draft.id}`]);
    expect(substitute.actions[1]!.resource).toMatchObject({ resourceType: 'MedicationRequest', medicationCodeableConcept: { coding: [{ code: '198440' }] }, subject: { reference: 'Patient/ddi' } });
  });

  it('drug–drug: topical diclofenac with warfarin is informational only (the IG\'s exception)', async () => {
    const cards = (await sign('ddi', [draftOrder('ddi', '855635', 'diclofenac sodium 10 MG/ML Topical Gel', { route: 'Topical' })])).filter((c) => c.source.label.startsWith('HL7 PDDI'));
    expect(cards.map((c) => c.indicator)).toEqual(['info']);
    expect(cards[0]!.detail).toContain('Topical diclofenac has relatively low systemic absorption');
  });

  it('drug–drug: digoxin and cyclosporine ordered together → digoxin toxicity card on each order with its own suggestions', async () => {
    await createPatient(s, 'ddi-2');
    const cards = (await sign('ddi-2', [draftOrder('ddi-2', '197606', 'digoxin 0.125 MG Oral Tablet'), draftOrder('ddi-2', '835896', 'cycloSPORINE 100 MG Oral Capsule')])).filter((c) => c.source.label.startsWith('HL7 PDDI'));
    expect(cards).toHaveLength(2);
    expect(cards[0]!.detail).toContain('Increased risk of digoxin toxicity');
    const labels = cards.map((c) => c.suggestions!.map((x) => x.label));
    expect(labels).toContainEqual(['Consultation', 'Cancel digoxin', 'Digoxin Level']);
    expect(labels).toContainEqual(['Consultation', 'Cancel cyclosporine']);
  });

  it('a draft naming its drug through a contained Medication (fullUrl urn:uuid entries, as some EHRs send) is checked like a coded one', async () => {
    const draft = draftOrder('cyp2c19-pm', ...CLOPIDOGREL);
    delete draft.medicationCodeableConcept;
    draft.contained = [{ resourceType: 'Medication', id: 'med', code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: CLOPIDOGREL[0], display: CLOPIDOGREL[1] }] } }];
    draft.medicationReference = { reference: '#med' };
    const request = hookRequest('order-sign', 'cyp2c19-pm', []);
    const context = request.context as Record<string, unknown>;
    context.draftOrders = { resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: `urn:uuid:${draft.id!}`, resource: draft }] };
    const res = await s.request('POST', SIGN, request);
    expect(res.status, res.text).toBe(200);
    expect((res.body as unknown as CardsResponse).cards.map((c) => c.summary)).toEqual(['Avoid clopidogrel: CYP2C19 Poor Metabolizer']);
  });

  it('order-select with several selections checks the selected drafts only', async () => {
    const clop = draftOrder('cyp2c19-pm', ...CLOPIDOGREL);
    const met = draftOrder('cyp2c19-pm', ...METFORMIN);
    const request = hookRequest('order-select', 'cyp2c19-pm', [clop, met]);
    const onlyMetformin = { ...request, context: { ...(request.context as object), selections: [`MedicationRequest/${met.id}`] } };
    expect((await s.request('POST', SELECT, onlyMetformin)).body).toEqual({ cards: [] });
    const both = await s.request('POST', SELECT, request);
    expect((both.body as unknown as CardsResponse).cards.map((c) => c.summary)).toEqual(['Avoid clopidogrel: CYP2C19 Poor Metabolizer']);
  });

  it('prefetch present is used instead of reading the store; absent keys are fetched', async () => {
    const search = async (q: string) => (await s.fhir('GET', q)).body as unknown as Bundle;
    const prefetch = {
      pgxPhenotypes: await search('Observation?patient=cyp2d6-nm&code=http://loinc.org|53040-2&status=final'),
      activeMedicationRequests: await search('MedicationRequest?patient=cyp2d6-nm&status=active'),
      activeMedicationStatements: await search('MedicationStatement?patient=cyp2d6-nm&status=active'),
    };
    const withPrefetch = await sign('cyp2d6-nm', [draftOrder('cyp2d6-nm', ...CODEINE)], { prefetch });
    expect(withPrefetch.map((c) => c.summary)).toEqual(['Avoid codeine: CYP2D6 Poor Metabolizer (activity score 0.0) with fluoxetine']);
    // A prefetch that says "no active medications" wins over the store: no phenoconversion, standard dosing, no card.
    const noMeds = { ...prefetch, activeMedicationRequests: { resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] } };
    expect(await sign('cyp2d6-nm', [draftOrder('cyp2d6-nm', ...CODEINE)], { prefetch: noMeds })).toEqual([]);
    // Only the phenotypes prefetched: the medications are read from the store, and fluoxetine is found again.
    const partial = await sign('cyp2d6-nm', [draftOrder('cyp2d6-nm', ...CODEINE)], { prefetch: { pgxPhenotypes: prefetch.pgxPhenotypes, activeMedicationRequests: null } });
    expect(partial).toHaveLength(1);
  });

  it('patient-view reviews the active prescriptions without order actions', async () => {
    await activeMedication(s, 'cyp2c19-pm', CLOPIDOGREL[0], CLOPIDOGREL[1]);
    const res = await s.request('POST', '/cds-services/flaura-pgx-patient-view', hookRequest('patient-view', 'cyp2c19-pm', []));
    expect(res.status, res.text).toBe(200);
    const cards = (res.body as unknown as CardsResponse).cards;
    expect(cards.map((c) => c.summary)).toEqual(['Avoid clopidogrel: CYP2C19 Poor Metabolizer']);
    expect(cards[0]!.suggestions).toBeUndefined();
  });

  it('feedback: override with a coded reason → DetectedIssue stored, queryable per patient and drug, card not raised again', async () => {
    const [card] = await sign('feedback', [draftOrder('feedback', ...CLOPIDOGREL)]);
    expect(card?.indicator).toBe('critical');
    const reason = card!.overrideReasons![0]!;
    const fb = await s.request('POST', `${SIGN}/feedback`, { feedback: [{ card: card!.uuid, outcome: 'overridden', overrideReason: { reason, userComment: 'Prasugrel contraindicated after prior stroke' }, outcomeTimestamp: '2026-11-25T10:00:00Z' }] });
    expect(fb.status, fb.text).toBe(200);
    const issues = (await s.fhir('GET', 'DetectedIssue?patient=feedback&code=http://www.nlm.nih.gov/research/umls/rxnorm|32968')).body as unknown as Bundle;
    expect(issues.entry).toHaveLength(1);
    const issue = issues.entry![0]!.resource as DetectedIssue;
    expect(issue).toMatchObject({ status: 'final', severity: 'high', patient: { reference: 'Patient/feedback' }, identifier: [{ value: card!.uuid }] });
    expect(issue.mitigation?.[0]?.action.coding?.map((c) => c.code)).toEqual(['overridden', reason.code]);
    expect(issue.mitigation?.[0]?.action.text).toBe('Overridden: Prasugrel contraindicated after prior stroke');
    expect(issue.mitigation?.[0]?.author?.display ?? issue.mitigation?.[0]?.author?.reference).toBeTruthy();
    // not re-raised for the same patient + drug + issue; still raised for another patient
    expect(await sign('feedback', [draftOrder('feedback', ...CLOPIDOGREL)])).toEqual([]);
    expect(await sign('cyp2c19-pm', [draftOrder('cyp2c19-pm', ...CLOPIDOGREL)])).toHaveLength(1);
    // Something relevant changed: a new CYP2C19 result (intermediate metabolizer) supersedes the old one → raised again.
    await storeCalls(s, 'feedback', { CYP2C19: '*1/*2' });
    const again = await sign('feedback', [draftOrder('feedback', ...CLOPIDOGREL)]);
    expect(again.map((c) => c.summary)).toEqual(['Avoid clopidogrel: CYP2C19 Intermediate Metabolizer']);
    // The superseded poor-metabolizer Observation stays on file but no longer counts.
    const phenotypes = (await s.fhir('GET', 'Observation?patient=feedback&code=http://loinc.org|53040-2')).body as unknown as Bundle;
    expect(phenotypes.entry).toHaveLength(2);
  });

  it('feedback: an overridden drug–drug–gene card is raised again when the interacting drug changes', async () => {
    await createPatient(s, 'feedback-ddg');
    await storeCalls(s, 'feedback-ddg', { CYP2D6: '*1/*2' });
    const fluoxetine = await activeMedication(s, 'feedback-ddg', '310385', 'fluoxetine 20 MG Oral Capsule');
    const [card] = await sign('feedback-ddg', [draftOrder('feedback-ddg', ...CODEINE)]);
    expect(card?.summary).toBe('Avoid codeine: CYP2D6 Poor Metabolizer (activity score 0.0) with fluoxetine');
    const fb = await s.request('POST', `${SIGN}/feedback`, { feedback: [{ card: card!.uuid, outcome: 'overridden', overrideReason: { reason: card!.overrideReasons![3] }, outcomeTimestamp: '2026-11-25T11:00:00Z' }] });
    expect(fb.status, fb.text).toBe(200);
    expect(await sign('feedback-ddg', [draftOrder('feedback-ddg', ...CODEINE)])).toEqual([]);
    // Fluoxetine stopped, paroxetine started: a relevant change, so the card comes back naming paroxetine.
    expect((await s.fhir('PUT', `MedicationRequest/${fluoxetine.id}`, { ...fluoxetine, status: 'stopped' })).status).toBe(200);
    await activeMedication(s, 'feedback-ddg', '312938', 'paroxetine 20 MG Oral Tablet');
    const again = await sign('feedback-ddg', [draftOrder('feedback-ddg', ...CODEINE)]);
    expect(again.map((c) => c.summary)).toEqual(['Avoid codeine: CYP2D6 Poor Metabolizer (activity score 0.0) with paroxetine']);
  });

  it('feedback: an accepted suggestion is recorded; unknown cards and malformed feedback are 4xx', async () => {
    const [card] = await sign('cyp2b6-pm', [draftOrder('cyp2b6-pm', ...EFAVIRENZ, { dose: { value: 600, unit: 'mg' } })]);
    const ok = await s.request('POST', `${SIGN}/feedback`, { feedback: [{ card: card!.uuid, outcome: 'accepted', acceptedSuggestions: [{ id: card!.suggestions![0]!.uuid }], outcomeTimestamp: '2026-11-25T10:05:00Z' }] });
    expect(ok.status, ok.text).toBe(200);
    const stored = (await s.fhir('GET', `${(ok.body as unknown as { recorded: { detectedIssue: string }[] }).recorded[0]!.detectedIssue}`)).body as unknown as DetectedIssue;
    expect(stored.mitigation?.[0]?.action.text).toBe('Accepted: Change to efavirenz 400 mg/day');
    expect((await s.request('POST', `${SIGN}/feedback`, { feedback: [{ card: '6b1d4b9e-3c43-4c1b-9a52-3f0f5a0e0d11', outcome: 'overridden', outcomeTimestamp: '2026-11-25T10:05:00Z' }] })).status).toBe(404);
    for (const body of [{}, { feedback: [] }, { feedback: [{ card: card!.uuid, outcome: 'ignored', outcomeTimestamp: '2026-11-25T10:05:00Z' }] }, { feedback: [{ card: card!.uuid, outcome: 'accepted' }] }]) {
      const res = await s.request('POST', `${SIGN}/feedback`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.resourceType).toBe('OperationOutcome');
    }
  });

  it('malformed and older-style requests → 400 OperationOutcome with the reason, never a 5xx', async () => {
    const good = hookRequest('order-sign', 'cyp2c19-pm', [draftOrder('cyp2c19-pm', ...CLOPIDOGREL)]);
    const ctx = good.context as Record<string, unknown>;
    const cases: [unknown, RegExp][] = [
      ['not json', /JSON|body/i],
      [{ ...good, hook: 'medication-prescribe' }, /answers the 'order-sign' hook/],
      [{ ...good, hookInstance: undefined }, /hookInstance/],
      [{ ...good, context: { ...ctx, patientId: undefined } }, /patientId/],
      [{ ...good, context: { patientId: 'cyp2c19-pm', medications: [{ resourceType: 'MedicationOrder' }] } }, /medication-prescribe shape/],
      [{ ...good, context: { ...ctx, draftOrders: [{ resourceType: 'MedicationRequest' }] } }, /Bundle/],
      [{ ...good, context: { ...ctx, draftOrders: { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'MedicationRequest', status: 'draft' } }] } } }, /needs an id/],
      [{ ...good, fhirAuthorization: { access_token: 'x' } }, /token_type/],
      [{ ...good, prefetch: { pgxPhenotypes: { resourceType: 'Patient' } } }, /prefetch\.pgxPhenotypes/],
    ];
    for (const [body, reason] of cases) {
      const res = await s.request('POST', SIGN, body);
      expect(res.status, res.text).toBe(400);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(JSON.stringify(res.body)).toMatch(reason);
    }
    // Prefetch is untrusted input: an Observation without a code is refused with its location, neither read nor dropped.
    const odd = await s.request('POST', SIGN, { ...good, prefetch: { pgxPhenotypes: { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Observation', status: 'final' } }] } } });
    expect(odd.status, odd.text).toBe(400);
    expect(odd.text).toMatch(/prefetch\.pgxPhenotypes\.entry\[0\]\.resource.*code/);
    const select = await s.request('POST', SELECT, { ...good, hook: 'order-select' });
    expect(select.status).toBe(400);
    expect(select.text).toMatch(/selections/);
    // draft orders that are not MedicationRequests (a lab order) are no business of this service: empty card list
    const lab = await s.request('POST', SIGN, { ...good, context: { ...ctx, draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'ServiceRequest', id: 'sr1', status: 'draft', intent: 'order', subject: { reference: 'Patient/cyp2c19-pm' }, code: { text: 'CBC' } } }] } } });
    expect(lab.body).toEqual({ cards: [] });
  });

  it('every field of a real request replaced by a wrong JSON type → 200 or a 400 OperationOutcome, never a 5xx', async () => {
    // Prefetch as a server returns it: one stored phenotype Observation and one active MedicationRequest.
    const first = async (q: string) => {
      const bundle = (await s.fhir('GET', q)).body as unknown as Bundle;
      return { ...bundle, entry: bundle.entry!.slice(0, 1), link: [] };
    };
    const good = hookRequest('order-select', 'cyp2d6-nm', [draftOrder('cyp2d6-nm', ...CODEINE, { dose: { value: 30, unit: 'mg' } }), draftOrder('cyp2d6-nm', ...EFAVIRENZ)], {
      prefetch: { pgxPhenotypes: await first('Observation?patient=cyp2d6-nm&code=http://loinc.org|53040-2&status=final'), activeMedicationRequests: await first('MedicationRequest?patient=cyp2d6-nm&status=active') },
      fhirAuthorization: { access_token: 'opaque', token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'ehr' },
    });
    // Every path to a value in the request (objects and arrays walked), each replaced in turn by each odd value.
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, path: (string | number)[]) => {
      paths.push(path);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
      else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    };
    walk(good, []);
    const odd: unknown[] = [null, 0, -1.5, '', 'x', true, [], {}, [null], { resourceType: 'Bundle' }];
    const replaced = (path: (string | number)[], value: unknown): unknown => {
      if (path.length === 0) return value;
      const copy = structuredClone(good) as Record<string | number, unknown>;
      let at = copy;
      for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
      at[path.at(-1)!] = value;
      return copy;
    };
    const statuses = new Map<number, number>();
    // Each path gets null plus three other odd values in turn (all of them over the sweep), to keep it to ~1,000 calls.
    for (const [n, path] of paths.entries()) {
      for (const value of [null, ...[1, 2, 3].map((k) => odd[1 + ((n * 3 + k) % (odd.length - 1))])]) {
        const body = replaced(path, value);
        const res = await s.request('POST', SELECT, body);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect([200, 400], `${path.join('.')} = ${JSON.stringify(value)}: ${res.status} ${res.text.slice(0, 300)}`).toContain(res.status);
        if (res.status === 400) expect(res.body.resourceType).toBe('OperationOutcome');
        else expect(Array.isArray((res.body as unknown as CardsResponse).cards)).toBe(true);
      }
    }
    expect(paths.length).toBeGreaterThan(40);
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(0);
  }, 240_000);
});
