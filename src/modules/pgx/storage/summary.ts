// A patient's current PGx results, read back from the stored FHIR resources (never from the engine's memory): per
// gene the newest usable call, per drug the guidance of the current (final) therapeutic implications.
import type { DiagnosticReport, Observation } from '@medplum/fhirtypes';
import type { FhirStore } from '../../../fhir/store/types.ts';
import { FLAURA_PGX_CODES, PGX_DATA_VERSION_EXTENSION } from '../report/fhir.ts';
import { loadPatientTemplates } from '../report/load-templates.ts';
import { CODES, LOINC, PGX_RESULT_HASH_SYSTEM } from './conventions.ts';
import { partialVcfGenes } from './import-options.ts';
import { geneOf, hasLoinc, observationSource, searchAll } from './read-back.ts';

export interface PgxSummaryGene {
  gene: string;
  /** Tied diplotypes in score order; empty when the source reported a phenotype only. */
  diplotypes: string[];
  /** Distinct phenotypes joined with ' or ' (several when diplotypes tie). */
  phenotype: string;
  activityScore: string | null;
  /** Keys the recommendations are looked up with (phenotype, activity score or allele status). */
  lookupKeys: string[];
  source: 'vcf' | 'outside-call' | 'unknown';
  /**
   * The call's warnings as stored with its genotype (e.g. CYP2D6_COPY_NUMBER_NOT_ASSESSED for CYP2D6 called from a VCF)
   * and the phenotyper's as stored with its phenotype (e.g. PHENOTYPE_SEVERAL_SCORES);
   * `patientText` is the plain-language note the patient explanation adds for that warning (data/pgx/phenotypes).
   */
  warnings: { code: string; message: string; patientText?: string }[];
  /** When the result was issued. */
  date: string;
  reportId: string;
  dataVersion: Record<string, string>;
  observationIds: string[];
}

export interface PgxSummaryGuidance {
  source: string;
  classification: string | null;
  population: string | null;
  text: string;
  implications: string[];
  /** gene → key the recommendation matched. */
  lookupKey: Record<string, string>;
  observationId: string;
}

export interface PgxSummaryDrug {
  drug: string;
  genes: string[];
  date: string;
  reportId: string;
  guidance: PgxSummaryGuidance[];
}

export interface PgxSummary {
  patient: string;
  genes: PgxSummaryGene[];
  drugs: PgxSummaryDrug[];
  reports: { id: string; status: string; issued: string | null; conclusion: string | null; contentHash: string | null }[];
}

function flauraComponent(obs: Observation, code: string): string | undefined {
  return (obs.component ?? []).find((c) => (c.code.coding ?? []).some((x) => x.system === FLAURA_PGX_CODES && x.code === code))?.valueString;
}

function loincComponents(obs: Observation, code: string): NonNullable<Observation['component']> {
  return (obs.component ?? []).filter((c) => (c.code.coding ?? []).some((x) => x.system === LOINC && x.code === code));
}

/** A note written from a warning (`CODE: message`, report/fhir.ts); other notes (ties, the activity score) are not warnings. */
function noteWarning(text: string | undefined): PgxSummaryGene['warnings'][number] | undefined {
  const m = /^([A-Z][A-Z0-9_]+): ([\s\S]+)$/.exec(text ?? '');
  if (!m) return undefined;
  const patientText = loadPatientTemplates().callWarnings?.[m[1]!];
  return { code: m[1]!, message: m[2]!, ...(patientText ? { patientText } : {}) };
}

/** The warnings written as notes of a genotype (the call's) or phenotype Observation (the phenotyper's), once each. */
function addNoteWarnings(entry: PgxSummaryGene, o: Observation): void {
  for (const w of (o.note ?? []).map((n) => noteWarning(n.text))) if (w && !entry.warnings.some((x) => x.code === w.code && x.message === w.message)) entry.warnings.push(w);
}

