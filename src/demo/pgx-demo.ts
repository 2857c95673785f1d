// The demo cast's pharmacogenomic results: for each patient a panel VCF written from the allele definitions (and,
// for Grace, a lab's CYP2D6 outside call), run through the real pipeline and stored like any upload. The files are
// deterministic, so seeding again finds them by content hash and writes nothing.
import type { Bundle } from '@medplum/fhirtypes';
import type { FhirStore } from '../fhir/store/types.ts';
import { loadAlleleDefinitions } from '../modules/pgx/matcher/definitions.ts';
import type { VcfCaller } from '../modules/pgx/pipeline.ts';
import { importPgxResult, type PgxImportOutcome } from '../modules/pgx/storage/import-result.ts';
import type { UploadedFile } from '../modules/pgx/storage/input-files.ts';
import { panelVcf, type DiplotypeChoice } from '../modules/pgx/synthetic/allele-vcf.ts';

interface DemoPgxCase {
  patientId: string;
  /** Why this result is in the demo. */
  story: string;
  /** Non-reference diplotypes of the VCF; every other gene is reference/reference. */
  diplotypes: Readonly<Record<string, DiplotypeChoice>>;
  /** A lab's outside calls (TSV), for genes a VCF cannot call (CYP2D6 copy number). */
  outsideCalls?: string;
}

export const demoPgxCases: readonly DemoPgxCase[] = [
  { patientId: 'demo-maria', story: 'CYP2C19 *2/*2, poor metabolizer: clopidogrel will not work well', diplotypes: { CYP2C19: ['*2', '*2'] } },
  { patientId: 'demo-tendai', story: 'CYP2B6 *6/*6, poor metabolizer: efavirenz exposure is high', diplotypes: { CYP2B6: ['*6', '*6'] } },
  {
    patientId: 'demo-grace',
    story: 'CYP2D6 *1/*2 from the lab (normal metabolizer), but fluoxetine inhibits CYP2D6 (phenoconversion)',
    diplotypes: {},
    outsideCalls: '# CYP2D6 genotyping with copy number, reported by the laboratory\ngene\tdiplotype\nCYP2D6\t*1/*2\n',
  },
  { patientId: 'demo-james', story: 'SLCO1B1 *5/*5, poor function: simvastatin myopathy risk', diplotypes: { SLCO1B1: ['*5', '*5'] } },
];

/** The upload(s) of one demo case, exactly as a lab would send them. */
export function demoPgxFiles(c: DemoPgxCase): UploadedFile[] {
  const vcf = panelVcf(loadAlleleDefinitions().genes, c.diplotypes, { sample: c.patientId });
  return [{ name: `${c.patientId}.vcf`, bytes: Buffer.from(vcf) }, ...(c.outsideCalls ? [{ name: `${c.patientId}-lab.tsv`, bytes: Buffer.from(c.outsideCalls) }] : [])];
}

/** Stores every demo result (through the same path as `POST /pgx/patients/{id}/results`); already stored ones are skipped. */
export async function seedDemoPgx(deps: { store: FhirStore; transaction: (bundle: Bundle) => Promise<Bundle>; callVcf: VcfCaller }): Promise<PgxImportOutcome[]> {
  const outcomes: PgxImportOutcome[] = [];
  for (const c of demoPgxCases) {
    outcomes.push(await importPgxResult(deps, { patientId: c.patientId, files: demoPgxFiles(c), authorDisplay: 'Flaura demo data' }));
  }
  return outcomes;
}

/** The same through a running server's API (multipart upload per patient). */
export async function seedDemoPgxViaHttp(baseUrl: string, headers: Record<string, string> = {}): Promise<number> {
  let created = 0;
  for (const c of demoPgxCases) {
    const form = new FormData();
    demoPgxFiles(c).forEach((f, i) => form.append(`file${i}`, new Blob([new Uint8Array(f.bytes)]), f.name));
    const res = await fetch(`${baseUrl.replace(/\/$/, '')}/pgx/patients/${c.patientId}/results`, { method: 'POST', headers, body: form });
    if (!res.ok) throw new Error(`PGx demo result for ${c.patientId}: the server answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    if (res.status === 201) created++;
  }
  return created;
}
