// The CDS Hooks 2.0 module: discovery at `GET /cds-services`, the PGx/interaction services, feedback, and the
// registry of outside-EHR clients. Routes authenticate callers themselves (`config: { auth: 'custom' }`).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RequestActor } from '../../fhir/store/types.ts';
import type { AccessRequest } from '../../security/principal.ts';
import { FlauraError } from '../../errors.ts';
import type { Module, ModuleContext } from '../types.ts';
import { authenticateCaller, checkAdmin, checkPatientAccess, registerClient, type CdsCaller } from './auth.ts';
import { loadCdsConfig, type CdsConfig } from './config.ts';
import { evaluate } from './engine.ts';
import { recordFeedback } from './feedback.ts';
import { visibleContext } from './consent-filter.ts';
import { PatientContextCache } from './context-cache.ts';
import { CardRecorder, type PatientMemory } from './memory.ts';
import { cdsMigrations } from './migrations.ts';
import { loadPatientData, nothingPrefetched, ownersOf, PREFETCH, remoteFetcher, storeFetcher, type Fetcher, type PatientData } from './patient-data.ts';
import { parseHookRequest } from './request.ts';
import { medicationUse } from './medications.ts';
import { guidanceGenes } from './rules/gene-drug.ts';
import { drugExplanation } from './rules/patient-words.ts';

export interface ServiceDefinition {
  id: string;
  hook: 'order-select' | 'order-sign' | 'patient-view';
  title: string;
  description: string;
}

export const SERVICES: readonly ServiceDefinition[] = [
  { id: 'flaura-pgx-order-select', hook: 'order-select', title: 'Flaura pharmacogenomic and interaction check (order select)', description: 'Checks selected draft medication orders against the patient\'s stored pharmacogenomic results (CPIC/DPWG), phenoconversion by co-medication, drug–drug interactions (HL7 PDDI IG) and missing gene tests.' },
  { id: 'flaura-pgx-order-sign', hook: 'order-sign', title: 'Flaura pharmacogenomic and interaction check (order sign)', description: 'Checks every draft medication order before signing: gene–drug (CPIC/DPWG), drug–drug–gene phenoconversion, drug–drug interactions (HL7 PDDI IG) and missing gene tests.' },
  { id: 'flaura-pgx-patient-view', hook: 'patient-view', title: 'Flaura pharmacogenomic medication review', description: 'Reviews the patient\'s active prescriptions against their stored pharmacogenomic results and co-medication.' },
];

/** The URL the client called this service at: the `aud` its JWT must carry. */
function serviceUrl(ctx: ModuleContext, request: FastifyRequest, id: string): string {
  const publicUrl = ctx.config.publicUrl;
  const root = typeof publicUrl === 'string' && publicUrl ? publicUrl.replace(/\/+$/, '') : `${request.protocol}://${request.headers.host ?? 'localhost'}`;
  return `${root}/cds-services/${id}`;
}

function actorOf(request: FastifyRequest, caller: CdsCaller): RequestActor {
  if (caller.kind === 'flaura') {
    const p = caller.principal;
    return { ...(p.fhirUser ? { reference: p.fhirUser } : {}), ...(p.clientId ? { clientId: p.clientId } : {}), role: p.role, purpose: p.purposeOfUse, ip: request.ip, requestId: request.id };
  }
  return { clientId: caller.iss, role: 'system', ip: request.ip, requestId: request.id };
}

/** Flaura callers read Flaura's store; outside EHRs are read through their FHIR server with the token they gave. */
function fetcherFor(ctx: ModuleContext, caller: CdsCaller, request: ReturnType<typeof parseHookRequest>, config: CdsConfig): Fetcher {
  if (caller.kind === 'flaura') return storeFetcher(ctx.store);
  if (request.fhirServer && request.fhirAuthorization) return remoteFetcher(request.fhirServer, request.fhirAuthorization.access_token, config.fetchTimeoutMs);
  return async (query) => {
    throw new FlauraError('CDS_PREFETCH_MISSING', 412, `the prefetch lacks '${query.split('?')[0] ?? ''}' and the request gives no fhirServer with fhirAuthorization to fetch it`, { type: 'incomplete' });
  };
}

