// Rebuilds data/pgx/phenotypes/ and data/pgx/guidance/{cpic,dpwg}/ from the PGx reference copy.
// Run: npx tsx scripts/pgx-data/build-guidance.ts   (deterministic: same sources → byte-identical output)
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GuidanceIndex, GuidelineFile, GuidelineRecommendation, UpstreamChange } from '../../src/modules/pgx/recommend/guidance-types.ts';
import { deflateGuideline, serialiseStoredGuideline } from '../../src/modules/pgx/recommend/guidance-store.ts';
import { compressPhenotypeFile } from './compress-phenotypes.ts';
import type { SourcePhenotypeFile } from './compress-phenotypes.ts';
import { convertGuideline } from './convert-guidance.ts';
import type { SourceGuideline } from './convert-guidance.ts';
import { CHANGELOG_SOURCE, GUIDANCE_SOURCE, PHENOTYPE_SOURCES, SOURCE_DIR } from './source-paths.ts';

/** Hand-written rows for guidelines the annotation snapshot cannot express (see the file's `about`). */
interface Supplement { about: string; file: string; recommendations: GuidelineRecommendation[] }
const SUPPLEMENTS: Partial<Record<'CPIC' | 'DPWG', Supplement[]>> = {
  CPIC: [readJson<Supplement>(join(import.meta.dirname, 'supplements/cpic-warfarin-2017.json'))],
};

/** Output folder; PGX_OUT_DIR lets the reproducibility test build into a temporary folder. */
const OUT = process.env.PGX_OUT_DIR ?? join(import.meta.dirname, '../../data/pgx');

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value, null, 1) + '\n');
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Allele-presence genes (HLA-A/B, CYP4F2): the alleles the guidelines key on and the words they use. */
function allelePresenceGenes(files: GuidelineFile[], tableGenes: Set<string>): Record<string, { kind: 'allele-presence'; alleles: string[]; present: string; absent: string }> {
  const out: Record<string, { alleles: Set<string>; present: string; absent: string }> = {};
  for (const f of files) {
    for (const r of f.recommendations) {
      for (const [gene, key] of Object.entries(r.lookupKey)) {
        const m = /^(\*[\w:]+) (positive|negative|carrier|non-carrier)$/.exec(key);
        if (!m?.[1] || tableGenes.has(gene)) continue;
        const carrier = m[2] === 'carrier' || m[2] === 'non-carrier';
        (out[gene] ??= { alleles: new Set(), present: carrier ? 'carrier' : 'positive', absent: carrier ? 'non-carrier' : 'negative' }).alleles.add(m[1]);
      }
    }
  }
  return Object.fromEntries(Object.entries(out).sort().map(([g, v]) => [g, { kind: 'allele-presence' as const, alleles: [...v.alleles].sort(), present: v.present, absent: v.absent }]));
}

/** The version most genes share, plus `+GENE.version` for each gene from an older table (e.g. CYP2D6). */
function phenotypeVersion(genes: Array<{ gene: string; version: string }>): string {
  const counts = new Map<string, number>();
  for (const g of genes) counts.set(g.version, (counts.get(g.version) ?? 0) + 1);
  const main = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  return [main, ...genes.filter((g) => g.version !== main).map((g) => `${g.gene}.${g.version}`)].join('+');
}

function buildPhenotypes(guidelines: GuidelineFile[]): void {
  const dir = join(OUT, 'phenotypes');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const genes: Array<{ gene: string; file: string; version: string; derivation: string; alleles: number; sourceRows: number; overrides: number; licence: string }> = [];
  for (const s of PHENOTYPE_SOURCES) {
    const file = readJson<SourcePhenotypeFile>(join(SOURCE_DIR, s.file));
    const table = compressPhenotypeFile(file, { name: 'PharmCAT gene phenotype table', repository: 'PharmGKB/PharmCAT', commit: s.commit, path: s.path, licence: s.licence }, s.gene);
    const name = `${s.gene}.json`;
    writeJson(join(dir, name), table);
    genes.push({ gene: s.gene, file: name, version: table.version, derivation: table.derivation, alleles: Object.keys(table.alleles).length, sourceRows: table.sourceRows, overrides: Object.keys(table.overrides).length, licence: s.licence });
    console.log(`${s.gene}: ${table.sourceRows} rows → ${Object.keys(table.alleles).length} alleles, ${table.derivation}, ${Object.keys(table.overrides).length} overrides`);
  }
  genes.sort((a, b) => a.gene.localeCompare(b.gene));
  writeJson(join(dir, 'patient-explanations.json'), readJson<unknown>(join(import.meta.dirname, 'supplements/patient-explanations.json')));
  writeJson(join(dir, 'index.json'), {
    format: 1,
    version: phenotypeVersion(genes),
    date: '2025-11-05',
    source: 'PharmCAT gene phenotype tables (CPIC allele function, activity values and diplotype → phenotype)',
    licence: 'CPIC content CC0 1.0; CYP3A4 (DPWG via ClinPGx) CC BY-SA 4.0; PharmCAT repository MPL-2.0',
    genes,
    allelePresence: allelePresenceGenes(guidelines, new Set(genes.map((g) => g.gene))),
    hgnc: readJson<{ genes: Record<string, string> }>(join(import.meta.dirname, 'supplements/hgnc-genes.json')).genes,
  });
}

