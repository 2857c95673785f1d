// FHIR R4 Bundle per the HL7 Genomics Reporting IG: genomics-report DiagnosticReport, genotype, phenotype and
// therapeutic-implication Observations, derivedFrom links back to the input DocumentReference(s).
import { createHash } from 'node:crypto';
import type { Bundle, BundleEntry, CodeableConcept, DiagnosticReport, DocumentReference, Observation, ObservationComponent, Patient, Reference } from '@medplum/fhirtypes';
import type { GenePhenotype } from '../model.ts';
import type { GeneResult } from '../phenotype/types.ts';
import type { MatchedRecommendation } from '../recommend/types.ts';
import type { PgxResult } from './types.ts';

const IG = 'http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition';
const LOINC = 'http://loinc.org';
const HGNC = 'http://www.genenames.org/geneId';
const TBD = 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes';
const LAB: CodeableConcept[] = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }];
/** Flaura's own codes where LOINC and the IG have none (documented in docs/pgx-report.md, stable). */
export const FLAURA_PGX_CODES = 'https://flaura.dev/fhir/CodeSystem/pgx';
/** DiagnosticReport extension holding the knowledge versions the report was computed with. */
export const PGX_DATA_VERSION_EXTENSION = 'https://flaura.dev/fhir/StructureDefinition/pgx-data-version';

function flauraCode(code: string, display: string): CodeableConcept {
  return { coding: [{ system: FLAURA_PGX_CODES, code, display }] };
}

/** Observation.method: where a call came from (`vcf` = Flaura's matcher on a VCF, `outside-call` = a lab or other caller). */
function sourceMethod(source: 'vcf' | 'outside-call'): CodeableConcept {
  return source === 'vcf' ? flauraCode('vcf', 'Called from a VCF by the Flaura named allele matcher') : flauraCode('outside-call', 'Outside call (laboratory or another caller)');
}

