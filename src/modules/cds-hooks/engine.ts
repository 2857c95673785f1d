// One hook call → cards: every ordered drug against the patient's stored PGx results, co-medication (phenoconversion),
// drug–drug rules and "no result on file"; then alert-fatigue filters (overridden issues, tests already suggested).
import type { MedicationRequest } from '@medplum/fhirtypes';
import type { Queryable } from '../../db/index.ts';
import type { CardCandidate, HookCard } from './cards.ts';
import { indicatorRank, type CdsConfig } from './config.ts';
import { medicationUse, type MedicationUse } from './medications.ts';
import { claimTestSuggestion, type CardRecorder, type PatientMemory } from './memory.ts';
import type { PatientData } from './patient-data.ts';
import type { HookRequest } from './request.ts';
import { drugDrugCards } from './rules/drug-drug.ts';
import { cpicActionableGenes, geneDrugCards } from './rules/gene-drug.ts';
import { testCard } from './rules/pgx-test.ts';
import { withheldCard } from './rules/pgx-withheld.ts';

export interface EngineInput {
  serviceId: string;
  request: HookRequest;
  patient: PatientData;
  config: CdsConfig;
  explanationUrl: (drug: string) => string;
}

/** The drafts a hook is about: order-select checks only the selected ones (the rest is context), order-sign all. */
function ordersToCheck(request: HookRequest, drafts: readonly MedicationUse[]): MedicationUse[] {
  if (request.hook !== 'order-select') return [...drafts];
  const selected = new Set(request.selections ?? []);
  return drafts.filter((d) => selected.has(d.reference) || selected.has(d.reference.split('/')[1] ?? ''));
}

function candidates(input: EngineInput): CardCandidate[] {
  const { request, patient, config } = input;
  const drafts = request.drafts.map((d: MedicationRequest) => medicationUse(d, 'draft'));
  const patientView = request.hook === 'patient-view';
  const orders = patientView ? patient.medications.filter((m) => m.source === 'active-request') : ordersToCheck(request, drafts);
  const out: CardCandidate[] = [];
  const testGenesSeen = new Set<string>();
  for (const order of orders) {
    const others = [...patient.medications, ...drafts].filter((m) => m !== order);
    for (const drug of order.ingredients) {
      out.push(...geneDrugCards({ draft: order, drug, patient, comedications: others, config, explanationUrl: input.explanationUrl }));
      const withheld = patient.withheldGenes?.size ? withheldCard(drug, patient.withheldGenes) : undefined;
      if (withheld) out.push(withheld);
      if (!patientView && config.suggestTests) {
        const untested = cpicActionableGenes(drug).filter((g) => !patient.testedGenes.has(g) && !testGenesSeen.has(g));
        const card = testCard(drug, untested, request.patientId, (order.resource as MedicationRequest).requester?.reference ? { reference: (order.resource as MedicationRequest).requester!.reference! } : undefined);
        if (card) {
          card.genes?.forEach((g) => testGenesSeen.add(g));
          out.push(card);
        }
      }
    }
    if (!patientView) out.push(...drugDrugCards(order, others, request.hook, request.patientId, config));
  }
  if (patientView) for (const c of out) delete c.card.suggestions; // nothing is being ordered: no order actions
  return out;
}

/** Evaluates the request and records the cards it returns (feedback refers to them by uuid). */
export async function evaluate(db: Queryable, recorder: CardRecorder, input: EngineInput, memory: PatientMemory): Promise<HookCard[]> {
  let list = candidates(input);
  if (list.length === 0) return [];
  const patientId = input.request.patientId;
  if (input.config.suppressOverridden) list = list.filter((c) => !memory.overridden.has(`${c.drug}\u0000${c.issueKey}`));
  const tests = list.filter((c) => c.kind === 'pgx-test');
  if (tests.length > 0) {
    const already = memory.testsSuggested;
    const kept: CardCandidate[] = [];
    for (const t of tests) {
      const fresh = (t.genes ?? []).filter((g) => !already.has(g));
      const won = fresh.length ? await claimTestSuggestion(db, patientId, fresh, t.card.uuid) : [];
      if (won.length > 0) kept.push(t);
    }
    list = list.filter((c) => c.kind !== 'pgx-test' || kept.includes(c));
  }
  list.sort((a, b) => indicatorRank(b.card.indicator) - indicatorRank(a.card.indicator));
  recorder.record(input.serviceId, patientId, list);
  return list.map((c) => c.card);
}
