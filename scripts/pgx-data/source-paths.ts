// Where the PGx knowledge sources live (read only at build time) and their provenance.

/** Root of the read-only reference copy; override with PGX_SOURCE_DIR. */
export const SOURCE_DIR = process.env.PGX_SOURCE_DIR ?? '/work/shared/reference/pgx';

/** Provenance of the PharmCAT phenotype files, per SOURCES.md of the reference copy. */
export const PHENOTYPE_SOURCES: Array<{ gene: string; file: string; commit: string; path: string; licence: string }> = [
  ...['ABCG2', 'CACNA1S', 'CFTR', 'CYP2B6', 'CYP2C19', 'CYP2C9', 'CYP3A4', 'CYP3A5', 'DPYD', 'IFNL3', 'MT_RNR1', 'NAT2', 'NUDT15', 'SLCO1B1', 'TPMT', 'UGT1A1', 'VKORC1'].map((g) => ({
    gene: g.replace('_', '-'),
    file: `pharmcat/gene-phenotypes/${g}.json`,
    commit: '5431bf1187e50383df7e7db18ef67b36fc8b562e',
    path: `src/main/resources/org/pharmgkb/pharmcat/phenotype/${g}.json`,
    licence: g === 'CYP3A4' ? 'CC BY-SA 4.0 (DPWG via ClinPGx)' : 'CC0 1.0 (CPIC), in an MPL-2.0 repository',
  })),
  { gene: 'CYP2D6', file: 'pharmcat/gene-phenotypes-older/CYP2D6.cpic.2024-08-27.json', commit: 'c8100ec878f6d0731ba9f1403f1a5ecb91061abb', path: 'src/main/resources/org/pharmgkb/pharmcat/phenotype/cpic/CYP2D6.json', licence: 'CC0 1.0 (CPIC), in an MPL-2.0 repository' },
  { gene: 'G6PD', file: 'pharmcat/gene-phenotypes-older/G6PD.cpic.2023-08-08.json', commit: '76bfe08c85fc1b63d014445e3d7dd883cf7088cf', path: 'src/main/resources/org/pharmgkb/pharmcat/phenotype/cpic/G6PD.json', licence: 'CC0 1.0 (CPIC), in an MPL-2.0 repository' },
  { gene: 'RYR1', file: 'pharmcat/gene-phenotypes-older/RYR1.cpic.2023-12-19.json', commit: '5cb671756393b82732c2ffeb5e06201d453cade3', path: 'src/main/resources/org/pharmgkb/pharmcat/phenotype/cpic/RYR1.json', licence: 'CC0 1.0 (CPIC), in an MPL-2.0 repository' },
];

/** The guideline annotation snapshot (CPIC CC0; DPWG CC BY-SA 4.0 via ClinPGx). */
export const GUIDANCE_SOURCE = {
  repository: 'PharmGKB/PharmCAT',
  commit: '30f8cfb7b3d71f6b579212f8161689e5f7dc2e63',
  path: 'src/main/resources/org/pharmgkb/pharmcat/reporter/guidelines/',
};

/** CPIC's own data change log, used to flag recommendations newer than the snapshot. */
export const CHANGELOG_SOURCE = { repository: 'cpicpgx/cpic-data', commit: '459e3ebdccdccbe515a71dacf038ec532d1bc68d', path: 'data.tsv', release: '1.56.0' };
