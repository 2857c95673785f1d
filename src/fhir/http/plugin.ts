// The Fastify adapter of the FHIR REST API: HTTP in, FhirRequest to the dispatcher, OperationOutcome out on errors.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Resource } from '@medplum/fhirtypes';
import { FlauraError } from '../../errors.ts';
import { outcomeForError } from '../outcomes.ts';
import type { FhirRouter } from '../rest/router.ts';
import type { FhirRequest, HttpMethod } from '../rest/types.ts';
import type { RequestActor } from '../store/types.ts';

export const FHIR_JSON = 'application/fhir+json';

export interface FhirHttpOptions {
  router: FhirRouter;
  /** Mount point of the FHIR base, e.g. `/fhir`. */
  prefix: string;
  /** Public base URL when behind a proxy; otherwise derived from the request's Host. */
  publicBaseUrl?: string;
  /** Who is calling (filled by the security layer). */
  actorOf?: (request: FastifyRequest) => RequestActor | undefined;
}

const BODY_TYPES = ['application/fhir+json', 'application/json', 'application/json+fhir', 'application/json-patch+json'];

/** Maps Fastify's own errors (body parsing, size, media type) onto FlauraError, so every error is an OperationOutcome. */
export function toFlauraError(err: unknown): unknown {
  if (err instanceof FlauraError) return err;
  const e = err as { code?: string; statusCode?: number; message?: string };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new FlauraError('BODY_TOO_LARGE', 413, 'The request body is larger than this server accepts', { type: 'too-costly' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new FlauraError('UNSUPPORTED_MEDIA_TYPE', 415, `Unsupported Content-Type; send ${FHIR_JSON}`, { type: 'not-supported' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new FlauraError('BODY_REQUIRED', 400, 'The request body is empty', { type: 'structure' });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new FlauraError('INVALID_JSON', 400, `The request body is not valid JSON: ${e.message ?? ''}`, { type: 'structure' });
  }
  if (err instanceof SyntaxError || (e.statusCode === 400 && typeof e.message === 'string')) {
    return new FlauraError('INVALID_JSON', 400, `The request body is not valid JSON: ${e.message}`, { type: 'structure' });
  }
  return err;
}

export function sendError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const { status, outcome, headers, expected } = outcomeForError(toFlauraError(err));
  if (!expected) request.log.error({ err }, 'unexpected error');
  else if (status >= 500) request.log.warn({ err }, 'request failed');
  return reply.code(status).headers(headers).type(FHIR_JSON).send(outcome);
}

function baseUrlOf(request: FastifyRequest, options: FhirHttpOptions): string {
  if (options.publicBaseUrl) return options.publicBaseUrl.replace(/\/$/, '');
  return `${request.protocol}://${request.host}${options.prefix}`;
}

function headerMap(request: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(request.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Registers the FHIR API under `options.prefix`. */
export async function fhirHttpPlugin(app: FastifyInstance, options: FhirHttpOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(BODY_TYPES, { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new FlauraError('INVALID_JSON', 400, `The request body is not valid JSON: ${(err as Error).message}`, { type: 'structure' }), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, new URLSearchParams(body as string));
  });

  app.setErrorHandler((err, request, reply) => sendError(request, reply, err));
  app.setNotFoundHandler((request, reply) => sendError(request, reply, new FlauraError('NOT_FOUND', 404, `No FHIR endpoint at ${request.url}`)));

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const url = new URL(request.url, 'http://x');
    let path = url.pathname.slice(options.prefix.length).replace(/^\/+/, '');
    path = path.replace(/\/+$/, '');
    const query = [...url.searchParams.entries()];
    let body = request.body;
    // POST _search sends its parameters as a form body (R4 http.html#search): they join the query.
    if (body instanceof URLSearchParams) {
      query.push(...body.entries());
      body = undefined;
    }
    const contentType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    const fhirRequest: FhirRequest = {
      method: request.method as HttpMethod,
      path,
      query,
      headers: headerMap(request),
      body,
      contentType,
      baseUrl: baseUrlOf(request, options),
      actor: options.actorOf?.(request),
      // Set by the authentication hook; absent only for the public discovery endpoints.
      ...(request.principal ? { principal: request.principal } : {}),
    };
    const response = await options.router.handle(fhirRequest);
    reply.code(response.status).headers(response.headers);
    if (response.body === undefined) return reply.send();
    const body2: Resource = response.body;
    return reply.type(`${FHIR_JSON}; charset=utf-8`).send(request.method === 'HEAD' ? undefined : body2);
  };

  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/', handler, exposeHeadRoute: false });
  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/*', handler, exposeHeadRoute: false });
}
