// Rebuilds data/ddi/cyp-modulators.json from the sourced FDA/CPIC inhibitor-inducer table.
// Usage: npx tsx scripts/ddi-data/build-cyp-modulators.ts [path/to/shared/reference/ddi]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const sourceDir = process.argv[2] ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'ddi');
const out = join(import.meta.dirname, '..', '..', 'data', 'ddi', 'cyp-modulators.json');

type Strength = 'strong' | 'moderate' | 'weak';
interface Row { enzyme: string; drug: string; effect: 'inhibitor' | 'inducer'; strength: Strength; sourceId: string; note: string }

const rows: Row[] = readFileSync(join(sourceDir, 'cyp-inhibitors-inducers.tsv'), 'utf8')
  .split('\n')
  .slice(1)
  .filter((line) => line.trim() !== '')
  .map((line) => {
    const [enzyme, drug, effect, strength, sourceId, note = ''] = line.split('\t');
    return { enzyme: enzyme!, drug: drug!, effect: effect as Row['effect'], strength: strength as Strength, sourceId: sourceId!, note };
  });

// The current FDA table decides the class; older or secondary sources are kept as evidence (see SOURCES.md there).
const PRIORITY = ['FDA-HCP-2026', 'FDA-IDX-2023', 'PHARME-2024', 'CICALI2020'];
const NON_DRUGS = /grapefruit|st\. john|tobacco|smoking|piperine|diosmin/i;

const groups = new Map<string, Row[]>();
for (const row of rows) {
  const key = `${row.enzyme}|${row.drug}|${row.effect}`;
  groups.set(key, [...(groups.get(key) ?? []), row]);
}

const modulators = [...groups.values()]
  .map((group) => {
    const chosen = [...group].sort((a, b) => PRIORITY.indexOf(a.sourceId) - PRIORITY.indexOf(b.sourceId))[0]!;
    const strengths = new Set(group.map((r) => r.strength));
    return {
      enzyme: chosen.enzyme,
      drug: chosen.drug,
      effect: chosen.effect,
      strength: chosen.strength,
      source: chosen.sourceId,
      otherSources: group.filter((r) => r !== chosen).map((r) => ({ source: r.sourceId, strength: r.strength })),
      sourcesDisagree: strengths.size > 1,
      conditional: /conditional/i.test(chosen.note),
      regimen: / and /.test(chosen.drug),
      nonDrug: NON_DRUGS.test(chosen.drug),
      ...(chosen.note ? { note: chosen.note } : {}),
    };
  })
  .sort((a, b) => a.enzyme.localeCompare(b.enzyme) || a.drug.localeCompare(b.drug) || a.effect.localeCompare(b.effect));

const data = {
  name: 'CYP inhibitors and inducers (phenoconversion input)',
  version: '2026-11-25',
  source: 'US FDA, Examples of Drugs that Interact with CYP Enzymes (Table 1, content current 2026-05-29) and Table of Substrates, Inhibitors and Inducers (Tables 2-2/2-3, 2023-06-05); PharMe (MIT, 2024); Cicali et al. Clin Pharmacol Ther 2020;108:116 (Table 4)',
  licence: 'FDA content: US-government work, public domain; PharMe list: MIT; Cicali 2020: facts only',
  buildScript: 'scripts/ddi-data/build-cyp-modulators.ts',
  classRule: 'Class from the current FDA table (FDA-HCP-2026) where it lists the drug, else the next source in order FDA-IDX-2023, PHARME-2024, CICALI2020; all sources kept',
  modulators,
};
writeFileSync(out, JSON.stringify(data, null, 1) + '\n');
console.log(`wrote ${modulators.length} modulators to ${out}`);
