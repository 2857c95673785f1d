// The PGx pipeline: read VCF → match alleles (injected) → merge outside calls → phenotype → recommend → result.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { FlauraError } from '../../errors.ts';
import { applyMessageRules, loadMessageRules } from './messages/rules.ts';
import type { GeneCall, PgxWarning } from './model.ts';
import { parseOutsideCallsFhir } from './outside-calls/fhir.ts';
import { parseOutsideCallsTsv } from './outside-calls/tsv.ts';
import { buildVocabulary } from './outside-calls/vocabulary.ts';
import type { OutsideCallVocabulary } from './outside-calls/vocabulary.ts';
import { DEFAULT_PGX_DATA_DIR, loadPhenotypeKnowledge } from './phenotype/knowledge.ts';
import { phenotypeCalls } from './phenotype/phenotyper.ts';
import type { Sex } from './phenotype/types.ts';
import { guidanceNotes, loadGuidanceKnowledge } from './recommend/knowledge.ts';
import { recommendAll } from './recommend/recommender.ts';
import type { PgxInputFile, PgxResult } from './report/types.ts';

/** Stages 1–2 (VCF reader + named allele matcher), injected so this module does not depend on their files. */
export type VcfCaller = (path: string, options: { sample?: string; allMatches: boolean; onProgress?: (bytesRead: number, totalBytes: number) => void; /** BED of the assayed regions: absent positions inside count as reference. */ assayed?: string; /** Opt-in genes to call too (CYP2D6: `--cyp2d6-from-vcf`). */ optIn?: readonly string[]; /** X-linked genes: a male is hemizygous. */ sex?: Sex; /** No exact pair: look for combination/partial alleles (`--find-combinations`). */ findCombinations?: boolean }) => Promise<{ sample: string; calls: GeneCall[]; alleleDefinitionsVersion: string }>;

