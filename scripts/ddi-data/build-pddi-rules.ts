// Rebuilds data/ddi/pddi/rules.json (drug–drug interaction rules for the CDS Hooks service) from the HL7 PDDI CDS
// implementation guide's example knowledge artifacts (PlanDefinitions + ActivityDefinitions, CC0).
// Usage: npx tsx scripts/ddi-data/build-pddi-rules.ts [path/to/shared/reference/ddi/pddi] [output file]
//
// What is converted: each PlanDefinition's base card (summary/detail/indicator and its sub-actions as suggestions).
// The IG's logic lives in CQL libraries that are not among the artifacts; the few CQL identifiers the base cards use
// are mapped below (CONDITIONS) and any other identifier stops the build, so nothing is dropped silently. The
// modifying-factor cards (labs, age, history, co-medication) need that CQL and are listed under `notConverted`.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const sourceDir = process.argv[2] ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'ddi', 'pddi');
const outFile = process.argv[3] ?? join(import.meta.dirname, '..', '..', 'data', 'ddi', 'pddi', 'rules.json');
const classes = JSON.parse(readFileSync(join(import.meta.dirname, 'pddi-drug-classes.json'), 'utf8')) as { source: string; groups: Record<string, string[]>; topicalForms: string };

interface Coding { system?: string; code?: string; display?: string }
interface Expression { expression: { expression: string } }
interface PdAction {
  title?: string;
  description?: string;
  condition?: Expression[];
  dynamicValue?: { path: string; expression: { expression: string } }[];
  type?: { coding?: Coding[] };
  definitionCanonical?: string;
  documentation?: { display?: string; url?: string }[];
  action?: PdAction[];
  trigger?: { name?: string }[];
}
interface PlanDefinition { id: string; url: string; title: string; action: PdAction[]; relatedArtifact?: { display?: string; url?: string }[] }
interface ActivityDefinition { id: string; url?: string; kind: 'MedicationRequest' | 'ServiceRequest'; productCodeableConcept?: { coding?: Coding[]; text?: string }; code?: { coding?: Coding[]; text?: string }; description?: string }

/** A condition on the drug of one group of the pair: which ingredient, whether a topical form, whether it is the order being placed. */
export interface RuleCondition { group: string; ingredient?: string; topical?: boolean; isDraft?: boolean; negate?: boolean }

/** The CQL identifiers the base cards use, as conditions the rule engine evaluates (Inclusion Criteria = the pair is present). */
const CONDITIONS: Record<string, RuleCondition | 'pair'> = {
  'Inclusion Criteria': 'pair',
  'Is context medication topical diclofenac': { group: 'NSAID', ingredient: 'diclofenac', topical: true },
  'Is not context medication topical diclofenac': { group: 'NSAID', ingredient: 'diclofenac', topical: true, negate: true },
  'Is Context medication digoxin': { group: 'digoxin', isDraft: true },
  'Is Context medication cyclosporine': { group: 'cyclosporine', isDraft: true },
  'Is new order for digoxin': { group: 'digoxin', isDraft: true },
};

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(join(sourceDir, file), 'utf8').replace(/^\uFEFF/, '')) as T;
}

function conditionsOf(a: PdAction): RuleCondition[] {
  return (a.condition ?? []).flatMap((c) => {
    const id = c.expression.expression;
    const mapped = CONDITIONS[id];
    if (mapped === undefined) throw new Error(`unmapped CQL condition '${id}' in action '${a.title ?? ''}'`);
    return mapped === 'pair' ? [] : [mapped];
  });
}

/** The IG's indicator legend (use-cases page): no special precautions → info; assess risk → warning; benefit must outweigh risk → critical. */
function indicatorOf(card: PdAction): 'info' | 'warning' | 'critical' {
  const text = [card.title, card.description, ...(card.action ?? []).map((x) => `${x.title ?? ''} ${x.description ?? ''}`)].join(' ');
  if (/benefit outweighs risk/i.test(text)) return 'critical';
  if (/assess risk and take action/i.test(text)) return 'warning';
  if (/no special precautions/i.test(text)) return 'info';
  throw new Error(`no indicator phrase in card '${card.title ?? ''}'`);
}

const activities = new Map<string, ActivityDefinition>();
for (const f of readdirSync(sourceDir).filter((x) => x.startsWith('ActivityDefinition-'))) {
  const ad = readJson<ActivityDefinition>(f);
  // The artifacts carry no `url`; the PlanDefinitions point at the IG's canonical base + id.
  const url = ad.url ?? `http://hl7.org/fhir/uv/pddi/ActivityDefinition/${ad.id}`;
  activities.set(url, { ...ad, url });
}

