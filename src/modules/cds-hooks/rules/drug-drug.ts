// Drug–drug interaction cards from data/ddi/pddi/rules.json (built from the HL7 PDDI CDS IG artifacts by
// scripts/ddi-data/build-pddi-rules.ts). Generic: a rule is a pair of drug groups, cards with conditions, and
// suggestions; adding an interaction is adding data.
import { randomUUID } from 'node:crypto';
import type { MedicationRequest, Resource } from '@medplum/fhirtypes';
import pddiData from '../../../../data/ddi/pddi/rules.json' with { type: 'json' };
import { OVERRIDE_REASONS, summary, type CardCandidate, type CdsAction, type CdsSuggestion } from '../cards.ts';
import { maxIndicator, indicatorRank, type CdsConfig, type Indicator } from '../config.ts';
import { isTopical, type MedicationUse } from '../medications.ts';

interface Condition { group: string; ingredient?: string; topical?: boolean; isDraft?: boolean; negate?: boolean }
interface RuleSuggestion { label: string; description: string; type: 'create' | 'remove-draft'; resource?: Record<string, unknown>; activityDefinition?: string; replacesDraftOf?: string; conditions: Condition[] }
interface RuleCard { conditions: Condition[]; indicator: Indicator; detail: string; citations: string[]; suggestions: RuleSuggestion[] }
export interface PddiRule { id: string; title: string; planDefinition: string; documentation: string | null; groups: string[]; hooks: string[]; cards: RuleCard[] }

const rules = pddiData.rules as PddiRule[];
const groups = pddiData.groups as Record<string, string[]>;

function inGroup(use: MedicationUse, group: string): string | undefined {
  return use.ingredients.find((i) => (groups[group] ?? []).includes(i));
}

/** The two medications of a firing pair: which is the draft being checked, which the other. */
interface Pair { draft: MedicationUse; other: MedicationUse; byGroup: Map<string, MedicationUse> }

function holds(c: Condition, pair: Pair): boolean {
  const use = pair.byGroup.get(c.group);
  let ok = use !== undefined;
  if (ok && c.ingredient) ok = use!.ingredients.includes(c.ingredient);
  if (ok && c.topical !== undefined) ok = isTopical(use!, pddiData.topicalForms) === c.topical;
  if (ok && c.isDraft) ok = use === pair.draft;
  return c.negate ? !ok : ok;
}

function actionsFor(s: RuleSuggestion, pair: Pair, patientId: string): CdsAction[] {
  const draft = pair.draft.resource as MedicationRequest;
  const remove: CdsAction = { type: 'delete', description: `Remove the draft order for ${pair.draft.text}`, resourceId: [`MedicationRequest/${draft.id ?? ''}`] };
  if (s.type === 'remove-draft') return [remove];
  const resource = { ...s.resource, subject: { reference: `Patient/${patientId}` }, ...(s.resource?.resourceType === 'MedicationRequest' && draft.requester ? { requester: draft.requester } : {}) } as unknown as Resource;
  const create: CdsAction = { type: 'create', description: s.description, resource };
  // "Substitute NSAID with …": when the NSAID is the order being placed, the substitute replaces it.
  const replaces = s.replacesDraftOf && pair.byGroup.get(s.replacesDraftOf) === pair.draft;
  return replaces ? [remove, create] : [create];
}

/** Cards for one draft order against the active medications and the other drafts. */
export function drugDrugCards(draft: MedicationUse, others: readonly MedicationUse[], hook: string, patientId: string, config: CdsConfig): CardCandidate[] {
  const out: CardCandidate[] = [];
  for (const rule of rules) {
    if (!rule.hooks.includes(hook)) continue;
    const [a = '', b = ''] = rule.groups;
    const draftGroup = inGroup(draft, a) ? a : inGroup(draft, b) ? b : undefined;
    if (!draftGroup) continue;
    const otherGroup = draftGroup === a ? b : a;
    const other = others.find((o) => o !== draft && inGroup(o, otherGroup));
    if (!other) continue;
    const pair: Pair = { draft, other, byGroup: new Map([[draftGroup, draft], [otherGroup, other]]) };
    const draftDrug = inGroup(draft, draftGroup)!;
    const otherDrug = inGroup(other, otherGroup)!;
    for (const card of rule.cards) {
      if (!card.conditions.every((c) => holds(c, pair))) continue;
      const indicator = indicatorRank(card.indicator) > indicatorRank(config.indicators.drugDrugMax) ? config.indicators.drugDrugMax : maxIndicator(card.indicator, 'info');
      const suggestions: CdsSuggestion[] = card.suggestions
        .filter((s) => s.conditions.every((c) => holds(c, pair)))
        .map((s) => ({ label: s.label, uuid: randomUUID(), actions: actionsFor(s, pair, patientId) }));
      const firstLine = card.detail.split('\n')[0]!.trim();
      out.push({
        kind: 'drug-drug',
        drug: draftDrug,
        issueKey: `drug-drug|${rule.id}|${[draftDrug, otherDrug].sort().join('+')}|${indicator}`,
        card: {
          uuid: randomUUID(),
          summary: summary(`${draftDrug} + ${otherDrug} (${other.source === 'draft' ? 'also ordered' : 'active'}): ${firstLine}`),
          detail: [
            `Potential drug–drug interaction between **${draft.text}** (this order) and **${other.text}** (${other.source === 'draft' ? 'another draft order' : other.source === 'active-request' ? 'active prescription' : 'medication the patient takes'}).`,
            '',
            card.detail,
            ...(card.citations.length ? ['', `Evidence: ${card.citations.join('; ')}`] : []),
          ].join('\n'),
          indicator,
          source: { label: `HL7 PDDI CDS IG: ${rule.title}`, url: rule.documentation ?? rule.planDefinition },
          ...(suggestions.length ? { suggestions, selectionBehavior: 'at-most-one' as const } : {}),
          ...(indicator !== 'info' ? { overrideReasons: [...OVERRIDE_REASONS] } : {}),
          links: [{ label: `PDDI knowledge artifact (${rule.id})`, url: rule.planDefinition, type: 'absolute' }],
        },
      });
    }
  }
  return out;
}
