// Resolves a FHIR request path + method to an interaction (R4 http.html), before any handler runs.
import { errors } from '../../errors.ts';
import type { FhirRequest, Interaction } from './types.ts';

export interface ResolvedRoute {
  interaction: Interaction;
  resourceType?: string;
  id?: string;
  versionId?: string;
  /** Operation name without `$`, for `operation`. */
  operation?: string;
  /** For compartment search: the compartment owner. */
  compartment?: { resourceType: 'Patient'; id: string };
}

/**
 * Maps method and path segments to an interaction. `isResourceType` keeps unknown types out (404),
 * and a known path with the wrong method is a 405.
 */
export function resolveRoute(req: Pick<FhirRequest, 'method' | 'path' | 'query'>, isResourceType: (name: string) => boolean): ResolvedRoute {
  const segments = req.path.split('/').filter((s) => s.length > 0).map(decodeURIComponent);
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const hasQuery = req.query.length > 0;
  const notAllowed = (what: string): never => {
    throw errors.notSupported('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${what}`);
  };
  const checkType = (t: string) => {
    if (!isResourceType(t)) throw errors.notFound(`Unknown resource type '${t}'`);
    return t;
  };
  const [a, b, c, d] = segments;

  if (segments.length === 0) {
    if (method === 'POST') return { interaction: 'batch' };
    if (method === 'GET') return { interaction: 'search-system' };
    return notAllowed('the FHIR base');
  }
  if (a!.startsWith('$')) return { interaction: 'operation', operation: a!.slice(1) };
  if (segments.length === 1) {
    if (a === 'metadata') return method === 'GET' ? { interaction: 'capabilities' } : notAllowed('metadata');
    if (a === '_history') return method === 'GET' ? { interaction: 'history-system' } : notAllowed('_history');
    if (a === '_search') return method === 'POST' ? { interaction: 'search-system' } : notAllowed('_search');
    const resourceType = checkType(a!);
    switch (method) {
      case 'GET': return { interaction: 'search-type', resourceType };
      case 'POST': return { interaction: 'create', resourceType };
      case 'PUT': return hasQuery ? { interaction: 'conditional-update', resourceType } : notAllowed(`${resourceType} without an id or search criteria`);
      case 'PATCH': return hasQuery ? { interaction: 'conditional-patch', resourceType } : notAllowed(`${resourceType} without an id or search criteria`);
      case 'DELETE': return hasQuery ? { interaction: 'conditional-delete', resourceType } : notAllowed(`${resourceType} without search criteria`);
    }
  }
  const resourceType = checkType(a!);
  if (segments.length === 2) {
    if (b === '_search') return method === 'POST' ? { interaction: 'search-type', resourceType } : notAllowed(`${resourceType}/_search`);
    if (b === '_history') return method === 'GET' ? { interaction: 'history-type', resourceType } : notAllowed(`${resourceType}/_history`);
    if (b!.startsWith('$')) return { interaction: 'operation', resourceType, operation: b!.slice(1) };
    const id = b!;
    switch (method) {
      case 'GET': return { interaction: 'read', resourceType, id };
      case 'PUT': return { interaction: 'update', resourceType, id };
      case 'PATCH': return { interaction: 'patch', resourceType, id };
      case 'DELETE': return { interaction: 'delete', resourceType, id };
      default: return notAllowed(`${resourceType}/${id}`);
    }
  }
  if (segments.length === 3) {
    if (c === '_history') return method === 'GET' ? { interaction: 'history-instance', resourceType, id: b } : notAllowed(`${resourceType}/${b}/_history`);
    if (c!.startsWith('$')) return { interaction: 'operation', resourceType, id: b, operation: c!.slice(1) };
    if (resourceType === 'Patient') {
      if (method !== 'GET' && !(method === 'POST' && c === '_search')) return notAllowed(`the compartment Patient/${b}`);
      return { interaction: 'search-compartment', resourceType: c === '*' ? undefined : checkType(c!), compartment: { resourceType: 'Patient', id: b! } };
    }
  }
  if (segments.length === 4 && c === '_history') {
    return method === 'GET' ? { interaction: 'vread', resourceType, id: b, versionId: d } : notAllowed(`${resourceType}/${b}/_history/${d}`);
  }
  throw errors.notFound(`No FHIR interaction at '${req.path}'`);
}