function upstreamChanges(snapshotDate: string, drugsInData: Set<string>): UpstreamChange[] {
  const rows = readFileSync(join(SOURCE_DIR, 'cpic/cpic-data-changelog.tsv'), 'utf8').split('\n').slice(1);
  const byDrug = new Map<string, Map<string, string>>();
  for (const line of rows) {
    const [date, type, subject, note] = line.split('\t');
    if (type !== 'RECOMMENDATION' || !date || !subject || date <= snapshotDate) continue;
    const m = byDrug.get(subject) ?? new Map<string, string>();
    m.set(`${date}\t${note ?? ''}`, date);
    byDrug.set(subject, m);
  }
  return [...byDrug.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([drug, m]) => ({
    drug,
    inData: drugsInData.has(drug),
    changes: [...m.keys()].sort().reverse().map((k) => ({ date: k.split('\t')[0] ?? '', note: k.split('\t')[1] ?? '' })),
  }));
}

function buildGuidance(source: 'CPIC' | 'DPWG'): GuidelineFile[] {
  const folder = source.toLowerCase();
  const inDir = join(SOURCE_DIR, 'pharmcat/guideline-annotations-2024-03', folder);
  const dir = join(OUT, 'guidance', folder);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files: GuidelineFile[] = [];
  const names: string[] = [];
  let dropped = 0;
  let snapshot = '';
  const drugs = new Map<string, { name: string; pharmgkbId: string; rxnorm: string | null; genes: Set<string>; files: Set<string> }>();
  for (const name of readdirSync(inDir).filter((n) => n.endsWith('.json')).sort()) {
    const { file, dropped: d } = convertGuideline(readJson<SourceGuideline>(join(inDir, name)), source);
    dropped += d;
    const out = name.replace(/^(CPIC|DPWG)_/, '');
    for (const sup of SUPPLEMENTS[source] ?? []) if (sup.file === out) file.recommendations.push(...sup.recommendations.map((r) => ({ ...r, authoredBy: sup.about })));
    if (file.snapshot > snapshot) snapshot = file.snapshot;
    writeFileSync(join(dir, out), serialiseStoredGuideline(deflateGuideline(file)));
    files.push(file);
    names.push(out);
    for (const drug of file.drugs) {
      const e = drugs.get(drug.name) ?? { ...drug, rxnorm: null, genes: new Set<string>(), files: new Set<string>() };
      file.genes.forEach((g) => e.genes.add(g));
      e.files.add(out);
      drugs.set(drug.name, e);
    }
  }
  const snapshotDate = snapshot.slice(0, 10);
  const index: GuidanceIndex = {
    source,
    version: snapshot,
    date: snapshotDate,
    licence: source === 'CPIC' ? 'CC0 1.0 (CPIC; cpicpgx.org/license — please cite CPIC)' : 'CC BY-SA 4.0 (DPWG guideline annotations by ClinPGx/PharmGKB)',
    attribution: source === 'CPIC'
      ? 'Clinical Pharmacogenetics Implementation Consortium (CPIC) guidelines, as annotated by ClinPGx/PharmGKB'
      : 'Dutch Pharmacogenetics Working Group (DPWG) guidelines, annotations © ClinPGx/PharmGKB, CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/); converted to Markdown by Flaura',
    origin: { repository: GUIDANCE_SOURCE.repository, commit: GUIDANCE_SOURCE.commit, path: `${GUIDANCE_SOURCE.path}${source}_*.json` },
    files: names,
    drugs: [...drugs.values()].sort((a, b) => a.name.localeCompare(b.name)).map((d) => ({ name: d.name, pharmgkbId: d.pharmgkbId, rxnorm: d.rxnorm, genes: [...d.genes].sort(), files: [...d.files].sort() })),
    droppedUiOnlyRows: dropped,
    recommendationCount: files.reduce((n, f) => n + f.recommendations.length, 0),
    newerUpstream: source === 'CPIC' ? upstreamChanges(snapshotDate, new Set(drugs.keys())) : [],
  };
  writeJson(join(dir, 'index.json'), index);
  console.log(`${source}: ${files.length} guidelines, ${index.recommendationCount} recommendations (${dropped} UI-only rows dropped), ${index.drugs.length} drugs; changelog source ${CHANGELOG_SOURCE.repository}@${CHANGELOG_SOURCE.release}`);
  return files;
}

const cpic = buildGuidance('CPIC');
const dpwg = buildGuidance('DPWG');
buildPhenotypes([...cpic, ...dpwg]);
