// Rebuilds data/ddi/rxnorm-drugs.json (RxNorm ingredient → the drug names of the guidance and interaction data) and
// data/ddi/pgx-alternatives.json (drugs a gene–drug card may offer instead, each named in the CPIC text it comes from).
// Usage: npx tsx scripts/ddi-data/build-pgx-cds-data.ts [output folder, default data/ddi]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGuidanceKnowledge } from '../../src/modules/pgx/recommend/knowledge.ts';

const here = import.meta.dirname;
const dataDir = join(here, '..', '..', 'data', 'ddi');
const outDir = process.argv[2] ?? dataDir;

function tsv(file: string): Record<string, string>[] {
  const lines = readFileSync(join(here, file), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const header = (lines.shift() ?? '').split('\t');
  return lines.map((l) => Object.fromEntries(l.split('\t').map((v, i) => [header[i] ?? `c${i}`, v.trim()])));
}

const guidance = loadGuidanceKnowledge();
const pddi = JSON.parse(readFileSync(join(dataDir, 'pddi', 'rules.json'), 'utf8')) as { groups: Record<string, string[]> };
const modulators = JSON.parse(readFileSync(join(dataDir, 'cyp-modulators.json'), 'utf8')) as { modulators: { drug: string }[] };
const alternativeNames = tsv('pgx-alternatives.tsv').map((r) => r.alternative ?? '');
const known = new Set([...alternativeNames, ...guidance.drugs.map((d) => d.name), ...Object.values(pddi.groups).flat(), ...modulators.modulators.map((m) => m.drug), 'acetaminophen']);

const drugs = tsv('rxnorm-ingredients.tsv').map((r) => {
  if (!/^\d+$/.test(r.rxcui ?? '')) throw new Error(`bad RxCUI '${r.rxcui ?? ''}'`);
  if (!known.has(r.name ?? '')) throw new Error(`'${r.name ?? ''}' is not a drug of the guidance, interaction or modulator data`);
  return { rxcui: r.rxcui!, name: r.name! };
});
const byName = new Map(drugs.map((d) => [d.name, d]));

const alternatives = tsv('pgx-alternatives.tsv').map((r) => {
  const drug = r.drug ?? '';
  const alternative = r.alternative ?? '';
  const rows = (guidance.byDrug.get(drug) ?? []).filter((f) => f.source === 'CPIC').flatMap((f) => f.recommendations.filter((x) => x.drugs.includes(drug)));
  const naming = rows.filter((x) => new RegExp(`\\b${alternative}\\b`, 'i').test(x.text));
  if (naming.length === 0) throw new Error(`no CPIC ${drug} recommendation names ${alternative}`);
  const ingredient = byName.get(alternative);
  if (!ingredient) throw new Error(`${alternative} has no RxNorm row`);
  return { drug, alternative, rxcui: ingredient.rxcui, guideline: r.guideline ?? '', recommendationIds: naming.map((x) => x.id) };
});

const header = { source: 'scripts/ddi-data/rxnorm-ingredients.tsv (CPIC database drug ids = RxNorm ingredient CUIs; RxNorm, US NLM, public domain)' };
writeFileSync(join(outDir, 'rxnorm-drugs.json'), `${JSON.stringify({ ...header, system: 'http://www.nlm.nih.gov/research/umls/rxnorm', drugs }, null, 2)}\n`);
writeFileSync(join(outDir, 'pgx-alternatives.json'), `${JSON.stringify({ source: 'scripts/ddi-data/pgx-alternatives.tsv, each checked against the CPIC recommendation text that names it', cpicVersion: guidance.cpic.version, alternatives }, null, 2)}\n`);
console.log(`wrote ${drugs.length} RxNorm ingredients and ${alternatives.length} alternatives`);
