// `POST /fhir/Patient/{id}/$pgx-import`: the FHIR-native door to the same storage path as `POST /pgx/patients/{id}/results`.
// Input is a `Parameters` resource (files as base64 attachments, options as typed values) or a single `Binary` (options
// then as URL parameters, the only place they can go); output is the stored DiagnosticReport.
import type { Attachment, Binary, DiagnosticReport, Parameters } from '@medplum/fhirtypes';
import { FlauraError } from '../../errors.ts';
import type { ModuleContext, ModuleFhirOperation } from '../types.ts';
import type { VcfCaller } from './pipeline.ts';
import { CYP2D6_FROM_VCF, parseBooleanOption } from './storage/import-options.ts';
import { importPgxResult } from './storage/import-result.ts';
import type { UploadedFile } from './storage/input-files.ts';

/** Parameter names of the operation (documented in docs/pgx-report.md). */
const FILE_PARAMETERS = ['vcf', 'outsideCalls', 'bed'] as const;

function badInput(message: string): FlauraError {
  return new FlauraError('PGX_IMPORT_BAD_PARAMETERS', 400, message, { type: 'invalid' });
}

function fileFromAttachment(name: string, attachment: Attachment | undefined): UploadedFile {
  if (!attachment?.data) throw badInput(`parameter '${name}' needs a valueAttachment with base64 data (attachment.url is not fetched)`);
  const bytes = Buffer.from(attachment.data, 'base64');
  if (bytes.length === 0) throw badInput(`parameter '${name}' has empty data`);
  // The storage path tells a BED from a VCF by its name; give each part a name that says what it is.
  const fallback = name === 'bed' ? 'assayed.bed' : name === 'vcf' ? 'upload.vcf' : 'outside-calls.tsv';
  const title = attachment.title?.trim();
  return { name: name === 'bed' && !/\.bed$/i.test(title ?? '') ? fallback : (title || fallback), bytes };
}

/** `cyp2d6FromVcf` in a Parameters resource: a `valueBoolean` part, once. */
function booleanPart(p: NonNullable<Parameters['parameter']>[number], seen: boolean | undefined): boolean {
  if (seen !== undefined) throw badInput(`parameter '${p.name ?? ''}' is given more than once`);
  if (typeof p.valueBoolean !== 'boolean') {
    const given = Object.keys(p).find((k) => k.startsWith('value')) ?? 'no value';
    throw badInput(`parameter '${p.name ?? ''}' needs a valueBoolean (true or false), not ${given}`);
  }
  return p.valueBoolean;
}

/** `?cyp2d6FromVcf=` on the URL: once, `true` or `false`. */
function queryOption(query: readonly (readonly [string, string])[], name: string): boolean | undefined {
  const values = query.filter(([k]) => k === name).map(([, v]) => v);
  return parseBooleanOption(name, values.length > 1 ? values : values[0]);
}

/** The uploaded files and options of one call; `query` holds the URL parameters (options of a Binary body). */
export function readImportBody(body: unknown, query: readonly (readonly [string, string])[] = []): { files: UploadedFile[]; sample?: string; cyp2d6FromVcf?: boolean } {
  const resource = body as { resourceType?: unknown } | undefined;
  const fromUrl = queryOption(query, CYP2D6_FROM_VCF);
  if (resource?.resourceType === 'Binary') {
    const binary = body as Binary;
    if (!binary.data) throw badInput('the Binary has no data');
    return { files: [{ name: binary.contentType === 'text/x-bed' ? 'assayed.bed' : 'upload', bytes: Buffer.from(binary.data, 'base64') }], ...(fromUrl !== undefined ? { cyp2d6FromVcf: fromUrl } : {}) };
  }
  if (resource?.resourceType !== 'Parameters') throw badInput(`$pgx-import takes a Parameters resource (vcf, outsideCalls, bed as valueAttachment; sample as valueString; ${CYP2D6_FROM_VCF} as valueBoolean) or a Binary`);
  const parameters = (body as Parameters).parameter ?? [];
  const files: UploadedFile[] = [];
  let sample: string | undefined;
  let cyp2d6FromVcf: boolean | undefined;
  for (const p of parameters) {
    if ((FILE_PARAMETERS as readonly string[]).includes(p.name ?? '')) files.push(fileFromAttachment(p.name!, p.valueAttachment));
    else if (p.name === 'sample') sample = p.valueString;
    else if (p.name === CYP2D6_FROM_VCF) cyp2d6FromVcf = booleanPart(p, cyp2d6FromVcf);
    else throw badInput(`unknown parameter '${p.name ?? ''}' (known: ${[...FILE_PARAMETERS, 'sample', CYP2D6_FROM_VCF].join(', ')})`);
  }
  if (files.length === 0) throw badInput('no file given: add a vcf and/or outsideCalls parameter');
  if (fromUrl !== undefined && cyp2d6FromVcf !== undefined && fromUrl !== cyp2d6FromVcf) throw badInput(`${CYP2D6_FROM_VCF} is ${String(cyp2d6FromVcf)} in the Parameters but ${String(fromUrl)} on the URL`);
  const optIn = cyp2d6FromVcf ?? fromUrl;
  return { files, ...(sample ? { sample } : {}), ...(optIn !== undefined ? { cyp2d6FromVcf: optIn } : {}) };
}

export function pgxImportOperation(ctx: ModuleContext, caller: VcfCaller): ModuleFhirOperation {
  return {
    name: 'pgx-import',
    resourceType: 'Patient',
    instance: true,
    methods: ['POST'],
    async handler(call) {
      const patientId = call.id!;
      if (call.principal) {
        const decision = await ctx.access.decide(call.principal, { action: 'create', resourceType: 'DiagnosticReport', patientId });
        if (!decision.allowed) throw new FlauraError('FORBIDDEN', 403, decision.reason, { type: 'forbidden' });
      }
      const { files, sample, cyp2d6FromVcf } = readImportBody(call.body, call.query);
      const outcome = await importPgxResult(
        { store: ctx.store, ...(ctx.transaction ? { transaction: ctx.transaction } : {}), callVcf: caller },
        { patientId, files, ...(sample ? { sample } : {}), ...(cyp2d6FromVcf ? { cyp2d6FromVcf } : {}), ...(call.actor ? { actor: call.actor } : {}), authorDisplay: call.principal?.subject ?? 'in-process call' },
      );
      const report = await ctx.store.read<DiagnosticReport>('DiagnosticReport', outcome.reportId);
      return {
        status: outcome.status === 'created' ? 201 : 200,
        headers: { location: `${call.baseUrl}/DiagnosticReport/${outcome.reportId}/_history/${report.versionId}` },
        body: report.resource,
      };
    },
  };
}
