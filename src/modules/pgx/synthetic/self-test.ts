// The exhaustive self-test: every pair of defined alleles of a gene written as a VCF, read back by the VCF reader and
// called by the matcher. A pair that does not come back alone is classified, so every miss has a reason.
import type { DiplotypeMatch } from '../model.ts';
import type { GeneDefinition } from '../matcher/definitions.ts';
import { matchGene } from '../matcher/matcher.ts';
import { prepareGene } from '../matcher/prepare.ts';
import { readLines } from '../vcf/reader.ts';
import { geneRecords, recordLine, vcfHeader, type DiplotypeChoice } from './allele-vcf.ts';

/**
 * - `exact`: the expected diplotype is the only top call.
 * - `tied`: it is among several equally scored top calls (reported as ambiguous, never picked silently).
 * - `indistinguishable`: another pair that fits the same genotypes was called instead (it scores higher, PharmCAT's
 *   rule, or a data priority such as NAT2's picked it); the expected pair is among all plausible pairs
 *   (`--all-matches`), so the definitions cannot tell the two apart from these genotypes.
 * - `miss`: the expected pair is not even plausible for the VCF it wrote (a matcher bug, or a definition the
 *   VCF form cannot express).
 */
export type SelfTestKind = 'exact' | 'tied' | 'indistinguishable' | 'miss';

export interface SelfTestCase {
  expected: string;
  called: string[];
  kind: SelfTestKind;
  /** Matcher scores (defined positions) of the expected pair and of the top call, for `indistinguishable`. */
  expectedScore?: number;
  calledScore?: number;
  /** True when a data priority rule (NAT2) picked the call. */
  priority?: boolean;
}

export interface GeneSelfTest {
  gene: string;
  phased: boolean;
  pairs: number;
  counts: Record<SelfTestKind, number>;
  /** Every `miss`, and up to `examples` of the other non-exact kinds. */
  cases: SelfTestCase[];
  milliseconds: number;
}

async function callText(text: string, keys: ReadonlySet<string>) {
  const lines = text.split('\n');
  return (await readLines((async function* () { yield* lines; })(), { positions: keys })).genotypes;
}

const sameDiplotype = (d: DiplotypeMatch, a: string, b: string) => (d.allele1 === a && d.allele2 === b) || (d.allele1 === b && d.allele2 === a);

/**
 * Runs every unordered pair of the gene's alleles (or the pairs `select` keeps), unphased or phased.
 * `examples` caps the listed non-miss cases per kind.
 */
export async function selfTestGene(def: GeneDefinition, options: { phased?: boolean; select?: (index: number, pair: DiplotypeChoice) => boolean; examples?: number } = {}): Promise<GeneSelfTest> {
  const started = performance.now();
  const phased = options.phased === true;
  const prepared = prepareGene(def);
  const keys = new Set(prepared.keys);
  const names = def.alleles.map((a) => a.name);
  const counts: Record<SelfTestKind, number> = { exact: 0, tied: 0, indistinguishable: 0, miss: 0 };
  const cases: SelfTestCase[] = [];
  const shown: Record<SelfTestKind, number> = { exact: 0, tied: 0, indistinguishable: 0, miss: 0 };
  const examples = options.examples ?? 5;
  let index = 0;
  let pairs = 0;
  for (let x = 0; x < names.length; x++) {
    for (let y = x; y < names.length; y++) {
      const pair: DiplotypeChoice = [names[x]!, names[y]!];
      if (options.select && !options.select(index++, pair)) continue;
      pairs++;
      const records = geneRecords(def, [pair], phased);
      const text = vcfHeader(['SELFTEST']) + records.map((r) => recordLine(r)).join('\n') + '\n';
      const genotypes = await callText(text, keys);
      const call = matchGene(prepared, genotypes, { allMatches: false });
      const called = call.diplotypes.map((d) => d.name);
      let kind: SelfTestKind;
      let scores: Pick<SelfTestCase, 'expectedScore' | 'calledScore' | 'priority'> = {};
      if (call.diplotypes.length === 1 && sameDiplotype(call.diplotypes[0]!, pair[0], pair[1])) kind = 'exact';
      else if (call.diplotypes.some((d) => sameDiplotype(d, pair[0], pair[1]))) kind = 'tied';
      else {
        // Every pair the matcher returns fits the written genotypes; the expected one must fit them too.
        const all = matchGene(prepared, genotypes, { allMatches: true });
        const mine = all.diplotypes.find((d) => sameDiplotype(d, pair[0], pair[1]));
        kind = mine ? 'indistinguishable' : 'miss';
        scores = { ...(mine ? { expectedScore: mine.score } : {}), ...(call.diplotypes[0] ? { calledScore: call.diplotypes[0].score } : {}), ...(call.warnings.some((w) => w.code === 'UNPHASED_PRIORITY') ? { priority: true } : {}) };
      }
      counts[kind]++;
      if (kind === 'miss' || (kind !== 'exact' && shown[kind] < examples)) {
        shown[kind]++;
        cases.push({ expected: `${pair[0]}/${pair[1]}`, called, kind, ...scores });
      }
    }
  }
  return { gene: def.gene, phased, pairs, counts, cases, milliseconds: performance.now() - started };
}
