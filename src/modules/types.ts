// The Module interface: the one shape every feature (Lego block) plugs into Flaura with.
import type { FastifyInstance } from 'fastify';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { Db, Migration } from '../db/index.ts';
import type { EventHandler, EventLog } from '../events/index.ts';
import type { FhirStore, RequestActor } from '../fhir/store/types.ts';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { AccessControl, Principal } from '../security/principal.ts';
import type { AuditRecorder } from '../security/audit/trail.ts';

/** What a module receives: shared services, never another module's internals. */
export interface ModuleContext {
  db: Db;
  store: FhirStore;
  events: EventLog;
  config: Readonly<Record<string, unknown>>;
  log: Logger;
  /**
   * Verifies a Flaura access token (the `Authorization` header value) for routes that opt out of the global hook
   * with `config: { auth: 'custom' }`; throws a 401 FlauraError when it is missing or invalid.
   */
  auth: { authenticate(header: string | undefined): Promise<Principal> };
  /**
   * The one access decision (scopes ∩ role ∩ patient compartment ∩ consent, break-the-glass) for module endpoints:
   * call it with `request.principal` before touching patient data; each decision is also recorded as an AuditEvent.
   */
  access: AccessControl;
  /** The audit trail: `audit.record({...})` queues an AuditEvent (no I/O on the request path). */
  audit: AuditRecorder;
  /**
   * Runs a FHIR `transaction` (or `batch`) Bundle exactly as `POST /fhir` would (urn:uuid references, If-None-Exist,
   * If-Match, validation, events), as one database transaction; returns the response Bundle. Trusted in-process call:
   * check access before calling it.
   */
  transaction?: (bundle: Bundle, actor?: RequestActor) => Promise<Bundle>;
}

/** CDS Hooks service (CDS Hooks 2.0 §Discovery); the handler returns the response's cards. */
export interface CdsService {
  /** Unique across modules; the URL segment `/cds-services/{id}`. */
  id: string;
  /** Hook name, e.g. `patient-view`, `order-select`, `order-sign`. */
  hook: string;
  title?: string;
  description: string;
  /** Prefetch templates by key, e.g. `{ patient: 'Patient/{{context.patientId}}' }`. */
  prefetch?: Record<string, string>;
  handler: (request: CdsRequest, ctx: ModuleContext) => Promise<CdsResponse>;
}

/** The hook call (CDS Hooks 2.0 §HTTP Request). */
export interface CdsRequest {
  hook: string;
  hookInstance: string;
  fhirServer?: string;
  context: Record<string, unknown>;
  prefetch?: Record<string, unknown>;
}

/** The hook response (CDS Hooks 2.0 §CDS Service Response). */
export interface CdsResponse {
  cards: CdsCard[];
  systemActions?: unknown[];
}

export interface CdsCard {
  uuid?: string;
  summary: string;
  detail?: string;
  indicator: 'info' | 'warning' | 'critical';
  source: { label: string; url?: string; topic?: unknown };
  suggestions?: unknown[];
  selectionBehavior?: 'at-most-one' | 'any';
  links?: { label: string; url: string; type: 'absolute' | 'smart'; appContext?: string }[];
}

/** One importable file as given to an importer. */
export interface ImportInput {
  fileName: string;
  mimeType?: string;
  /** Opens the content as a stream; may be called more than once. */
  open: () => NodeJS.ReadableStream;
}

/** What an import did, for the CLI and the API. */
export interface ImportSummary {
  created: number;
  updated: number;
  skipped: number;
  issues: { severity: 'error' | 'warning' | 'information'; message: string; location?: string }[];
}

/** A data importer (e.g. Apple Health export, VCF, FHIR bundle). */
export interface Importer {
  /** Unique across modules, e.g. `wearables.apple-health`. */
  id: string;
  description: string;
  /** True when this importer understands the file (by name and/or MIME type). */
  accepts: (file: { fileName: string; mimeType?: string }) => boolean;
  run: (ctx: ModuleContext, input: ImportInput, options: Readonly<Record<string, unknown>>) => Promise<ImportSummary>;
}

/**
 * A FHIR operation a module adds to the FHIR API, e.g. `POST /fhir/Patient/{id}/$pgx-import`. The core's access
 * guard and audit trail see it like any operation; the handler asks `ctx.access` for what it touches.
 */
export interface ModuleFhirOperation {
  /** Without the `$`. */
  name: string;
  resourceType: string;
  /** Invoked on an instance (`Patient/{id}/$name`) rather than the type. */
  instance: boolean;
  methods: readonly ('GET' | 'POST')[];
  handler(call: { id?: string; body: unknown; query: readonly [string, string][]; baseUrl: string; principal?: Principal; actor?: RequestActor }): Promise<{ status: number; headers?: Record<string, string>; body: Resource }>;
}

/** A feature of Flaura. Everything but `name` is optional. */
export interface Module {
  /** Lower-case letters, digits and `-`, starting with a letter; also its route prefix `/<name>`. */
  name: string;
  /** Applied after the core migrations; ids should start with `<name>/`. */
  migrations?: Migration[];
  /** Registered as an encapsulated Fastify plugin under `/<name>`. */
  routes?: (app: FastifyInstance, ctx: ModuleContext) => Promise<void> | void;
  /** Topic pattern -> handler; each pattern is its own consumer `module:<name>:<pattern>` with its own offset. */
  onEvent?: Record<string, EventHandler>;
  cdsServices?: CdsService[];
  /** FHIR operations this module adds under `/fhir`. */
  fhirOperations?: (ctx: ModuleContext) => ModuleFhirOperation[];
  importers?: Importer[];
  cli?: (program: Command, ctx: () => Promise<ModuleContext>) => void;
}
