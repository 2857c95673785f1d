// SMART App Launch 2.x scopes (and the v1 forms still in the wild) parsed into ScopeGrants plus launch/identity flags.
// Grammar (SMART 2.x "Scopes for requesting FHIR resources"):
//   ( 'patient' | 'user' | 'system' ) '/' ( ResourceType | '*' ) '.' ( 'c'? 'r'? 'u'? 'd'? 's'? | 'read' | 'write' | '*' ) [ '?' query ]
// v2 permission letters must appear in that order, each at most once; the query restricts the grant like a search.
import { FlauraError } from '../../errors.ts';
import type { ScopeGrant } from '../principal.ts';

type Permission = 'c' | 'r' | 'u' | 'd' | 's';

/** A scope string split into resource grants and the non-resource scopes a SMART server recognises. */
export interface ParsedScopes {
  grants: ScopeGrant[];
  /** OpenID Connect: an `id_token` is issued. */
  openid: boolean;
  /** `fhirUser` (or v1 `profile`): the token response and id_token name the user's FHIR resource. */
  fhirUser: boolean;
  /** EHR launch: the `launch` parameter carries the context. */
  launch: boolean;
  /** Standalone launch asks for a patient in context. */
  launchPatient: boolean;
  launchEncounter: boolean;
  /** A refresh token that outlives the user's session. */
  offlineAccess: boolean;
  /** A refresh token valid while the user is online. */
  onlineAccess: boolean;
  /** Every recognised scope token, in the order given, de-duplicated (what the server grants back). */
  tokens: string[];
}

const V2_ORDER: readonly Permission[] = ['c', 'r', 'u', 'd', 's'];
const V1_PERMISSIONS: Record<string, readonly Permission[]> = { read: ['r', 's'], write: ['c', 'u', 'd'], '*': ['c', 'r', 'u', 'd', 's'] };
const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/;

function invalid(scope: string, why: string): FlauraError {
  return new FlauraError('INVALID_SCOPE', 400, `Invalid scope '${scope}': ${why}`, { type: 'value' });
}

function parsePermissions(scope: string, text: string): Set<Permission> {
  const v1 = V1_PERMISSIONS[text];
  if (v1) return new Set(v1);
  if (text === '') throw invalid(scope, 'no permissions after the dot (v2: any of c, r, u, d, s in that order; v1: read, write or *)');
  let last = -1;
  const out = new Set<Permission>();
  for (const ch of text) {
    const at = V2_ORDER.indexOf(ch as Permission);
    if (at < 0) throw invalid(scope, `'${ch}' is not a permission (v2: c, r, u, d, s; v1: read, write, *)`);
    if (at <= last) throw invalid(scope, 'v2 permissions must appear once each, in the order c, r, u, d, s');
    last = at;
    out.add(ch as Permission);
  }
  return out;
}

function parseRestrictions(scope: string, query: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw invalid(scope, `restriction '${part}' is not name=value`);
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(part.slice(0, eq));
      value = decodeURIComponent(part.slice(eq + 1));
    } catch {
      throw invalid(scope, `restriction '${part}' is not valid percent-encoding`);
    }
    if (!/^[A-Za-z_][A-Za-z0-9_\-.:]*$/.test(name)) throw invalid(scope, `'${name}' is not a search parameter name`);
    if (value === '') throw invalid(scope, `restriction '${name}' has no value`);
    out.push([name, value]);
  }
  if (out.length === 0) throw invalid(scope, "a '?' must be followed by at least one name=value restriction");
  return out;
}

/** Parses one resource scope (`patient/Observation.rs?category=...`); throws INVALID_SCOPE when malformed. */
export function parseResourceScope(scope: string, isResourceType?: (name: string) => boolean): ScopeGrant {
  const slash = scope.indexOf('/');
  const context = scope.slice(0, slash);
  if (context !== 'patient' && context !== 'user' && context !== 'system') throw invalid(scope, "the context must be 'patient', 'user' or 'system'");
  const rest = scope.slice(slash + 1);
  const q = rest.indexOf('?');
  const head = q < 0 ? rest : rest.slice(0, q);
  const dot = head.indexOf('.');
  if (dot < 0) throw invalid(scope, "expected '<ResourceType>.<permissions>' after the context");
  const resourceType = head.slice(0, dot);
  if (resourceType !== '*' && (!RESOURCE_TYPE.test(resourceType) || (isResourceType && !isResourceType(resourceType)))) {
    throw invalid(scope, `'${resourceType}' is not a FHIR resource type or '*'`);
  }
  const permissions = parsePermissions(scope, head.slice(dot + 1));
  const restrictions = q < 0 ? [] : parseRestrictions(scope, rest.slice(q + 1));
  if (restrictions.length > 0 && resourceType === '*') throw invalid(scope, 'restrictions need a concrete resource type, not *');
  return { context, resourceType, permissions, restrictions };
}

/**
 * Parses a space-separated scope string. Unknown scopes are rejected (a client should learn it asked for something
 * this server does not grant) rather than silently dropped.
 */
export function parseScopes(scope: string, options: { isResourceType?: (name: string) => boolean } = {}): ParsedScopes {
  const parsed: ParsedScopes = {
    grants: [],
    openid: false,
    fhirUser: false,
    launch: false,
    launchPatient: false,
    launchEncounter: false,
    offlineAccess: false,
    onlineAccess: false,
    tokens: [],
  };
  const seen = new Set<string>();
  for (const token of scope.split(/[ \t\n]+/)) {
    if (token === '' || seen.has(token)) continue;
    seen.add(token);
    switch (token) {
      case 'openid': parsed.openid = true; break;
      case 'fhirUser': case 'profile': parsed.fhirUser = true; break;
      case 'launch': parsed.launch = true; break;
      case 'launch/patient': parsed.launchPatient = true; break;
      case 'launch/encounter': parsed.launchEncounter = true; break;
      case 'offline_access': parsed.offlineAccess = true; break;
      case 'online_access': parsed.onlineAccess = true; break;
      default:
        if (/^(patient|user|system)\//.test(token)) parsed.grants.push(parseResourceScope(token, options.isResourceType));
        else throw invalid(token, 'not a SMART scope this server knows (resource scopes, openid, fhirUser, launch, launch/patient, launch/encounter, offline_access, online_access)');
    }
    parsed.tokens.push(token);
  }
  return parsed;
}

/** Renders a grant in SMART v2 syntax (what Flaura puts in the granted `scope`). */
export function formatGrant(grant: ScopeGrant): string {
  const perms = V2_ORDER.filter((p) => grant.permissions.has(p)).join('');
  const query = grant.restrictions.map(([k, v]) => `${encodeURIComponent(k)}=${encodeRestrictionValue(v)}`).join('&');
  return `${grant.context}/${grant.resourceType}.${perms}${query ? `?${query}` : ''}`;
}

// Keeps the characters SMART examples show literally (`:`, `/`, `|`) readable.
function encodeRestrictionValue(value: string): string {
  return encodeURIComponent(value).replace(/%3A/gi, ':').replace(/%2F/gi, '/').replace(/%7C/gi, '|');
}

/** True when `grant` allows `permission` on `resourceType` (restrictions are checked by the access policy). */
export function grantAllows(grant: ScopeGrant, resourceType: string, permission: Permission): boolean {
  return (grant.resourceType === '*' || grant.resourceType === resourceType) && grant.permissions.has(permission);
}
