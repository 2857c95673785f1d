// Rebuilds data/pgx/messages.json (message rules attached to calls and drugs) from PharmCAT's reporter messages.
// Run: npx tsx scripts/pgx-data/build-messages.ts   (deterministic: same sources → byte-identical output)
// Each source rule's `matches` become explicit conditions; rsids are resolved to GRCh38 positions and the alleles of
// `hapsMissing` to their own variant positions from the allele definitions, so nothing is looked up at run time.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageRule, MessageRuleFile, RulePosition } from '../../src/modules/pgx/messages/rules.ts';
import { htmlToMarkdown } from '../../src/modules/pgx/recommend/html-to-markdown.ts';
import { SOURCE_DIR } from './source-paths.ts';

const SOURCE = join(SOURCE_DIR, 'pharmcat/reporter-messages.json');
const DEFINITIONS = join(SOURCE_DIR, 'pharmcat/allele-definitions');
const OUT = process.env.PGX_OUT_FILE ?? join(import.meta.dirname, '../../data/pgx/messages.json');
const COMMIT = '5431bf1187e50383df7e7db18ef67b36fc8b562e';

interface SourceRule {
  rule_name: string;
  exception_type: string;
  message: string;
  matches: { gene: string | null; hapsCalled: string[]; hapsMissing: string[]; variantsMissing: string[]; variant: string[]; dips: string[]; drugs: string[] };
}
interface Translation { variants: Array<{ chromosome: string; position: number; rsid: string | null }>; namedAlleles: Array<{ name: string; alleles: Array<string | null>; reference: boolean }> }
interface Exemption { extraPositions?: Array<{ chromosome: string; position: number; rsid: string | null }> }

/** Warning code per PharmCAT message kind (`exception_type`). */
const CODES: Record<string, string> = {
  ambiguity: 'MESSAGE_AMBIGUITY',
  note: 'MESSAGE_NOTE',
  footnote: 'MESSAGE_FOOTNOTE',
  'gene-specific warnings': 'MESSAGE_GENE_WARNING',
  'non-match': 'MESSAGE_NON_MATCH',
  'report-as-genotype': 'MESSAGE_GENOTYPE',
};

/** The DPYD HapB3 allele and its intronic position (c.1129-5923C>G), as the definitions name them. */
const HAPB3 = 'c.1129-5923C>G, c.1236G>A (HapB3)';
const HAPB3_INTRON = 'c.1129-5923C>G';

/**
 * Rules without gene or drug in the source: PharmCAT attaches them from its own code (reporter and matcher). Here each
 * gets the generic conditions under which PharmCAT shows it, so the evaluator stays generic. A new rule of this kind in
 * a later source is listed in `notEvaluated` until it is added here.
 */
function codeTriggered(id: string): Partial<MessageRule> | undefined {
  switch (id) {
    // CYP2D6 called from the VCF's SNVs/indels (PharmCAT's research mode; Flaura's `--cyp2d6-from-vcf` opt-in).
    case 'pcat-cyp2d6-gene-note':
    case 'pcat-cyp2d6-research-mode':
      return { gene: 'CYP2D6', source: 'vcf' };
    case 'pcat-combo-naming':
      return { anyGene: true, combination: true };
    case 'pcat-combo-unphased':
      return { anyGene: true, combination: true, phased: false };
    case 'pcat-outside-call':
      return { anyGene: true, source: 'outside-call' };
    case 'pcat-call-multimatch':
      return { anyGene: true, severalDiplotypesOneResult: true, toDrugs: true };
    case 'pcat-score-multimatch':
      return { anyGene: true, phenotypeSeveralScores: true, toDrugs: true };
    // HapB3 from the exonic SNP alone: the intronic one, which carries the decreased function, was not genotyped.
    case 'pcat-dpyd-hapB3-exonic-only':
      return { gene: 'DPYD', allelesCalled: [[HAPB3]], positionsMissing: [position('DPYD', 'rs75017182')] };
    // The intronic SNP alone (the exonic one missing or reference) is called as the definitions' intron-only allele.
    case 'pcat-dpyd-hapB3-intronic-mismatch-exonic':
      return { gene: 'DPYD', allelesCalled: [[HAPB3_INTRON]] };
    default:
      return undefined;
  }
}

const exemptions = JSON.parse(readFileSync(join(DEFINITIONS, 'exemptions.json'), 'utf8')) as Record<string, Exemption>;
const translations = new Map<string, Translation>();
function translation(gene: string): Translation {
  let t = translations.get(gene);
  if (!t) {
    t = JSON.parse(readFileSync(join(DEFINITIONS, `${gene}_translation.json`), 'utf8')) as Translation;
    translations.set(gene, t);
  }
  return t;
}

function position(gene: string, rsid: string): RulePosition {
  const all = [...translation(gene).variants, ...(exemptions[gene]?.extraPositions ?? [])];
  const v = all.find((p) => p.rsid === rsid);
  if (!v) throw new Error(`${gene}: ${rsid} is neither a definition position nor an extra position`);
  return { rsid, key: `${v.chromosome}:${v.position}` };
}

