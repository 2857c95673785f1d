// Outside calls as HL7 Genomics Reporting IG Observations: genotype (84413-4) and phenotype (53040-2 / 79716-7).
import type { Bundle, CodeableConcept, Observation, ObservationComponent } from '@medplum/fhirtypes';
import { FlauraError } from '../../../errors.ts';
import type { ErrorIssue } from '../../../errors.ts';
import type { GeneCall } from '../model.ts';
import { outsideCall, splitDiplotype } from './tsv.ts';
import { alleleProblem } from './vocabulary.ts';
import type { OutsideCallVocabulary } from './vocabulary.ts';

const LOINC = 'http://loinc.org';
/** Genotype display name. */
export const LOINC_GENOTYPE = '84413-4';
/** Gene studied [ID]. */
export const LOINC_GENE_STUDIED = '48018-6';
/** Genetic variation's effect on drug metabolism. */
export const LOINC_DRUG_METABOLISM = '53040-2';
/** Phenotype codes accepted for outside calls besides 53040-2. */
const PHENOTYPE_CODES = new Set([LOINC_DRUG_METABOLISM, '79716-7']);

function hasLoinc(cc: CodeableConcept | undefined, codes: Set<string> | string): boolean {
  const set = typeof codes === 'string' ? new Set([codes]) : codes;
  return (cc?.coding ?? []).some((c) => c.system === LOINC && c.code !== undefined && set.has(c.code));
}

function conceptText(cc: CodeableConcept | undefined): string | undefined {
  return cc?.text?.trim() || cc?.coding?.find((c) => c.display)?.display?.trim() || cc?.coding?.find((c) => c.code)?.code?.trim();
}

/** The gene symbol from the gene-studied component (display, or text), with the HGNC id mapped back. */
function geneOf(obs: Observation, hgncToGene: Map<string, string>): string | undefined {
  const comp = (obs.component ?? []).find((c: ObservationComponent) => hasLoinc(c.code, LOINC_GENE_STUDIED));
  const cc = comp?.valueCodeableConcept;
  for (const c of cc?.coding ?? []) {
    if (c.code && hgncToGene.has(c.code)) return hgncToGene.get(c.code);
    if (c.display) return c.display.trim();
  }
  return cc?.text?.trim();
}

/** `HLA-B*57:01:01/HLA-B*08:01` → `*57:01:01/*08:01`; other genes unchanged. */
function stripGenePrefix(gene: string, diplotype: string): string {
  return splitDiplotype(diplotype).map((a) => (a.startsWith(gene) ? a.slice(gene.length) : a)).join('/');
}

/**
 * Reads genotype and phenotype Observations (a Bundle, one Observation or an array) into outside calls,
 * one per gene (a genotype and a phenotype of the same gene are merged). Problems are collected and
 * thrown together (400 `PGX_OUTSIDE_CALL_INVALID`) with the FHIRPath of each offending element.
 */
export function parseOutsideCallsFhir(input: Bundle | Observation | Observation[], vocab: OutsideCallVocabulary, hgnc: Readonly<Record<string, string>>): GeneCall[] {
  const hgncToGene = new Map(Object.entries(hgnc).map(([g, id]) => [id, g]));
  const items: Array<{ obs: Observation; path: string }> = Array.isArray(input)
    ? input.map((obs, i) => ({ obs, path: `Observation[${i}]` }))
    : input.resourceType === 'Bundle'
      ? (input.entry ?? []).flatMap((e, i) => (e.resource?.resourceType === 'Observation' ? [{ obs: e.resource, path: `Bundle.entry[${i}].resource` }] : []))
      : [{ obs: input, path: 'Observation' }];
  const issues: ErrorIssue[] = [];
  const byGene = new Map<string, { diplotype?: string; phenotype?: string }>();
  const fail = (path: string, message: string) => issues.push({ severity: 'error', type: 'invalid', diagnostics: message, expression: [path] });
  for (const { obs, path } of items) {
    if (obs?.resourceType !== 'Observation') {
      fail(path, 'expected an Observation');
      continue;
    }
    const isGenotype = hasLoinc(obs.code, LOINC_GENOTYPE);
    const isPhenotype = hasLoinc(obs.code, PHENOTYPE_CODES);
    if (!isGenotype && !isPhenotype) continue;
    const gene = geneOf(obs, hgncToGene);
    if (!gene || !vocab.genes.has(gene)) {
      fail(`${path}.component`, gene ? `unknown gene "${gene}"` : `no gene-studied component (LOINC ${LOINC_GENE_STUDIED})`);
      continue;
    }
    const value = conceptText(obs.valueCodeableConcept) ?? obs.valueString?.trim();
    if (!value) {
      fail(`${path}.value`, `${gene}: the Observation has no value`);
      continue;
    }
    const entry = byGene.get(gene) ?? {};
    if (isGenotype) {
      const diplotype = stripGenePrefix(gene, value);
      const problem = splitDiplotype(diplotype).map((a) => alleleProblem(vocab, gene, a)).find((p) => p !== undefined);
      if (problem) fail(`${path}.valueCodeableConcept`, problem);
      else entry.diplotype = diplotype;
    } else if (!(vocab.phenotypes.get(gene)?.has(value) ?? false) && !/^(≥)?\d+(\.\d+)?$/.test(value)) {
      fail(`${path}.valueCodeableConcept`, `unknown ${gene} phenotype "${value}"`);
    } else entry.phenotype = value;
    byGene.set(gene, entry);
  }
  if (issues.length > 0) throw new FlauraError('PGX_OUTSIDE_CALL_INVALID', 400, issues.map((x) => `${x.expression?.[0]}: ${x.diagnostics}`).join('; '), { issues });
  return [...byGene.entries()].filter(([, e]) => e.diplotype || e.phenotype).map(([gene, e]) => outsideCall(gene, e.diplotype, e.phenotype));
}
