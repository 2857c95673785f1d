// What a client is granted: the requested scopes narrowed by the client's registration and the user's situation.
import type { Role } from '../principal.ts';
import type { OAuthClient } from './clients.ts';
import { formatGrant, parseScopes, type ParsedScopes } from './scopes.ts';

type Permission = 'c' | 'r' | 'u' | 'd' | 's';

export interface GrantContext {
  /** `system` for backend services; otherwise the signed-in user's role. */
  role: Role;
  /** A patient is in context (patient user, launch, or picked): patient/ scopes make sense. */
  hasPatient: boolean;
}

/**
 * Narrows `requested` to what `client` may ask for and what fits the context: backend clients get system/ scopes only,
 * patient users patient/ scopes only, staff user/ scopes and patient/ scopes when a patient is in context. Returns the
 * granted scope string in SMART v2 form (v1 requests come back in v2 syntax).
 */
export function grantedScope(requested: ParsedScopes, client: OAuthClient, context: GrantContext): string {
  const allowed = parseScopes(client.scope);
  const allowedTokens = new Set(allowed.tokens);
  const out: string[] = [];
  for (const token of requested.tokens) {
    if (!/^(patient|user|system)\//.test(token)) {
      if (!allowedTokens.has(token)) continue;
      if (token === 'launch/patient' && !context.hasPatient) continue;
      if (context.role === 'system') continue; // backend services get resource scopes only
      out.push(token);
    }
  }
  for (const grant of requested.grants) {
    if (context.role === 'system' ? grant.context !== 'system' : grant.context === 'system') continue;
    if (grant.context === 'patient' && !context.hasPatient) continue;
    if (grant.context === 'user' && context.role === 'patient') continue;
    const permitted = new Set<Permission>();
    for (const a of allowed.grants) {
      if (a.context !== grant.context || (a.resourceType !== '*' && a.resourceType !== grant.resourceType)) continue;
      if (a.restrictions.length > 0) continue; // a restricted registration only grants that exact restriction (below)
      for (const p of a.permissions) permitted.add(p);
    }
    const exact = allowed.grants.find((a) => a.context === grant.context && a.resourceType === grant.resourceType && JSON.stringify(a.restrictions) === JSON.stringify(grant.restrictions));
    for (const p of exact?.permissions ?? []) permitted.add(p);
    const permissions = new Set([...grant.permissions].filter((p) => permitted.has(p)));
    if (permissions.size === 0) continue;
    out.push(formatGrant({ ...grant, permissions }));
  }
  return [...new Set(out)].join(' ');
}

/** True when every token of `narrower` is in `wider` (refresh with a smaller scope). */
export function isSubScope(narrower: string, wider: string): boolean {
  const w = new Set(wider.split(' ').filter(Boolean));
  return narrower.split(' ').filter(Boolean).every((t) => w.has(t));
}