/**
 * An allele's own variant positions: where its base differs from the base most named alleles carry (the wild type),
 * so that a base it shares with nearly every allele (CYP2C19 rs3758581 G, against the *38 reference row) is not one.
 */
function ownPositions(gene: string, allele: string): RulePosition[] {
  const t = translation(gene);
  const a = t.namedAlleles.find((n) => n.name === allele);
  if (!a) throw new Error(`${gene}: no allele ${allele}`);
  return a.alleles.flatMap((base, i) => {
    if (base === null) return [];
    const counts = new Map<string, number>();
    for (const n of t.namedAlleles) {
      const b = n.alleles[i] ?? (n.reference ? null : t.namedAlleles.find((r) => r.reference)?.alleles[i] ?? null);
      if (b !== null) counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    const common = [...counts.entries()].sort((x, y) => y[1] - x[1])[0]?.[0];
    if (base === common) return [];
    const v = t.variants[i]!;
    return [{ rsid: v.rsid ?? `${v.chromosome}:${v.position}`, key: `${v.chromosome}:${v.position}` }];
  });
}

/** The message as plain text (links kept as `text (url)`). */
function plain(html: string): string {
  return htmlToMarkdown(html).replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)').replace(/\*\*([^*]+)\*\*/g, '$1').replace(/\n\n/g, ' ').replace(/\s+/g, ' ').trim();
}

const source = JSON.parse(readFileSync(SOURCE, 'utf8')) as SourceRule[];
const rules: MessageRule[] = [];
const notEvaluated: MessageRuleFile['notEvaluated'] = [];
for (const s of source) {
  const m = s.matches;
  const gene = m.gene ?? undefined;
  const kind = s.exception_type;
  if (!gene && m.drugs.length === 0) {
    const conditions = codeTriggered(s.rule_name);
    if (!conditions) {
      notEvaluated.push({ id: s.rule_name, reason: 'no gene and no drug to match, and no conditions in scripts/pgx-data/build-messages.ts for when PharmCAT adds it from its own code' });
      continue;
    }
    const message = plain(s.message);
    if (message.length === 0) throw new Error(`${s.rule_name}: empty message`);
    rules.push({ id: s.rule_name, code: CODES[kind] ?? 'MESSAGE_NOTE', kind: kind || 'note', onCall: true, message, ...conditions });
    continue;
  }
  const code = CODES[kind];
  if (!code) throw new Error(`${s.rule_name}: unknown message kind "${kind}"`);
  const message = plain(s.message);
  if (message.length === 0 && kind !== 'report-as-genotype') throw new Error(`${s.rule_name}: empty message`);
  const needGene = (what: string) => {
    if (!gene) throw new Error(`${s.rule_name}: ${what} without a gene`);
    return gene;
  };
  const rule: MessageRule = { id: s.rule_name, code, kind, ...(gene ? { gene } : {}), onCall: false, message };
  if (m.dips.length > 0) {
    rule.diplotypes = m.dips.map((d) => {
      const parts = d.split('/');
      if (parts.length !== 2) throw new Error(`${s.rule_name}: diplotype ${d} is not one pair`);
      return [parts[0]!.trim(), parts[1]!.trim()];
    });
  }
  if (m.hapsCalled.length > 0) rule.allelesCalled = m.hapsCalled.map((h) => h.split(';').map((x) => x.trim()));
  if (m.hapsMissing.length > 0) rule.allelesNotCallable = m.hapsMissing.map((h) => ({ allele: h, positions: ownPositions(needGene('hapsMissing'), h) }));
  if (m.variantsMissing.length > 0) rule.positionsMissing = m.variantsMissing.map((v) => position(needGene('variantsMissing'), v));
  if (m.variant.length > 0) {
    const positions = m.variant.map((v) => position(needGene('variant'), v));
    // An ambiguity names the heterozygous position whose phase would tell the alternative apart; a genotype report
    // names the position whose genotype goes with the drug's recommendation.
    if (kind === 'ambiguity') rule.heterozygous = positions;
    else if (kind === 'report-as-genotype') rule.reportGenotype = positions;
    else throw new Error(`${s.rule_name}: variant condition for kind ${kind}`);
  }
  if (kind === 'non-match') rule.notCalled = true;
  if (m.drugs.length > 0) rule.drugs = m.drugs.map((d) => d.toLowerCase());
  rule.onCall = rule.drugs === undefined || Boolean(rule.diplotypes ?? rule.allelesCalled ?? rule.allelesNotCallable ?? rule.positionsMissing ?? rule.heterozygous ?? rule.notCalled);
  rules.push(rule);
}

const out: MessageRuleFile = {
  version: `PharmCAT reporter messages @ ${COMMIT.slice(0, 7)}`,
  source: {
    name: 'PharmCAT reporter message rules',
    repository: 'PharmGKB/PharmCAT',
    commit: COMMIT,
    path: 'src/main/resources/org/pharmgkb/pharmcat/reporter/messages.json',
    licence: 'MPL-2.0 (PharmCAT authored); message texts converted from HTML to plain text',
  },
  rules,
  notEvaluated,
};
writeFileSync(OUT, `${JSON.stringify(out, null, 1)}\n`);
console.log(`${OUT}: ${rules.length} rules, ${notEvaluated.length} not evaluated`);
