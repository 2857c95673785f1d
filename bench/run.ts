// `npm run bench [-- name...]`: runs the named benchmark suites (all by default) and updates BENCHMARKS.md.
import { writeBenchmarkSection } from './lib.ts';
import { benchFhir } from './fhir.bench.ts';
import { benchPgx } from './pgx.bench.ts';
import { benchAuth } from './auth.bench.ts';
import { benchCds } from './cds.bench.ts';
import { benchWearables } from './wearables.bench.ts';
import { benchSecurity } from './security.bench.ts';

/** Each suite returns its markdown section; suites are added here as the product grows. */
const suites: Record<string, () => Promise<string>> = {
  fhir: () => benchFhir({ patients: Number(process.env.FLAURA_BENCH_PATIENTS ?? 1000) }),
  // FLAURA_BENCH_PGX_GIB=0.05 FLAURA_BENCH_PGX_SAMPLES=100 for a quick run.
  // FLAURA_BENCH_SECURITY_ITERATIONS=500 for a quick run.
  security: () => benchSecurity({ iterations: Number(process.env.FLAURA_BENCH_SECURITY_ITERATIONS ?? 3000) }),
  auth: () => benchAuth({ iterations: Number(process.env.FLAURA_BENCH_AUTH_ITERATIONS ?? 5000) }),
  pgx: () => benchPgx({ genomeGiB: Number(process.env.FLAURA_BENCH_PGX_GIB ?? 1.05), cohortSamples: Number(process.env.FLAURA_BENCH_PGX_SAMPLES ?? 1000) }),
  // FLAURA_BENCH_CDS_REQUESTS=1000 for a quick run.
  cds: () => benchCds({ patients: Number(process.env.FLAURA_BENCH_CDS_PATIENTS ?? 40), requests: Number(process.env.FLAURA_BENCH_CDS_REQUESTS ?? 4000) }),
  // FLAURA_BENCH_WEARABLES_SAMPLES=50000 FLAURA_BENCH_WEARABLES_GIB=0.05 for a quick run.
  wearables: () => benchWearables({ samples: Number(process.env.FLAURA_BENCH_WEARABLES_SAMPLES ?? 525_600), exportGiB: Number(process.env.FLAURA_BENCH_WEARABLES_GIB ?? 1), chartRuns: Number(process.env.FLAURA_BENCH_WEARABLES_CHART_RUNS ?? 41) }),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : Object.keys(suites);
for (const name of names) {
  const suite = suites[name];
  if (!suite) {
    console.error(`Unknown benchmark '${name}'. Known: ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
  console.error(`== ${name}`);
  const markdown = await suite();
  writeBenchmarkSection(name, markdown);
  console.log(markdown);
}
