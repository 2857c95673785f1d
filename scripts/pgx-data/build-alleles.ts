// Rebuilds data/pgx/alleles/ (compact named-allele definitions) from PharmCAT's *_translation.json files.
// Run: npx tsx scripts/pgx-data/build-alleles.ts   (deterministic: same sources → byte-identical output)
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlleleDefinition, AlleleIndex, GeneDefinition } from '../../src/modules/pgx/matcher/definitions.ts';

const SOURCE = process.env.PGX_ALLELES_SOURCE ?? '/work/shared/reference/pgx/pharmcat/allele-definitions';
const OUT = process.env.PGX_OUT_DIR ?? join(import.meta.dirname, '../../data/pgx/alleles');
const PHENOTYPES = process.env.PGX_PHENOTYPES_DIR ?? join(import.meta.dirname, '../../data/pgx/phenotypes');
/** Hand-kept data (with its source URL and date): the genes whose undocumented variation is read as reference. */
const UNDOCUMENTED = process.env.PGX_UNDOCUMENTED ?? join(import.meta.dirname, '../../data/pgx/undocumented-variations.json');
/**
 * Genes called from a VCF only when the caller asks (`--cyp2d6-from-vcf`): CYP2D6 has structural alleles (the *5
 * deletion, xN duplications, CYP2D7 hybrids) that SNV/indel genotypes cannot show, so its call always carries this warning.
 */
const OPT_IN: Record<string, { code: string; message: string }> = {
  CYP2D6: {
    code: 'CYP2D6_COPY_NUMBER_NOT_ASSESSED',
    message: 'CYP2D6 was called from SNVs and indels only: copy number and structural alleles (the *5 deletion, duplications such as *1x2 or *2x2, CYP2D7 hybrids such as *13 and *68) were not assessed. A *5 carrier looks homozygous for the other allele, and a duplication raises the activity score; confirm with a copy-number test before acting on this call.',
  },
};

/**
 * Genes whose phenotype comes from the lowest-function variants found when they cannot be paired (PharmCAT
 * "lowest-function genes", CPIC DPYD guideline 2018 update; RYR1 as PharmCAT treats it).
 */
const LOWEST_FUNCTION = new Set(['DPYD', 'RYR1']);

/** The fields of PharmCAT's exemptions.json the build applies (per gene). */
interface SourceExemption {
  requiredPositions: number[];
  ignoredPositions: Array<{ position: number }>;
  ignoredAllelesLc: string[];
  unphasedDiplotypePriorities: Array<{ list: string[]; pick: string }>;
  extraPositions?: Array<{ chromosome: string; position: number; rsid: string | null; ref: string; alts: string[] }>;
  /** AMP tier-1 alleles (names as in the definitions) and positions (GRCh38) of the gene. */
  amp1Alleles?: string[];
  amp1Positions?: number[];
}

/**
 * Why PharmCAT's exemptions list an extra position (read from the VCF and reported, not part of any allele): CYP2C9
 * rs12777823 is used by CPIC's 2017 warfarin guideline for people of African ancestry (Johnson et al., PMID 28198005).
 */
const EXTRA_POSITION_USE: Record<string, string> = {
  rs12777823: 'warfarin (CPIC 2017, adults of African ancestry: A/G or A/A → decrease the calculated dose by 10-25%)',
};

/**
 * Genes called from one position when no diplotype fits the full definitions: SLCO1B1 from rs4149056 (c.521T>C), as
 * the CPIC SLCO1B1 guideline (2022) allows and PharmCAT does (its message "SLCO1B1-drug text": "In case no genotype can
 * be determined, recommendations are based on the rs4149056 genotype alone … The minor C allele at rs4149056 defines
 * SLCO1B1*5"). Each base stands for an allele: the reference base for the reference allele, an alternate base for the
 * allele defined by that base alone (*5); the build derives the map and fails when the definitions do not give one.
 */
const SINGLE_POSITION_FALLBACK: Record<string, string> = { SLCO1B1: 'rs4149056' };

function singlePositionFallback(gene: string, positions: GeneDefinition['positions'], alleles: AlleleDefinition[]): GeneDefinition['singlePositionFallback'] {
  const rsid = SINGLE_POSITION_FALLBACK[gene];
  if (!rsid) return undefined;
  const index = positions.findIndex((p) => p.rsid === rsid);
  const position = positions[index];
  if (!position) throw new Error(`${gene}: fallback position ${rsid} is not in the definitions`);
  const reference = alleles.find((a) => a.reference);
  if (!reference) throw new Error(`${gene}: no reference allele`);
  const map: Record<string, string> = { [position.ref]: reference.name };
  for (const alt of position.alts) {
    const only = alleles.filter((a) => !a.reference && a.defining.length === 1 && a.defining[0]?.[0] === index && a.defining[0][1] === alt);
    if (only.length !== 1) throw new Error(`${gene}: ${rsid} ${alt} is defined alone by ${only.length} alleles, need exactly one`);
    map[alt] = only[0]!.name;
  }
  return { index, rsid, alleles: map };
}