/** Deterministic urn:uuid from a seed (name-based, SHA-256; RFC 4122 layout) so equal inputs give equal bundles. */
function uuidFor(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

function geneStudied(gene: string, hgnc: Readonly<Record<string, string>>): ObservationComponent {
  const id = hgnc[gene];
  return {
    code: { coding: [{ system: LOINC, code: '48018-6', display: 'Gene studied [ID]' }] },
    valueCodeableConcept: id ? { coding: [{ system: HGNC, code: id, display: gene }], text: gene } : { text: gene },
  };
}

/** A derivedFrom link: the input document or an earlier Observation. */
type Ref = Reference<Observation | DocumentReference>;

interface Ctx {
  seed: string;
  generatedAt: string;
  subject?: Reference<Patient>;
  hgnc: Readonly<Record<string, string>>;
  entries: BundleEntry[];
}

function add<T extends Observation | DocumentReference | DiagnosticReport>(ctx: Ctx, key: string, resource: T): string {
  const fullUrl = uuidFor(`${ctx.seed}\u0000${key}`);
  ctx.entries.push({ fullUrl, resource });
  return fullUrl;
}

function base(ctx: Ctx, profile: string | undefined): Pick<Observation, 'meta' | 'status' | 'category' | 'issued' | 'subject'> {
  return { ...(profile ? { meta: { profile: [`${IG}/${profile}`] } } : {}), status: 'final', category: LAB, issued: ctx.generatedAt, ...(ctx.subject ? { subject: ctx.subject } : {}) };
}

/** Ties and the call's warnings (e.g. CYP2D6 copy number not assessed) travel with the genotype as notes. */
function genotypeNotes(g: GeneResult): Pick<Observation, 'note'> {
  const notes = [...(g.call.diplotypes.length > 1 ? [`One of ${g.call.diplotypes.length} equally likely diplotypes.`] : []), ...g.call.warnings.map((w) => `${w.code}: ${w.message}`)];
  return notes.length > 0 ? { note: notes.map((text) => ({ text })) } : {};
}

function genotypeObservations(ctx: Ctx, g: GeneResult, inputs: Ref[]): Map<string, string> {
  const out = new Map<string, string>();
  g.call.diplotypes.forEach((d, i) => {
    const url = add(ctx, `genotype/${g.gene}/${i}`, {
      resourceType: 'Observation',
      ...base(ctx, 'genotype'),
      code: { coding: [{ system: LOINC, code: '84413-4', display: 'Genotype display name' }] },
      valueCodeableConcept: { text: `${g.gene} ${d.name}` },
      method: sourceMethod(g.call.source),
      component: [geneStudied(g.gene, ctx.hgnc)],
      derivedFrom: inputs,
      ...genotypeNotes(g),
    });
    out.set(d.name, url);
  });
  return out;
}

function phenotypeObservation(ctx: Ctx, g: GeneResult, p: GenePhenotype, i: number, from: Ref[]): string {
  return add(ctx, `phenotype/${g.gene}/${i}`, {
    resourceType: 'Observation',
    // The IG (STU2) has no phenotype profile: a plain Observation coded 53040-2, derived from the genotype.
    ...base(ctx, undefined),
    code: { coding: [{ system: LOINC, code: '53040-2', display: "Genetic variation's effect on drug metabolism" }] },
    valueCodeableConcept: { text: p.phenotype },
    method: sourceMethod(g.call.source),
    component: [
      geneStudied(g.gene, ctx.hgnc),
      { code: flauraCode('lookup-key', 'Guideline lookup key'), valueString: p.lookupKey },
      ...(p.activityScore ? [{ code: flauraCode('activity-score', 'Activity score'), valueString: p.activityScore }] : []),
    ],
    derivedFrom: from,
    ...phenotypeNotes(g, p),
  });
}

/**
 * The activity score and the phenotyper's warnings (how the phenotype was derived, what could change it) as notes; a call
 * without diplotype (a lab phenotype) has no genotype Observation, so its call warnings come here too.
 */
function phenotypeNotes(g: GeneResult, p: GenePhenotype): Pick<Observation, 'note'> {
  const warnings = [...(g.call.diplotypes.length === 0 ? g.call.warnings : []), ...g.warnings];
  const notes = [...(p.activityScore ? [`Activity score ${p.activityScore}`] : []), ...warnings.map((w) => `${w.code}: ${w.message}`)];
  return notes.length > 0 ? { note: notes.map((text) => ({ text })) } : {};
}

function implicationObservation(ctx: Ctx, drug: string, m: MatchedRecommendation, i: number, from: Ref[]): string {
  const r = m.recommendation;
  const components: ObservationComponent[] = [
    { code: { coding: [{ system: LOINC, code: '51963-7', display: 'Medication assessed [ID]' }] }, valueCodeableConcept: { text: drug } },
  ];
  components.push({ code: flauraCode('recommendation-source', 'Guideline source'), valueString: m.source });
  if (r.population) components.push({ code: flauraCode('population', 'Population the recommendation applies to'), valueString: r.population });
  if (r.classification) components.push({ code: { coding: [{ system: LOINC, code: '93044-6', display: 'Level of evidence' }] }, valueCodeableConcept: { text: `${m.source} ${r.classification}` } });
  for (const [gene, key] of Object.entries(m.lookupKey)) {
    components.push({ code: { coding: [{ system: LOINC, code: '53040-2', display: "Genetic variation's effect on drug metabolism" }], text: gene }, valueCodeableConcept: { text: `${gene} ${key}` } });
  }
  return add(ctx, `implication/${drug}/${m.recommendation.id}/${i}`, {
    resourceType: 'Observation',
    ...base(ctx, 'therapeutic-implication'),
    code: {
      coding: [
        { system: TBD, code: 'therapeutic-implication', display: 'Therapeutic Implication' },
        { system: LOINC, code: '51961-1', display: "Genetic variation's effect on drug efficacy" },
      ],
      text: `${drug}: ${m.source} recommendation`,
    },
    component: components,
    derivedFrom: from,
    note: [
      { text: r.text },
      ...r.implications.map((text) => ({ text: `Implication: ${text}` })),
      { text: `Source: ${m.guidelineName} (${m.url})${m.source === 'DPWG' ? ' — DPWG annotation © ClinPGx/PharmGKB, CC BY-SA 4.0' : ' — CPIC, CC0 1.0'}` },
    ],
  });
}

/**
 * Builds the Bundle (type `collection`): one DocumentReference per input file, genotype Observations
 * (84413-4, gene studied 48018-6 with HGNC ids), phenotype Observations (53040-2), one therapeutic
 * implication per matched recommendation (medication assessed 51963-7), and the genomics-report
 * DiagnosticReport listing them. Every reference is a `urn:uuid` inside the bundle.
 */
export function toFhirBundle(result: PgxResult, generatedAt: string, hgnc: Readonly<Record<string, string>>): Bundle {
  const ctx: Ctx = { seed: `${result.sample ?? ''}\u0000${generatedAt}`, generatedAt, hgnc, entries: [], ...(result.patientReference ? { subject: { reference: result.patientReference } } : {}) };
  const docs = result.inputs.map((f, i) =>
    add(ctx, `input/${i}`, {
      resourceType: 'DocumentReference',
      status: 'current',
      type: { text: f.kind === 'vcf' ? 'Variant Call Format file' : 'Pharmacogenomic outside-call file' },
      ...(ctx.subject ? { subject: ctx.subject } : {}),
      date: generatedAt,
      content: [{ attachment: { contentType: f.contentType, title: f.name, ...(f.size !== undefined ? { size: f.size } : {}), ...(f.sha1 ? { hash: f.sha1 } : {}) } }],
    }),
  );
  const inputRefs: Ref[] = docs.map((reference) => ({ reference }));
  // each call points at the file it came from (VCF or outside-call file)
  const refsFor = (source: 'vcf' | 'outside-call'): Ref[] => {
    const own = result.inputs.flatMap((f, i) => (f.kind === source && docs[i] ? [{ reference: docs[i] }] : []));
    return own.length > 0 ? own : inputRefs;
  };
  const results: string[] = [];
  const phenotypeRefs = new Map<string, string[]>();
  for (const g of result.genes) {
    const genotypes = genotypeObservations(ctx, g, refsFor(g.call.source));
    results.push(...genotypes.values());
    const refs = g.phenotypes.map((p, i) => {
      const from: Ref[] = p.diplotype && genotypes.has(p.diplotype) ? [{ reference: genotypes.get(p.diplotype) as string }] : refsFor(g.call.source);
      return phenotypeObservation(ctx, g, p, i, from);
    });
    phenotypeRefs.set(g.gene, refs);
    results.push(...refs);
  }
  for (const d of result.drugs) {
    d.recommendations.forEach((m, i) => {
      const from: Ref[] = Object.keys(m.lookupKey).flatMap((gene) => phenotypeRefs.get(gene) ?? []).map((reference) => ({ reference }));
      results.push(implicationObservation(ctx, d.drug, m, i, from.length > 0 ? from : inputRefs));
    });
  }
  const actionable = result.drugs.filter((d) => d.status === 'recommendation').map((d) => d.drug);
  add(ctx, 'report', {
    resourceType: 'DiagnosticReport',
    meta: { profile: [`${IG}/genomics-report`] },
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'GE', display: 'Genetics' }] }],
    code: { coding: [{ system: LOINC, code: '81247-9', display: 'Master HL7 genetic variant reporting panel' }], text: 'Pharmacogenomic report' },
    ...(ctx.subject ? { subject: ctx.subject } : {}),
    issued: generatedAt,
    extension: [
      {
        url: PGX_DATA_VERSION_EXTENSION,
        extension: Object.entries(result.dataVersion).map(([url, valueString]) => ({ url, valueString: String(valueString) })),
      },
    ],
    result: results.map((reference) => ({ reference })),
    conclusion: `${result.genes.length} genes interpreted; recommendations for ${actionable.length} medicines${actionable.length > 0 ? ` (${actionable.join(', ')})` : ''}. Data: CPIC ${result.dataVersion.cpicRecommendations}${result.dataVersion.dpwgRecommendations ? `, DPWG ${result.dataVersion.dpwgRecommendations}` : ''}.`,
  });
  // The report first, as readers expect the DiagnosticReport to lead a genomics bundle.
  const report = ctx.entries.pop() as BundleEntry;
  return { resourceType: 'Bundle', type: 'collection', timestamp: generatedAt, entry: [report, ...ctx.entries] };
}