/** Options of one pipeline run. */
export interface PgxRunOptions {
  vcf?: string;
  outsideCalls?: string;
  sample?: string;
  allMatches?: boolean;
  /** BED file of the regions the assay covers (a panel): definition positions absent from the VCF but inside are reference. */
  assayed?: string;
  /** Call CYP2D6 from the VCF too (SNV/indel only; the call warns that copy number was not assessed). */
  cyp2d6FromVcf?: boolean;
  sex?: Sex;
  /** When no pair of defined alleles fits, look for combination/partial alleles (PharmCAT's combination mode). */
  findCombinations?: boolean;
  patientReference?: string;
  /** data/pgx folder (tests, alternative knowledge sets). */
  dataDir?: string;
  /** Leave DPWG out (CC BY-SA) and use CPIC (CC0) only. */
  dpwg?: boolean;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

async function readInput(path: string, kind: PgxInputFile['kind']): Promise<{ bytes: Buffer; file: PgxInputFile }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new FlauraError('PGX_INPUT_UNREADABLE', 400, `cannot read ${kind === 'vcf' ? 'VCF' : 'outside-call'} file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  }
  const contentType = kind === 'vcf' ? (path.endsWith('.gz') ? 'application/gzip' : 'text/x-vcf') : path.endsWith('.json') ? 'application/fhir+json' : 'text/tab-separated-values';
  return { bytes, file: { kind, name: basename(path), contentType, size: bytes.length, sha1: createHash('sha1').update(bytes).digest('base64') } };
}

const vocabularies = new Map<string, OutsideCallVocabulary>();

/** The outside-call vocabulary of a data folder, built once. */
function vocabularyFor(dataDir: string): OutsideCallVocabulary {
  let vocab = vocabularies.get(dataDir);
  if (!vocab) {
    vocab = buildVocabulary(loadPhenotypeKnowledge(dataDir), loadGuidanceKnowledge(dataDir).drugs.flatMap((d) => d.genes));
    vocabularies.set(dataDir, vocab);
  }
  return vocab;
}

/** Parses an outside-call file: FHIR JSON (Bundle, Observation or array) when it starts with `{`/`[`, else TSV. */
export function parseOutsideCallFile(text: string, name: string, dataDir: string = DEFAULT_PGX_DATA_DIR): GeneCall[] {
  const knowledge = loadPhenotypeKnowledge(dataDir);
  const vocab = vocabularyFor(dataDir);
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new FlauraError('PGX_OUTSIDE_CALL_INVALID', 400, `${name}: not valid JSON (${(err as Error).message})`, { cause: err });
    }
    return parseOutsideCallsFhir(json as Bundle | Observation | Observation[], vocab, knowledge.hgnc);
  }
  return parseOutsideCallsTsv(text, vocab, name);
}

/** Outside calls replace the VCF call of the same gene (the lab's call is authoritative, as in PharmCAT). */
export function mergeCalls(vcfCalls: GeneCall[], outside: GeneCall[]): GeneCall[] {
  const byGene = new Map(outside.map((c) => [c.gene, c]));
  const merged = vcfCalls.map((c) => {
    const o = byGene.get(c.gene);
    if (!o) return c;
    byGene.delete(c.gene);
    const w: PgxWarning = { code: 'OUTSIDE_CALL_OVERRIDES', message: `${c.gene}: the outside call replaces the call from the VCF.` };
    return { ...o, warnings: [...o.warnings, w] };
  });
  return [...merged, ...byGene.values()];
}

/**
 * Runs the pipeline. A VCF needs `callVcf` (stages 1–2); outside calls alone work without it. Throws
 * FlauraError 400 for unreadable or invalid input, 501 `PGX_VCF_UNSUPPORTED` when no VCF caller is wired.
 */
export async function runPgx(options: PgxRunOptions, callVcf?: VcfCaller): Promise<PgxResult> {
  const dataDir = options.dataDir ?? DEFAULT_PGX_DATA_DIR;
  if (!options.vcf && !options.outsideCalls) throw new FlauraError('PGX_NO_INPUT', 400, 'give a VCF file and/or an outside-call file');
  const inputs: PgxInputFile[] = [];
  let vcfCalls: GeneCall[] = [];
  let sample = options.sample;
  let alleleDefinitions = 'not used (outside calls only)';
  if (options.vcf) {
    if (!callVcf) throw new FlauraError('PGX_VCF_UNSUPPORTED', 501, 'VCF calling (VCF reader + named allele matcher) is not wired into this build; use --outside-calls');
    const { file } = await readInput(options.vcf, 'vcf');
    inputs.push(file);
    const called = await callVcf(options.vcf, { ...(options.sample ? { sample: options.sample } : {}), allMatches: options.allMatches ?? false, ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.assayed ? { assayed: options.assayed } : {}), ...(options.cyp2d6FromVcf ? { optIn: ['CYP2D6'] } : {}), ...(options.sex ? { sex: options.sex } : {}), ...(options.findCombinations ? { findCombinations: true } : {}) });
    vcfCalls = called.calls;
    sample = called.sample;
    alleleDefinitions = called.alleleDefinitionsVersion;
  }
  let outside: GeneCall[] = [];
  if (options.outsideCalls) {
    const { bytes, file } = await readInput(options.outsideCalls, 'outside-call');
    inputs.push(file);
    outside = parseOutsideCallFile(bytes.toString('utf8'), file.name, dataDir);
  }
  const phenotypes = loadPhenotypeKnowledge(dataDir);
  const guidance = loadGuidanceKnowledge(dataDir, options.dpwg === false ? { dpwg: false } : {});
  const phenotyped = phenotypeCalls(mergeCalls(vcfCalls, outside), phenotypes, options.sex ? { sex: options.sex } : {});
  const messages = loadMessageRules(dataDir);
  const { genes, drugs } = applyMessageRules(messages.rules, phenotyped, recommendAll(phenotyped, guidance));
  return {
    ...(sample ? { sample } : {}),
    ...(options.patientReference ? { patientReference: options.patientReference } : {}),
    genes,
    drugs,
    dataVersion: {
      alleleDefinitions,
      messageRules: messages.version,
      phenotypes: phenotypes.version,
      cpicRecommendations: guidance.cpic.version,
      ...(guidance.dpwg ? { dpwgRecommendations: guidance.dpwg.version } : {}),
    },
    inputs,
    attributions: [guidance.cpic.attribution, ...(guidance.dpwg ? [guidance.dpwg.attribution] : [])],
    dataNotes: guidanceNotes(guidance),
  };
}