/**
 * The AMP tier-1 positions and, per tier-1 allele, the tier-1 positions it is defined at (so a missing position names
 * the alleles it leaves open). The build fails on a tier-1 position outside the definitions, on an allele defined at
 * no tier-1 position, and on an allele without a definition that is not a structural allele of the phenotype table.
 */
function ampTier1(gene: string, exemption: SourceExemption | undefined, positions: GeneDefinition['positions'], alleles: AlleleDefinition[]): GeneDefinition['ampTier1'] {
  const tier1 = [...(exemption?.amp1Positions ?? [])].sort((a, b) => a - b);
  const names = exemption?.amp1Alleles ?? [];
  if (tier1.length === 0 && names.length === 0) return undefined;
  for (const p of tier1) if (!positions.some((d) => d.position === p)) throw new Error(`${gene}: AMP tier-1 position ${p} is not a definition position`);
  const notCallable: string[] = [];
  const defined = names.flatMap((name) => {
    const allele = alleles.find((a) => a.name === name);
    if (!allele) {
      notCallable.push(name);
      return [];
    }
    const at = allele.defining.map(([i]) => positions[i]?.position ?? -1).filter((p) => tier1.includes(p)).sort((a, b) => a - b);
    if (at.length === 0) throw new Error(`${gene}: AMP tier-1 allele ${name} is defined at no tier-1 position`);
    return [{ name, positions: at }];
  });
  if (notCallable.length > 0) {
    const structural = structuralAlleles(gene, new Set(alleles.map((a) => a.name)));
    const unknown = notCallable.filter((n) => !structural.includes(n));
    if (unknown.length > 0) throw new Error(`${gene}: AMP tier-1 allele(s) ${unknown.join(', ')} neither defined nor structural`);
  }
  return { positions: tier1, alleles: defined, ...(notCallable.length > 0 ? { notCallable } : {}) };
}

/**
 * Alleles of the gene's phenotype table that have no SNV/indel definition (structural / copy-number alleles such
 * as CYP2D6 *5 and *1x2): they cannot be called from a VCF; the build records them.
 */