async function routes(app: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const config = loadCdsConfig(ctx.config);
  const custom = { config: { auth: 'custom' as const } };
  const recorder = new CardRecorder(ctx.db, (err) => ctx.log.error({ err }, 'CDS card records could not be written'));
  app.addHook('onClose', async () => recorder.flush());
  const store = storeFetcher(ctx.store);
  const contexts = new PatientContextCache(ctx.db, (changed) => ownersOf(store, changed));
  const authenticate = (request: FastifyRequest, id: string) => authenticateCaller(ctx.db, ctx.auth, request.headers.authorization, serviceUrl(ctx, request, id), config);

  /** Discovery (CDS Hooks 2.0 §Discovery): public, lists no patient data. */
  app.get('/', custom, async () => ({
    services: SERVICES.map((s) => ({ hook: s.hook, title: s.title, description: s.description, id: s.id, prefetch: PREFETCH, usageRequirements: 'Authenticate with a CDS client JWT (ES384/RS384, registered issuer) or a Flaura access token with read access to Observation and MedicationRequest.' })),
  }));

  for (const service of SERVICES) {
    app.post(`/${service.id}`, custom, async (request) => {
      const caller = await authenticate(request, service.id);
      const hook = parseHookRequest(request.body, service.hook);
      checkPatientAccess(caller, hook.patientId);
      let patient: PatientData;
      let memory: PatientMemory;
      if (config.cacheContexts && caller.kind === 'flaura' && nothingPrefetched(hook)) {
        // Flaura's own store: the patient's context comes from the cache while no change of theirs was committed.
        const start = await contexts.start(hook.patientId);
        memory = start.memory;
        patient = start.cached ?? (await loadPatientData(hook, store));
        if (!start.cached) contexts.put(hook.patientId, start.seq, patient, patient.resources);
      } else {
        // Prefetch or the client's FHIR server: read alongside the module's own memory, not cached.
        const [data, start] = await Promise.all([loadPatientData(hook, fetcherFor(ctx, caller, hook, config)), contexts.start(hook.patientId)]);
        patient = data;
        memory = start.memory;
      }
      if (caller.kind === 'flaura') {
        // Consent applies as on a FHIR read: each resource of the context is decided for this caller (audited).
        const principal = caller.principal;
        const drugs = hook.hook === 'patient-view' ? patient.medications.flatMap((m) => m.ingredients) : hook.drafts.flatMap((d) => medicationUse(d, 'draft').ingredients);
        const genes = new Set(drugs.flatMap(guidanceGenes));
        patient = await visibleContext(patient, async (resource) => (await ctx.access.decide(principal, { action: 'read', resourceType: resource.resourceType, resource: resource as unknown as AccessRequest['resource'] })).allowed, genes);
      }
      const root = serviceUrl(ctx, request, service.id).replace(/\/cds-services\/.*$/, '');
      const cards = await evaluate(ctx.db, recorder, { serviceId: service.id, request: hook, patient, config, explanationUrl: (drug) => `${root}/cds-services/explanations/${encodeURIComponent(drug)}` }, memory);
      return { cards };
    });

    app.post(`/${service.id}/feedback`, custom, async (request) => {
      const caller = await authenticate(request, service.id);
      await recorder.flush(); // cards sent a moment ago are written before they are looked up
      const results = await recordFeedback(ctx.db, ctx.store, service.id, request.body, caller, (patientId) => checkPatientAccess(caller, patientId), actorOf(request, caller));
      return { recorded: results };
    });
  }

  /** Plain-language explanation of why a drug is checked against genes (no patient data: cards link here). */
  app.get('/explanations/:drug', custom, async (request, reply) => {
    const text = drugExplanation(decodeURIComponent((request.params as { drug: string }).drug).toLowerCase());
    if (!text) throw new FlauraError('CDS_DRUG_UNKNOWN', 404, 'no pharmacogenomic guidance is known for this drug', { type: 'not-found' });
    return reply.type('text/markdown; charset=utf-8').send(text);
  });

  /** Registers an outside EHR (administrators): `{ iss, name, jwks | jwks_url, tenant? }`. */
  app.post('/clients', custom, async (request, reply) => {
    const caller = await authenticate(request, 'clients');
    checkAdmin(caller);
    const b = (request.body ?? {}) as Record<string, unknown>;
    if (typeof b.iss !== 'string' || typeof b.name !== 'string') throw new FlauraError('CDS_CLIENT_INVALID', 400, '`iss` and `name` are required');
    await registerClient(ctx.db, {
      iss: b.iss,
      name: b.name,
      ...(b.jwks !== undefined ? { jwks: b.jwks as never } : {}),
      ...(typeof b.jwks_url === 'string' ? { jwksUrl: b.jwks_url } : {}),
      ...(typeof b.tenant === 'string' ? { tenant: b.tenant } : {}),
    });
    return reply.code(201).send({ iss: b.iss, registered: true });
  });
}

export const cdsHooksModule: Module = { name: 'cds-services', migrations: [...cdsMigrations], routes };
