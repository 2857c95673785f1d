// Gene–drug and drug–drug–gene cards: the CPIC/DPWG recommendation for the ordered drug and the patient's stored
// phenotype, after phenoconversion by co-medication (CYP2D6 activity score × 0 / × 0.5, advisory notes for
// CYP2C19/CYP2B6: src/modules/pgx/phenoconversion, data/ddi/).
import { randomUUID } from 'node:crypto';
import type { Dosage, MedicationRequest } from '@medplum/fhirtypes';
import alternativesData from '../../../../data/ddi/pgx-alternatives.json' with { type: 'json' };
import type { GenePhenotype } from '../../pgx/model.ts';
import { applyPhenoconversion, type PhenoconversionNote } from '../../pgx/phenoconversion/index.ts';
import { loadPhenotypeKnowledge } from '../../pgx/phenotype/knowledge.ts';
import type { GeneResult } from '../../pgx/phenotype/types.ts';
import { loadGuidanceKnowledge } from '../../pgx/recommend/knowledge.ts';
import { recommendDrug } from '../../pgx/recommend/recommender.ts';
import type { MatchedRecommendation } from '../../pgx/recommend/types.ts';
import { OVERRIDE_REASONS, deleteDraft, summary, updatedDraft, type CardCandidate, type CdsSuggestion } from '../cards.ts';
import { indicatorRank, type CdsConfig, type Indicator } from '../config.ts';
import { RXNORM, rxcuiOf, type MedicationUse } from '../medications.ts';
import type { PatientData } from '../patient-data.ts';
import { patientSentence } from './patient-words.ts';

type Advice = 'avoid' | 'dose-change' | 'monitor' | 'standard' | 'none';

/** What a recommendation row asks of the prescriber, from its structured dose adjustment (derived at build time). */
function adviceOf(m: MatchedRecommendation): Advice {
  const r = m.recommendation;
  if (r.classification === 'No recommendation' || /^no recommendation\b/i.test(r.text.trim()) || /^no action is required/i.test(r.text.trim())) return 'none';
  switch (r.doseAdjustment?.kind) {
    case 'avoid':
      return 'avoid';
    case 'reduce':
    case 'increase':
      return 'dose-change';
    case 'titrate':
      return 'monitor';
    case 'standard':
      return 'standard';
    default:
      return r.alternateDrugAvailable ? 'avoid' : r.dosingInformation ? 'monitor' : 'none';
  }
}

function indicatorOf(m: MatchedRecommendation, config: CdsConfig): Indicator | null {
  const advice = adviceOf(m);
  const i = config.indicators;
  if (advice === 'avoid') return m.source === 'CPIC' && m.recommendation.classification === 'Strong' ? i.avoidStrong : i.avoidOther;
  if (advice === 'dose-change') return i.doseChange;
  if (advice === 'monitor') return i.monitor;
  if (advice === 'standard') return i.standard;
  return null;
}

const STRENGTH = ['Strong', 'Moderate', 'Optional'];

/** The row that leads the card: the highest indicator, CPIC before DPWG, stronger classification first. */
function leading(rows: { m: MatchedRecommendation; indicator: Indicator }[]): { m: MatchedRecommendation; indicator: Indicator } | undefined {
  const rank = (x: { m: MatchedRecommendation; indicator: Indicator }) => [indicatorRank(x.indicator), x.m.source === 'CPIC' ? 1 : 0, -STRENGTH.indexOf(x.m.recommendation.classification ?? '') ] as const;
  return [...rows].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    return rb[0] - ra[0] || rb[1] - ra[1] || ra[2] - rb[2];
  })[0];
}

function geneResults(phenotypes: ReadonlyMap<string, GenePhenotype[]>): GeneResult[] {
  return [...phenotypes].map(([gene, list]) => ({ gene, call: { gene, source: 'outside-call', diplotypes: [], missingPositions: [], phased: false, warnings: [] }, phenotypes: list, warnings: [] }));
}

