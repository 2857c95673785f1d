// The PGx Lego block in the EMR: upload a VCF or a lab's outside calls for a patient (stored as FHIR, see
// storage/import-result.ts) and read the patient's current results back as JSON for the web app and CDS.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FlauraError } from '../../errors.ts';
import type { RequestActor } from '../../fhir/store/types.ts';
import type { AccessControl, AccessRequest } from '../../security/principal.ts';
import type { ImportInput, Importer, Module, ModuleContext } from '../types.ts';
import { callVcf } from './matcher/caller.ts';
import type { VcfCaller } from './pipeline.ts';
import { CYP2D6_FROM_VCF, parseBooleanOption } from './storage/import-options.ts';
import { importPgxResult } from './storage/import-result.ts';
import { pgxImportOperation } from './import-operation.ts';
import { MAX_STORED_FILE_BYTES, type UploadedFile } from './storage/input-files.ts';
import { multipartBoundary, parseMultipart } from './storage/multipart.ts';
import { readPgxSummary } from './storage/summary.ts';

/** `ctx.access` arrives with the access-policy work; until then module routes rely on authentication alone. */
type PgxContext = ModuleContext & { access?: AccessControl };

const PATIENT_ID = /^[A-Za-z0-9\-.]{1,64}$/;

function patientParam(request: FastifyRequest): string {
  const id = (request.params as Record<string, unknown>).id;
  if (typeof id !== 'string' || !PATIENT_ID.test(id)) throw new FlauraError('PGX_BAD_PATIENT', 400, 'the patient id must be a FHIR id');
  return id;
}

async function authorize(ctx: PgxContext, request: FastifyRequest, access: AccessRequest): Promise<void> {
  if (!ctx.access || !request.principal) return;
  const decision = await ctx.access.decide(request.principal, access);
  if (!decision.allowed) throw new FlauraError('FORBIDDEN', 403, decision.reason, { type: 'forbidden' });
}

function actorOf(request: FastifyRequest): RequestActor {
  const p = request.principal;
  return { ...(p?.fhirUser ? { reference: p.fhirUser } : {}), ...(p?.clientId ? { clientId: p.clientId } : {}), ...(p ? { role: p.role, purpose: p.purposeOfUse } : {}), ip: request.ip, requestId: request.id };
}

/** The uploaded file(s): every file part of a multipart body, or the raw body (`?filename=` names it). */
function uploadedFiles(request: FastifyRequest): UploadedFile[] {
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.length === 0) throw new FlauraError('PGX_IMPORT_NO_FILE', 400, 'no file given: send a VCF (plain or bgzip) or an outside-call file as the body or as multipart/form-data');
  const boundary = multipartBoundary(request.headers['content-type']);
  const filename = (request.query as Record<string, unknown>).filename;
  if (!boundary) return [{ bytes: body, ...(typeof filename === 'string' ? { name: filename } : {}) }];
  const parts = parseMultipart(body, boundary).filter((p) => p.filename !== undefined || p.data.length > 0);
  return parts.map((p) => ({ bytes: p.data, ...(p.filename ?? p.name ? { name: (p.filename ?? p.name) as string } : {}) }));
}

/** Reads an importer input stream whole (uploads are capped at MAX_STORED_FILE_BYTES). */
async function readAll(input: ImportInput): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input.open()) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += b.length;
    if (size > MAX_STORED_FILE_BYTES) break;
    chunks.push(b);
  }
  // Past the cap, one extra byte is enough for splitInputs to refuse it with 413.
  return size > MAX_STORED_FILE_BYTES ? Buffer.alloc(MAX_STORED_FILE_BYTES + 1) : Buffer.concat(chunks);
}