function resourceFor(ad: ActivityDefinition): Record<string, unknown> {
  if (ad.kind === 'MedicationRequest') return { resourceType: 'MedicationRequest', status: 'draft', intent: 'proposal', medicationCodeableConcept: ad.productCodeableConcept };
  return { resourceType: 'ServiceRequest', status: 'draft', intent: 'proposal', code: ad.code };
}

const rules: unknown[] = [];
const notConverted: { planDefinition: string; card: string }[] = [];
for (const f of readdirSync(sourceDir).filter((x) => x.startsWith('PlanDefinition-') && x.endsWith('-sign.json')).sort()) {
  const pd = readJson<PlanDefinition>(f);
  const root = pd.action[0];
  if (!root) throw new Error(`${f}: no action`);
  const select = readJson<PlanDefinition>(f.replace('-sign.json', '-select.json'));
  // The select and sign variants differ in their triggers only; check that the cards are the same before using one.
  const cardsOf = (p: PlanDefinition) => JSON.stringify((p.action[0]?.action ?? []).map((c) => [c.title, c.description, c.condition, (c.action ?? []).map((x) => [x.title, x.description, x.definitionCanonical])]));
  if (cardsOf(select) !== cardsOf(pd)) throw new Error(`${f}: the order-select variant has other cards than order-sign; convert both`);
  const cards: unknown[] = [];
  let pair: [string, string] | undefined;
  for (const card of root.action ?? []) {
    const isBase = (card.dynamicValue ?? []).some((d) => d.path === 'action.title' && d.expression.expression === 'Get Base Summary');
    if (!isBase) {
      notConverted.push({ planDefinition: pd.url, card: card.title ?? '' });
      continue;
    }
    const m = /between (.+?) \(product\) and (.+?) \(product\)/.exec(card.title ?? '');
    if (!m?.[1] || !m[2]) throw new Error(`${f}: cannot read the drug pair from '${card.title ?? ''}'`);
    pair = [m[1], m[2]];
    for (const g of pair) if (!classes.groups[g]) throw new Error(`${f}: drug group '${g}' is not in pddi-drug-classes.json`);
    const suggestions = (card.action ?? []).flatMap((a) => {
      const type = a.type?.coding?.[0]?.code;
      if (!type) return []; // a label-only sub-action ("No special precautions") carries no action
      const ad = a.definitionCanonical ? activities.get(a.definitionCanonical) : undefined;
      if (a.definitionCanonical && !ad) throw new Error(`${f}: ${a.definitionCanonical} not found`);
      const substitutes = /^Substitute (.+?) \(product\)/.exec(a.title ?? '')?.[1];
      const product = ad?.productCodeableConcept?.text ?? ad?.code?.text;
      return [{
        label: substitutes && product ? `Substitute ${substitutes} with ${product}` : a.title ?? '',
        description: a.description ?? '',
        type: type === 'remove' ? 'remove-draft' : 'create',
        ...(ad ? { resource: resourceFor(ad), activityDefinition: ad.url } : {}),
        ...(substitutes ? { replacesDraftOf: substitutes } : {}),
        conditions: conditionsOf(a),
      }];
    });
    cards.push({
      conditions: conditionsOf(card),
      indicator: indicatorOf(card),
      detail: (card.description ?? '').trim(),
      citations: (card.documentation ?? []).map((d) => d.display ?? d.url ?? ''),
      suggestions,
    });
  }
  if (!pair) throw new Error(`${f}: no base card`);
  rules.push({
    id: pd.id.replace(/-cds-sign$/, ''),
    title: pd.title.replace(/ Order Sign Recommendation$/, ''),
    planDefinition: pd.url,
    documentation: pd.relatedArtifact?.[0]?.url ?? null,
    groups: pair,
    hooks: ['order-select', 'order-sign'],
    cards,
  });
}

writeFileSync(
  outFile,
  `${JSON.stringify(
    {
      name: 'Drug-drug interaction rules from the HL7 PDDI CDS IG example artifacts',
      source: 'HL7 PDDI CDS implementation guide, HL7/PDDI-CDS @ 018be88010175fa37e818c27c2925a6767273870 input/resources (PlanDefinition-*-cds-{select,sign}.json, ActivityDefinition-ad*.json)',
      licence: 'CC0-1.0 (as the IG declares)',
      drugGroupsSource: classes.source,
      groups: classes.groups,
      topicalForms: classes.topicalForms,
      rules,
      notConverted,
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${rules.length} rules (${notConverted.length} modifying-factor cards not converted) to ${outFile}`);