/** CPIC activity-score bins of the gene's phenotype table (data/pgx/phenotypes). */
function phenotypeForScore(gene: string, score: string): string | undefined {
  const bins = loadPhenotypeKnowledge().tables.get(gene)?.bins ?? [];
  const n = Number(score.replace(/^≥/, ''));
  return bins.find((b) => n >= b.min && n <= b.max)?.phenotype;
}

/** First part of a recommendation (before CPIC's "Other Considerations" sections). */
function mainText(text: string): string {
  return text.split(/\n#{2,}\s/)[0]!.trim();
}

function describe(p: GenePhenotype): string {
  const name = p.phenotype.startsWith(p.gene) ? p.phenotype : `${p.gene} ${p.phenotype}`;
  return `${name}${p.activityScore ? ` (activity score ${p.activityScore})` : ''}`;
}

/** The phenotypes a matched row was looked up by (HLA genes store one phenotype per allele of interest). */
function matchedBy(m: MatchedRecommendation, phenotypes: readonly GenePhenotype[]): GenePhenotype[] {
  const hit = phenotypes.filter((p) => m.lookupKey[p.gene] === p.lookupKey);
  return hit.length > 0 ? hit : [...phenotypes];
}

const UCUM = 'http://unitsofmeasure.org';

/** The guideline publication (newest citation, PubMed) of a matched row's guideline; the data's annotation URL otherwise. */
function publicationUrl(m: MatchedRecommendation): string {
  const file = (loadGuidanceKnowledge().byDrug.get(m.recommendation.drugs[0] ?? '') ?? []).find((f) => f.id === m.guidelineId);
  const newest = [...(file?.citations ?? [])].filter((c) => c.pmid).sort((a, b) => (b.year ?? 0) - (a.year ?? 0))[0];
  return newest?.pmid ? `https://pubmed.ncbi.nlm.nih.gov/${newest.pmid}/` : m.url;
}

function dailyDosage(mg: number, drug: string): Dosage {
  return {
    text: `${drug} ${mg} mg once daily`,
    timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
    doseAndRate: [{ doseQuantity: { value: mg, unit: 'mg', system: UCUM, code: 'mg' } }],
  };
}

/** Dose-change suggestions: the mg/day amounts the advice names, else the stated percentage of the draft's dose. */
function doseSuggestions(draft: MedicationRequest, drug: string, m: MatchedRecommendation): CdsSuggestion[] {
  const adj = m.recommendation.doseAdjustment;
  if (!adj) return [];
  const amounts = /(\d+(?:\.\d+)?)((?:\s*(?:,|or|to|-|–)\s*\d+(?:\.\d+)?)*)\s*mg\/day/i.exec(adj.text);
  const rxcui = rxcuiOf(drug);
  // The product may not come in the new strength: order the ingredient and let the pharmacy pick the product.
  const ingredient = { coding: rxcui ? [{ system: RXNORM, code: rxcui, display: drug }] : [], text: drug };
  if (amounts?.[1]) {
    const values = [amounts[1], ...(amounts[2] ?? '').split(/,|or|to|-|–/).map((s) => s.trim()).filter(Boolean)].map(Number);
    return values.map((mg, i) => ({
      label: `Change to ${drug} ${mg} mg/day`,
      uuid: randomUUID(),
      ...(i === 0 ? { isRecommended: true } : {}),
      actions: [{ type: 'update' as const, description: `${drug} ${mg} mg/day (${m.source}: ${adj.text})`, resource: updatedDraft(draft, { medicationCodeableConcept: ingredient, dosageInstruction: [dailyDosage(mg, drug)] }) }],
    }));
  }
  const pct = adj.percentOfStandard;
  const dose = draft.dosageInstruction?.[0]?.doseAndRate?.[0]?.doseQuantity;
  if (pct !== undefined && dose?.value !== undefined) {
    const value = Math.round(dose.value * pct) / 100;
    const unit = dose.unit ?? dose.code ?? '';
    const first = draft.dosageInstruction?.[0] ?? {};
    const dosage: Dosage = { ...first, text: `${value} ${unit} (${pct}% of the ordered ${dose.value} ${unit}; ${adj.text})`, doseAndRate: [{ doseQuantity: { ...dose, value } }] };
    return [{
      label: `Reduce ${drug} to ${value} ${unit} (${pct}% of the ordered dose)`,
      uuid: randomUUID(),
      isRecommended: true,
      actions: [{ type: 'update', description: `${drug} ${value} ${unit} instead of ${dose.value} ${unit}`, resource: updatedDraft(draft, { dosageInstruction: [dosage, ...(draft.dosageInstruction ?? []).slice(1)] }) }],
    }];
  }
  return [];
}

/** Replace-with-alternative suggestions (data/ddi/pgx-alternatives.json, only alternatives the matched row names). */
function alternativeSuggestions(draft: MedicationRequest, drug: string, m: MatchedRecommendation): CdsSuggestion[] {
  return alternativesData.alternatives
    .filter((a) => a.drug === drug && a.recommendationIds.includes(m.recommendation.id))
    .map((a) => ({
      label: `Replace ${drug} with ${a.alternative}`,
      uuid: randomUUID(),
      actions: [{
        type: 'update' as const,
        description: `Order ${a.alternative} at its standard dose instead of ${drug}`,
        resource: updatedDraft(draft, {
          medicationCodeableConcept: { coding: [{ system: RXNORM, code: a.rxcui, display: a.alternative }], text: a.alternative },
          dosageInstruction: [{ text: `${a.alternative}: standard dose per label (${m.source} ${m.recommendation.classification ?? ''})`.trim() }],
        }),
      }],
    }));
}

function guidanceLines(rows: readonly MatchedRecommendation[]): string[] {
  return rows.map((m) => {
    const r = m.recommendation;
    const where = r.population ? ` — ${r.population}` : '';
    return `- **${m.source}${r.classification && r.classification !== 'N/A' ? ` (${r.classification})` : ''}${where}:** ${mainText(r.text).replace(/\n+/g, ' ')}`;
  });
}

function interactionSentence(notes: readonly PhenoconversionNote[], genotype: readonly GenePhenotype[], effective: readonly GenePhenotype[]): string {
  const n = notes[0]!;
  const before = genotype.find((p) => p.gene === n.gene);
  const after = effective.find((p) => p.gene === n.gene);
  const drugs = [...new Set(notes.map((x) => `${x.drug} (${x.strength} ${x.gene} ${x.effect})`))].join(', ');
  return `This risk comes from the **combination** of the patient's ${n.gene} genotype (${before ? describe(before) : n.gene}) and ${drugs}: with it, ${n.gene} activity is treated as ${after ? describe(after) : 'lower'} (CPIC: activity score × ${n.strength === 'strong' ? '0' : '0.5'} for a ${n.strength} inhibitor).`;
}

export interface GeneDrugInput {
  draft: MedicationUse;
  drug: string;
  patient: PatientData;
  /** Active medications and the other draft orders (the ordered drug itself is left out). */
  comedications: readonly MedicationUse[];
  config: CdsConfig;
  /** Link builder for the patient-facing explanation of this drug. */
  explanationUrl: (drug: string) => string;
}

/** Cards for one ordered drug: none when the data has no guidance for it or nothing actionable. */
export function geneDrugCards(input: GeneDrugInput): CardCandidate[] {
  const { drug, patient, config } = input;
  const knowledge = loadGuidanceKnowledge();
  const files = knowledge.byDrug.get(drug);
  if (!files || files.length === 0) return [];
  const genes = [...new Set(files.flatMap((f) => f.genes))].sort();
  const genotype = genes.flatMap((g) => patient.phenotypes.get(g) ?? []);
  if (genotype.length === 0) return [];
  const medications = input.comedications.filter((m) => !m.ingredients.includes(drug)).map((m) => ({ name: [m.text, ...m.ingredients].join(' '), ...(m.rxnorm ? { rxnorm: m.rxnorm } : {}) }));
  const { effective, notes } = applyPhenoconversion(genotype, medications, phenotypeForScore);
  const changed = notes.filter((n) => !n.advisoryOnly);
  const advisory = notes.filter((n) => n.advisoryOnly);
  const byGene = (list: readonly GenePhenotype[]) => new Map(genes.map((g) => [g, list.filter((p) => p.gene === g)] as const).filter(([, l]) => l.length > 0));
  const genotypeResult = recommendDrug(drug, geneResults(byGene(genotype)), knowledge);
  const result = changed.length > 0 ? recommendDrug(drug, geneResults(byGene(effective)), knowledge) : genotypeResult;
  const rows = result.recommendations.flatMap((m) => {
    const indicator = indicatorOf(m, config);
    return indicator ? [{ m, indicator }] : [];
  });
  const lead = leading(rows);
  const draft = input.draft.resource as MedicationRequest;
  const cards: CardCandidate[] = [];
  const used = changed.length > 0 ? effective : genotype;
  const phenotypeKey = used.map((p) => `${p.gene}:${p.lookupKey}`).sort().join(',');

  if (lead) {
    const combination = changed.length > 0 && JSON.stringify(genotypeResult.recommendations.map((m) => m.recommendation.id)) !== JSON.stringify(result.recommendations.map((m) => m.recommendation.id));
    const advice = adviceOf(lead.m);
    const stopped = combination ? `If ${[...new Set(changed.map((n) => n.drug))].join(' and ')} is stopped, the genotype-predicted ${genotype.map(describe).join(', ')} applies again, and the guidance is: ${genotypeResult.recommendations.filter((m) => m.source === 'CPIC').map((m) => mainText(m.recommendation.text).split('\n')[0]).filter((t, i, a) => a.indexOf(t) === i).join(' / ') || 'no change'}` : '';
    const phenotypeText = matchedBy(lead.m, used).map(describe).join(', ');
    const head =
      advice === 'avoid'
        ? `Avoid ${drug}: ${phenotypeText}`
        : advice === 'dose-change'
          ? `${drug}: ${lead.m.recommendation.doseAdjustment?.kind === 'increase' ? 'higher' : 'reduced'} dose for ${phenotypeText}`
          : `${drug}: ${phenotypeText}, see guidance`;
    const summaryText = combination ? `${head} with ${[...new Set(changed.map((n) => n.drug))].join(', ')}` : head;
    const suggestions: CdsSuggestion[] =
      advice === 'avoid'
        ? [...alternativeSuggestions(draft, drug, lead.m), { label: `Cancel the ${drug} order`, uuid: randomUUID(), actions: [deleteDraft(draft, `Remove the draft ${drug} order`)] }]
        : advice === 'dose-change'
          ? doseSuggestions(draft, drug, lead.m)
          : [];
    const ordered = rows.map((r) => r.m).sort((a, b) => (a.source === b.source ? 0 : a.source === 'CPIC' ? -1 : 1));
    const detail = [
      combination ? interactionSentence(changed, genotype, effective) : `Stored PGx result: ${matchedBy(lead.m, genotype).map(describe).join(', ')}.`,
      '',
      ...guidanceLines(ordered),
      ...(lead.m.recommendation.implications.length ? ['', `Implication: ${lead.m.recommendation.implications.join(' ')}`] : []),
      ...(stopped ? ['', stopped] : []),
      ...(advisory.length ? ['', ...advisory.map((n) => `Note: ${n.drug} is a ${n.strength} ${n.gene} ${n.effect}; no consensus method adjusts ${n.gene} phenotypes for it (${n.source.split(':')[0]}), so the genotype-based phenotype is used.`)] : []),
      '',
      `**For the patient:** ${patientSentence(drug, matchedBy(lead.m, used), advice, combination ? [...new Set(changed.map((n) => n.drug))] : [])}`,
    ].join('\n');
    cards.push({
      kind: combination ? 'drug-drug-gene' : 'gene-drug',
      drug,
      issueKey: `${combination ? 'drug-drug-gene' : 'gene-drug'}|${drug}|${phenotypeKey}${combination ? `|${[...new Set(changed.map((n) => n.drug))].sort().join('+')}` : ''}`,
      card: {
        uuid: randomUUID(),
        summary: summary(summaryText),
        detail,
        indicator: lead.indicator,
        source: { label: `${lead.m.source}: ${lead.m.guidelineName}`, url: publicationUrl(lead.m), topic: { system: RXNORM, code: rxcuiOf(drug) ?? drug, display: drug } },
        ...(suggestions.length ? { suggestions, selectionBehavior: 'at-most-one' as const } : {}),
        ...(lead.indicator !== 'info' ? { overrideReasons: [...OVERRIDE_REASONS] } : {}),
        links: [
          { label: `${lead.m.source} guideline publication: ${lead.m.guidelineName}`, url: publicationUrl(lead.m), type: 'absolute' },
          { label: `${lead.m.source} recommendation annotation (ClinPGx/PharmGKB)`, url: lead.m.url, type: 'absolute' },
          ...(combination ? [{ label: 'Phenoconversion method (CPIC)', url: changed[0]!.sourceUrl, type: 'absolute' as const }] : []),
          { label: `For the patient: ${drug} and your genes`, url: input.explanationUrl(drug), type: 'absolute' },
        ],
      },
    });
  } else if (advisory.length > 0 && config.indicators.advisory) {
    // Nothing to change by the genotype, but a co-medication may change the enzyme's activity (no consensus rule).
    const n = advisory[0]!;
    cards.push({
      kind: 'phenoconversion-advisory',
      drug,
      issueKey: `phenoconversion-advisory|${drug}|${phenotypeKey}|${advisory.map((x) => x.drug).sort().join('+')}`,
      card: {
        uuid: randomUUID(),
        summary: summary(`${drug}: ${n.drug} (${n.strength} ${n.gene} ${n.effect}) may change ${n.gene} activity`),
        detail: `Stored PGx result: ${genotype.map(describe).join(', ')}. ${advisory.map((x) => `${x.drug} is a ${x.strength} ${x.gene} ${x.effect}.`).join(' ')} No consensus method adjusts ${n.gene} phenotypes for co-medication (${n.source}); the response to ${drug} may differ from what the genotype predicts.`,
        indicator: config.indicators.advisory,
        source: { label: 'CPIC (phenoconversion)', url: n.sourceUrl },
        links: [{ label: 'CPIC guideline', url: n.sourceUrl, type: 'absolute' }],
      },
    });
  }
  return cards;
}

/** The genes the CPIC/DPWG guidance of a drug is keyed by (the phenotypes its cards may use). */
export function guidanceGenes(drug: string): string[] {
  return [...new Set((loadGuidanceKnowledge().byDrug.get(drug) ?? []).flatMap((f) => f.genes))];
}

/** True when CPIC gives actionable advice for the drug for some phenotype of `gene` (used to suggest the test). */
export function cpicActionableGenes(drug: string): string[] {
  const files = (loadGuidanceKnowledge().byDrug.get(drug) ?? []).filter((f) => f.source === 'CPIC');
  const genes = new Set<string>();
  for (const f of files) {
    for (const r of f.recommendations) {
      if (!r.drugs.includes(drug) || (r.classification !== 'Strong' && r.classification !== 'Moderate')) continue;
      const kind = r.doseAdjustment?.kind;
      if (kind === 'avoid' || kind === 'reduce' || kind === 'increase') for (const g of Object.keys(r.lookupKey)) genes.add(g);
    }
  }
  return [...genes].sort();
}
