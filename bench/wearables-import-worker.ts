// Child process of the wearables benchmark: imports one Apple Health export into the time-series store and reports
// time and the peak RSS of this process alone.
//   node --import tsx bench/wearables-import-worker.ts <export.xml|zip> <databaseUrl|pglite-dir> [schema]
import { statSync } from 'node:fs';
import { migrate, openDb } from '../src/db/index.ts';
import { openImport } from '../src/modules/wearables/importers/open-import.ts';
import { loadMetricCatalog } from '../src/modules/wearables/metrics/catalog.ts';
import { endDatedMetrics } from '../src/modules/wearables/pipeline.ts';
import { ingestImport } from '../src/modules/wearables/storage/ingest.ts';
import { wearablesMigrations } from '../src/modules/wearables/storage/migrations.ts';

const [file, where, schema] = process.argv.slice(2);
if (!file || !where) throw new Error('usage: wearables-import-worker.ts <file> <databaseUrl|pglite-dir> [schema]');
const db = where.startsWith('postgres') ? await openDb({ databaseUrl: where, ...(schema ? { schema } : {}), maxConnections: 2 }) : await openDb({ dataDir: where });
await migrate(db, wearablesMigrations);
const catalog = loadMetricCatalog();
const started = performance.now();
const items = await openImport(file, 'apple-health', catalog);
const r = await ingestImport(db, items, { patientId: 'bench-export', importId: `bench-export-${Date.now()}`, format: 'apple-health', now: new Date(), timeZone: 'Africa/Harare', sourcePriority: catalog.defaultSourcePriority, endDatedMetrics: endDatedMetrics(catalog) });
const seconds = (performance.now() - started) / 1000;
await db.close();
process.stdout.write(JSON.stringify({ seconds, fileBytes: statSync(file).size, received: r.received, inserted: r.inserted, rejected: r.rejected, maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + '\n');