function structuralAlleles(gene: string, defined: ReadonlySet<string>): string[] {
  const table = JSON.parse(readFileSync(join(PHENOTYPES, `${gene}.json`), 'utf8')) as { alleles: Record<string, unknown> };
  return Object.keys(table.alleles).filter((a) => !defined.has(a)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** The fields of a PharmCAT translation file the build reads. */
interface SourceFile {
  gene: string;
  version: string;
  genomeBuild: string;
  variants: Array<{ chromosome: string; position: number; rsid: string | null; ref: string; alts: string[]; chromosomeHgvsName?: string | null }>;
  namedAlleles: Array<{ name: string; reference: boolean; alleles: Array<string | null> }>;
}

/**
 * PharmCAT's genomic HGVS name of each VCF ALT of a position (`chromosomeHgvsName`, `; `-separated when several), used
 * to name variants of a partial allele (`[*2 + g.94942234G>A]`). SNV names are matched to their ALT base; a single name
 * of a single ALT is taken as is. Positions with several indel ALTs written as repeat counts (UGT1A1 `TA[6]`…`TA[9]`,
 * NUDT15, CYP2D6) list the names in another order than the ALTs and are left out (the matcher then writes
 * `g.<pos><REF>><ALT>` in VCF spelling).
 */
function hgvsNames(gene: string, v: SourceFile['variants'][number]): Record<string, string> | undefined {
  const names = (v.chromosomeHgvsName ?? '').split(';').map((n) => n.trim()).filter((n) => n.length > 0);
  if (names.length === 0) return undefined;
  const snv = names.map((n) => /^g\.\d+[ACGT]>([ACGT])$/.exec(n));
  if (snv.every((m) => m !== null)) {
    const out = Object.fromEntries(snv.map((m, k) => [m?.[1] ?? '', names[k] ?? '']).filter(([alt]) => v.alts.includes(alt ?? '')));
    if (Object.keys(out).length !== v.alts.length) throw new Error(`${gene}: ${v.position} HGVS names ${names.join('; ')} do not name every ALT ${v.alts.join(',')}`);
    return out;
  }
  return names.length === 1 && v.alts.length === 1 ? { [v.alts[0] ?? '']: names[0] ?? '' } : undefined;
}

/**
 * Converts one gene, applying PharmCAT's exemptions: ignored positions and ignored alleles are dropped (a
 * non-reference allele left without a defining position goes too); NAT2 required positions and unphased priorities are kept.
 */
function convert(src: SourceFile, exemption: SourceExemption | undefined, undocumentedAsReference: boolean): GeneDefinition {
  if (!src.genomeBuild.startsWith('GRCh38')) throw new Error(`${src.gene}: unexpected build ${src.genomeBuild}`);
  const ignoredPositions = new Set((exemption?.ignoredPositions ?? []).map((p) => p.position));
  const ignoredAlleles = new Set(exemption?.ignoredAllelesLc ?? []);
  const kept = src.variants.flatMap((v, i) => (ignoredPositions.has(v.position) ? [] : [i]));
  const alleles: AlleleDefinition[] = src.namedAlleles
    .filter((a) => !ignoredAlleles.has(a.name.toLowerCase()))
    .map((a) => ({
      name: a.name,
      reference: a.reference,
      defining: kept.flatMap((from, to): Array<[number, string]> => {
        const base = a.alleles[from];
        return base === null || base === undefined ? [] : [[to, base]];
      }),
    }))
    .filter((a) => a.reference || a.defining.length > 0);
  const priorities = exemption?.unphasedDiplotypePriorities ?? [];
  const positions = kept.map((i) => src.variants[i]).flatMap((v) => {
    if (!v) return [];
    const hgvs = hgvsNames(src.gene, v);
    return [{ chromosome: v.chromosome, position: v.position, ...(v.rsid ? { rsid: v.rsid } : {}), ref: v.ref, alts: v.alts, ...(hgvs ? { hgvs } : {}) }];
  });
  const fallback = singlePositionFallback(src.gene, positions, alleles);
  const amp = ampTier1(src.gene, exemption, positions, alleles);
  return {
    gene: src.gene,
    version: src.version,
    positions,
    alleles,
    ...(fallback ? { singlePositionFallback: fallback } : {}),
    ...(LOWEST_FUNCTION.has(src.gene) ? { lowestFunction: true } : {}),
    ...(undocumentedAsReference ? { undocumentedAsReference: true } : {}),
    ...(amp ? { ampTier1: amp } : {}),
    ...((exemption?.requiredPositions ?? []).length > 0 ? { requiredPositions: exemption?.requiredPositions } : {}),
    ...(priorities.length > 0 ? { unphasedPriorities: priorities.map((p) => ({ list: p.list, pick: p.pick })) } : {}),
    ...((exemption?.extraPositions ?? []).length > 0
      ? {
          extraPositions: (exemption?.extraPositions ?? []).map((v) => {
            const use = v.rsid ? EXTRA_POSITION_USE[v.rsid] : undefined;
            if (!use) throw new Error(`${src.gene}: extra position ${v.rsid ?? v.position} has no recorded use`);
            return { chromosome: v.chromosome, position: v.position, ...(v.rsid ? { rsid: v.rsid } : {}), ref: v.ref, alts: v.alts, use };
          }),
        }
      : {}),
  };
}

mkdirSync(OUT, { recursive: true });
const exemptions = JSON.parse(readFileSync(join(SOURCE, 'exemptions.json'), 'utf8')) as Record<string, SourceExemption>;
const files = readdirSync(SOURCE).filter((f) => f.endsWith('_translation.json')).sort();
const asReference = new Set((JSON.parse(readFileSync(UNDOCUMENTED, 'utf8')) as { asReference: string[] }).asReference);
const genes: string[] = [];
const optIn: AlleleIndex['optIn'] = [];
const versions = new Set<string>();
for (const f of files) {
  const src = JSON.parse(readFileSync(join(SOURCE, f), 'utf8')) as SourceFile;
  const warning = OPT_IN[src.gene];
  const converted = convert(src, exemptions[src.gene], asReference.has(src.gene));
  asReference.delete(src.gene);
  const def: GeneDefinition = warning ? { ...converted, callWarning: warning } : converted;
  versions.add(def.version);
  if (warning) optIn.push({ gene: def.gene, warning: warning.code, notCallable: structuralAlleles(def.gene, new Set(def.alleles.map((a) => a.name))) });
  else genes.push(def.gene);
  writeFileSync(join(OUT, `${def.gene}.json`), JSON.stringify(def) + '\n');
}
if (asReference.size > 0) throw new Error(`undocumented-variations.json names genes without definitions: ${[...asReference].join(', ')}`);
const index: AlleleIndex = {
  source: 'PharmCAT allele definitions (*_translation.json + exemptions.json: ignored positions/alleles, unphased priorities, extra positions, AMP tier-1 positions/alleles; GRCh38; undocumented-variation genes from data/pgx/undocumented-variations.json), derived from CPIC/ClinPGx allele definition tables',
  licence: 'PharmCAT repository MPL-2.0 @ 5431bf1187e50383df7e7db18ef67b36fc8b562e; content CPIC allele definitions (CC0 1.0) + PharmVar (cite PharmVar)',
  version: [...versions].sort().join(', '),
  genes,
  optIn,
};
writeFileSync(join(OUT, 'index.json'), JSON.stringify(index, null, 1) + '\n');
