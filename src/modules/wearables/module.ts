// The wearables Lego block: its tables, a live ingest API for devices and phone apps, and chart queries.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { FlauraError } from '../../errors.ts';
import type { Module, ModuleContext } from '../types.ts';
import { loadMetricCatalog } from './metrics/catalog.ts';
import { importOmh } from './importers/omh.ts';
import { readJsonLines } from './importers/json-lines.ts';
import { endDatedMetrics } from './pipeline.ts';
import { wearablesMigrations } from './storage/migrations.ts';
import { ingestImport } from './storage/ingest.ts';
import { queryChart } from './storage/query.ts';

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

function patientParam(value: unknown): string {
  if (typeof value !== 'string' || !ID.test(value)) throw new FlauraError('WEARABLES_BAD_PATIENT', 400, 'patient must be a FHIR id');
  return value;
}

function dateParam(name: string, value: unknown): Date {
  const d = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new FlauraError('WEARABLES_BAD_DATE', 400, `${name} must be an ISO date-time`);
  return d;
}

async function routes(app: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const catalog = loadMetricCatalog();
  // Samples arrive as Open mHealth data points: a JSON array, or NDJSON (one data point per line).
  app.addContentTypeParser(['application/x-ndjson', 'application/json'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  /**
   * `POST /wearables/samples?patient=ID`: stores a batch; retries are idempotent (duplicates are dropped by the
   * store's dedup key), and an `Idempotency-Key` header names the import.
   */
  app.post('/samples', async (request, reply) => {
    const patientId = patientParam((request.query as Record<string, unknown>).patient);
    const text = String(request.body ?? '').trim();
    if (!text) throw new FlauraError('WEARABLES_BAD_JSON', 400, 'The body must hold Open mHealth data points (JSON array or NDJSON)');
    let lines: string;
    if (text.startsWith('[')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new FlauraError('WEARABLES_BAD_JSON', 400, `The body is not valid JSON: ${(err as Error).message}`);
      }
      lines = (parsed as unknown[]).map((p) => JSON.stringify(p)).join('\n');
    } else lines = text;
    const key = request.headers['idempotency-key'];
    const importId = typeof key === 'string' && ID.test(key) ? `${patientId}-${key}` : randomUUID();
    const result = await ingestImport(ctx.db, importOmh(readJsonLines((async function* () { yield lines; })()), catalog), {
      patientId,
      importId,
      format: 'omh',
      now: new Date(),
      sourcePriority: catalog.defaultSourcePriority,
      endDatedMetrics: endDatedMetrics(catalog),
    });
    return reply.code(result.rejected > 0 && result.inserted === 0 && result.duplicates === 0 ? 422 : 200).send(result);
  });

  /** `GET /wearables/chart?patient=ID&metric=M&from=…&to=…&points=N`: a window downsampled for charts. */
  app.get('/chart', async (request) => {
    const q = request.query as Record<string, unknown>;
    const metric = String(q.metric ?? '');
    if (!catalog.metrics.some((m) => m.id === metric)) throw new FlauraError('WEARABLES_UNKNOWN_METRIC', 400, `Unknown metric '${metric}'`);
    return queryChart(ctx.db, {
      patientId: patientParam(q.patient),
      metric,
      from: dateParam('from', q.from),
      to: dateParam('to', q.to),
      points: q.points === undefined ? 500 : Number(q.points),
      sourcePriority: catalog.defaultSourcePriority,
    });
  });
}

export const wearablesModule: Module = { name: 'wearables', migrations: [...wearablesMigrations], routes };
