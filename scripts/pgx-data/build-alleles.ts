// Rebuilds data/pgx/alleles/ (compact named-allele definitions) from PharmCAT's *_translation.json files.
// Run: npx tsx scripts/pgx-data/build-alleles.ts   (deterministic: same sources → byte-identical output)
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlleleDefinition, AlleleIndex, GeneDefinition } from '../../src/modules/pgx/matcher/definitions.ts';

const SOURCE = process.env.PGX_ALLELES_SOURCE ?? '/work/shared/reference/pgx/pharmcat/allele-definitions';
const OUT = process.env.PGX_OUT_DIR ?? join(import.meta.dirname, '../../data/pgx/alleles');
/** CYP2D6 needs structural variants and copy number, which a VCF matcher cannot call. */
const SKIPPED: Record<string, string> = { CYP2D6: 'structural variants / copy number are out of scope of VCF matching' };

/** The fields of a PharmCAT translation file the build reads. */
interface SourceFile {
  gene: string;
  version: string;
  genomeBuild: string;
  variants: Array<{ chromosome: string; position: number; rsid: string | null; ref: string; alts: string[] }>;
  namedAlleles: Array<{ name: string; reference: boolean; alleles: Array<string | null> }>;
}

function convert(src: SourceFile): GeneDefinition {
  if (!src.genomeBuild.startsWith('GRCh38')) throw new Error(`${src.gene}: unexpected build ${src.genomeBuild}`);
  const alleles: AlleleDefinition[] = src.namedAlleles.map((a) => ({
    name: a.name,
    reference: a.reference,
    defining: a.alleles.flatMap((base, i): Array<[number, string]> => (base === null ? [] : [[i, base]])),
  }));
  return {
    gene: src.gene,
    version: src.version,
    positions: src.variants.map((v) => ({ chromosome: v.chromosome, position: v.position, ...(v.rsid ? { rsid: v.rsid } : {}), ref: v.ref, alts: v.alts })),
    alleles,
  };
}

mkdirSync(OUT, { recursive: true });
const files = readdirSync(SOURCE).filter((f) => f.endsWith('_translation.json')).sort();
const genes: string[] = [];
const versions = new Set<string>();
for (const f of files) {
  const src = JSON.parse(readFileSync(join(SOURCE, f), 'utf8')) as SourceFile;
  if (SKIPPED[src.gene]) continue;
  const def = convert(src);
  versions.add(def.version);
  genes.push(def.gene);
  writeFileSync(join(OUT, `${def.gene}.json`), JSON.stringify(def) + '\n');
}
const index: AlleleIndex = {
  source: 'PharmCAT allele definitions (*_translation.json, GRCh38), derived from CPIC/ClinPGx allele definition tables',
  licence: 'PharmCAT repository MPL-2.0 @ 5431bf1187e50383df7e7db18ef67b36fc8b562e; content CPIC allele definitions (CC0 1.0) + PharmVar (cite PharmVar)',
  version: [...versions].sort().join(', '),
  genes,
  skipped: Object.entries(SKIPPED).map(([gene, reason]) => ({ gene, reason })),
};
writeFileSync(join(OUT, 'index.json'), JSON.stringify(index, null, 1) + '\n');