function dataVersionOf(report: DiagnosticReport | undefined): Record<string, string> {
  const ext = report?.extension?.find((e) => e.url === PGX_DATA_VERSION_EXTENSION);
  return Object.fromEntries((ext?.extension ?? []).flatMap((e) => (e.valueString !== undefined ? [[e.url, e.valueString]] : [])));
}

/** Strips the `GENE ` prefix report/fhir.ts writes before diplotypes and lookup keys. */
function withoutGene(text: string | undefined, gene: string): string {
  const t = text ?? '';
  return t.startsWith(`${gene} `) ? t.slice(gene.length + 1) : t;
}

const byIssuedDesc = (a: { issued?: string }, b: { issued?: string }) => (b.issued ?? '').localeCompare(a.issued ?? '');

export interface PgxSummaryOptions {
  /**
   * Whether the caller may read this report (consent, break-the-glass). When given, only reports it allows are
   * summarised, and only the Observations those reports list: one decision per report, not per Observation.
   */
  mayRead?: (report: DiagnosticReport) => Promise<boolean>;
}

/** Reads the patient's stored PGx resources and summarises the current (final) ones. */
export async function readPgxSummary(store: FhirStore, patientId: string, options: PgxSummaryOptions = {}): Promise<PgxSummary> {
  const subject = `Patient/${patientId}`;
  const stored = (await searchAll<DiagnosticReport>(store, 'DiagnosticReport', { subject, code: `${LOINC}|${CODES.report}` })).map((r) => r.resource);
  const mayRead = options.mayRead;
  const reports: DiagnosticReport[] = [];
  // One after the other: each decision may query the database (consents, grants) on the same connection.
  for (const r of stored) if (!mayRead || (await mayRead(r))) reports.push(r);
  const listed = new Set(reports.flatMap((r) => (r.result ?? []).map((x) => (x.reference ?? '').replace(/\/_history\/.*$/, ''))));
  const observations = (await searchAll<Observation>(store, 'Observation', { subject, status: 'final', code: [CODES.genotype, CODES.phenotype, CODES.implication].map((c) => `${LOINC}|${c}`).join(',') }))
    .map((r) => r.resource)
    .filter((o) => !mayRead || listed.has(`Observation/${o.id}`));
  const reportOf = new Map<string, DiagnosticReport>();
  for (const r of reports) for (const ref of r.result ?? []) if (ref.reference) reportOf.set(ref.reference.replace(/\/_history\/.*$/, ''), r);
  const report = (obs: Observation) => reportOf.get(`Observation/${obs.id}`);

  // Genes: the newest report with a usable phenotype wins; an Indeterminate call only shows when nothing else exists.
  // A partial VCF call (CYP2D6 from a VCF: no copy number) yields to any other usable call of the gene, however old.
  const phenotypes = observations.filter((o) => hasLoinc(o, CODES.phenotype)).sort(byIssuedDesc);
  const genes = new Map<string, PgxSummaryGene>();
  const usable = (o: Observation) => o.valueCodeableConcept?.text !== 'Indeterminate';
  const partialGenes = partialVcfGenes();
  const partial = (o: Observation) => observationSource(o) === 'vcf' && partialGenes.has(geneOf(o) ?? '');
  const ranked = [...phenotypes.filter((x) => usable(x) && !partial(x)), ...phenotypes.filter((x) => usable(x) && partial(x)), ...phenotypes.filter((x) => !usable(x))];
  for (const o of ranked) {
    const gene = geneOf(o);
    if (!gene) continue;
    const r = report(o);
    const known = genes.get(gene);
    if (known && known.reportId !== (r?.id ?? '')) continue;
    const entry = known ?? { gene, diplotypes: [], phenotype: '', activityScore: null, lookupKeys: [], source: observationSource(o), warnings: [], date: o.issued ?? '', reportId: r?.id ?? '', dataVersion: dataVersionOf(r), observationIds: [] };
    const phenotype = o.valueCodeableConcept?.text ?? '';
    const listed = entry.phenotype ? entry.phenotype.split(' or ') : [];
    if (!listed.includes(phenotype)) entry.phenotype = [...listed, phenotype].join(' or ');
    const score = flauraComponent(o, 'activity-score');
    if (score && entry.activityScore !== score) entry.activityScore = entry.activityScore ? `${entry.activityScore} or ${score}` : score;
    const key = flauraComponent(o, 'lookup-key');
    if (key && !entry.lookupKeys.includes(key)) entry.lookupKeys.push(key);
    entry.observationIds.push(o.id ?? '');
    addNoteWarnings(entry, o);
    genes.set(gene, entry);
  }
  for (const o of observations.filter((x) => hasLoinc(x, CODES.genotype))) {
    const gene = geneOf(o);
    const entry = gene ? genes.get(gene) : undefined;
    if (!gene || !entry || entry.reportId !== (report(o)?.id ?? '')) continue;
    entry.diplotypes.push(withoutGene(o.valueCodeableConcept?.text, gene));
    entry.observationIds.push(o.id ?? '');
    addNoteWarnings(entry, o);
  }
  // Genotype Observations are written in score order; keep that order (their ids are not ordered).
  for (const g of genes.values()) {
    const r = reports.find((x) => x.id === g.reportId);
    if (!r) continue;
    const order = (r.result ?? []).map((x) => x.reference ?? '');
    const pos = (name: string) => order.findIndex((ref) => observations.some((o) => `Observation/${o.id}` === ref && o.valueCodeableConcept?.text === `${g.gene} ${name}`));
    g.diplotypes.sort((a, b) => pos(a) - pos(b));
  }

  // Guidance is current only when it was derived from the current call of each of its genes: a report whose usable call
  // of a gene is not the one shown (a partial VCF call next to an outside call) does not give guidance by that gene.
  const displaced = new Set(phenotypes.filter(usable).flatMap((o) => {
    const gene = geneOf(o);
    const id = report(o)?.id ?? '';
    return gene && genes.get(gene)?.reportId !== id ? [`${id}\u0000${gene}`] : [];
  }));
  const drugs = new Map<string, PgxSummaryDrug>();
  for (const o of observations.filter((x) => hasLoinc(x, CODES.implication)).sort(byIssuedDesc)) {
    const drug = loincComponents(o, CODES.medicationAssessed)[0]?.valueCodeableConcept?.text;
    if (!drug) continue;
    const r = report(o);
    const lookupKey = Object.fromEntries(loincComponents(o, CODES.phenotype).flatMap((c) => (c.code.text ? [[c.code.text, withoutGene(c.valueCodeableConcept?.text, c.code.text)]] : [])));
    if (Object.keys(lookupKey).some((gene) => displaced.has(`${r?.id ?? ''}\u0000${gene}`))) continue;
    const source = flauraComponent(o, 'recommendation-source') ?? '';
    const evidence = loincComponents(o, CODES.evidence)[0]?.valueCodeableConcept?.text;
    const notes = (o.note ?? []).map((n) => n.text);
    const entry = drugs.get(drug) ?? { drug, genes: [], date: o.issued ?? '', reportId: r?.id ?? '', guidance: [] };
    entry.genes = [...new Set([...entry.genes, ...Object.keys(lookupKey)])].sort();
    entry.guidance.push({
      source,
      classification: evidence ? evidence.replace(new RegExp(`^${source} `), '') : null,
      population: flauraComponent(o, 'population') ?? null,
      text: notes[0] ?? '',
      implications: notes.filter((n) => n.startsWith('Implication: ')).map((n) => n.slice('Implication: '.length)),
      lookupKey,
      observationId: o.id ?? '',
    });
    drugs.set(drug, entry);
  }
  return {
    patient: subject,
    genes: [...genes.values()].sort((a, b) => a.gene.localeCompare(b.gene)),
    drugs: [...drugs.values()].sort((a, b) => a.drug.localeCompare(b.drug)),
    reports: reports.sort(byIssuedDesc).map((r) => ({ id: r.id ?? '', status: r.status, issued: r.issued ?? null, conclusion: r.conclusion ?? null, contentHash: r.identifier?.find((i) => i.system === PGX_RESULT_HASH_SYSTEM)?.value ?? null })),
  };
}