/** The module's importer: one VCF (plain or bgzip) or outside-call file for `options.patient`. */
function pgxImporter(caller: VcfCaller): Importer {
  return {
    id: 'pgx.result',
    description: 'a pharmacogenomic result for a patient: VCF (plain or bgzip) or a lab outside-call file (TSV or FHIR JSON)',
    accepts: ({ fileName }) => /\.(vcf|vcf\.gz|vcf\.bgz|tsv|txt)$/i.test(fileName),
    async run(ctx, input, options) {
      const patientId = options.patient;
      if (typeof patientId !== 'string') throw new FlauraError('PGX_BAD_PATIENT', 400, 'the pgx importer needs options.patient');
      const cyp2d6FromVcf = parseBooleanOption(CYP2D6_FROM_VCF, options[CYP2D6_FROM_VCF], `options.${CYP2D6_FROM_VCF}`);
      const outcome = await importPgxResult(
        { store: ctx.store, ...(ctx.transaction ? { transaction: ctx.transaction } : {}), callVcf: caller },
        { patientId, files: [{ name: input.fileName, bytes: await readAll(input) }], ...(cyp2d6FromVcf ? { cyp2d6FromVcf } : {}), authorDisplay: 'importer pgx.result' },
      );
      const notCalled = outcome.genes.filter((g) => g.diplotypes.length === 0 && g.phenotype === 'Indeterminate').map((g) => g.gene);
      return {
        created: outcome.written - outcome.superseded.length,
        updated: outcome.superseded.length,
        skipped: outcome.status === 'unchanged' ? 1 : 0,
        issues: [
          ...(outcome.status === 'unchanged' ? [{ severity: 'information' as const, message: `already stored as DiagnosticReport/${outcome.reportId}` }] : []),
          ...(notCalled.length > 0 ? [{ severity: 'warning' as const, message: `not called: ${notCalled.join(', ')}` }] : []),
          ...outcome.warnings.map((w) => ({ severity: 'warning' as const, message: w.message })),
        ],
      };
    },
  };
}

/** Builds the module over a VCF caller (tests may inject one). */
export function createPgxModule(options: { callVcf?: VcfCaller } = {}): Module {
  const caller = options.callVcf ?? callVcf;
  return {
    name: 'pgx',
    importers: [pgxImporter(caller)],
    fhirOperations: (ctx) => [pgxImportOperation(ctx, caller)],
    async routes(app: FastifyInstance, ctx: PgxContext) {
      // Uploads are files, not JSON: every body arrives as a Buffer (this scope only).
      app.removeAllContentTypeParsers();
      app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

      /**
       * `POST /pgx/patients/{id}/results[?sample=S&filename=F&cyp2d6FromVcf=true]`: runs the engine and stores the result
       * (201, or 200 when already stored). `cyp2d6FromVcf=true` calls CYP2D6 from the VCF too (no copy number; 400 without a VCF).
       */
      app.post('/patients/:id/results', async (request, reply) => {
        const patientId = patientParam(request);
        await authorize(ctx, request, { action: 'create', resourceType: 'DiagnosticReport', patientId });
        const query = request.query as Record<string, unknown>;
        const sample = query.sample;
        const cyp2d6FromVcf = parseBooleanOption(CYP2D6_FROM_VCF, query[CYP2D6_FROM_VCF]);
        const outcome = await importPgxResult(
          { store: ctx.store, ...(ctx.transaction ? { transaction: ctx.transaction } : {}), callVcf: caller },
          { patientId, files: uploadedFiles(request), ...(typeof sample === 'string' && sample ? { sample } : {}), ...(cyp2d6FromVcf ? { cyp2d6FromVcf } : {}), actor: actorOf(request), authorDisplay: request.principal?.subject ?? 'anonymous' },
        );
        return reply.code(outcome.status === 'created' ? 201 : 200).send(outcome);
      });

      /** `GET /pgx/patients/{id}/summary`: current results per gene and guidance per drug, read from the stored FHIR resources. */
      app.get('/patients/:id/summary', async (request) => {
        const patientId = patientParam(request);
        await authorize(ctx, request, { action: 'read', resourceType: 'Observation', patientId });
        await ctx.store.read('Patient', patientId);
        const access = ctx.access;
        const principal = request.principal;
        if (!access || !principal) return readPgxSummary(ctx.store, patientId);
        // The patient's consent may withhold genomic data (labelled reports): decided per stored report, audited.
        let denied: string | undefined;
        const summary = await readPgxSummary(ctx.store, patientId, {
          mayRead: async (report) => {
            const d = await access.decide(principal, { action: 'read', resourceType: 'DiagnosticReport', resource: report as unknown as AccessRequest['resource'] });
            if (!d.allowed) denied ??= d.reason;
            return d.allowed;
          },
        });
        if (denied && summary.reports.length === 0) throw new FlauraError('FORBIDDEN', 403, `Access denied: ${denied}`, { type: 'forbidden' });
        return summary;
      });
    },
  };
}

export const pgxModule: Module = createPgxModule();
