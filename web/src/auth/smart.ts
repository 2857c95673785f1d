// SMART App Launch (standalone, public client): authorization code + PKCE S256 against Flaura's own authorization
// server, through oauth4webapi. Endpoints come from /.well-known/smart-configuration, never hard-coded.
import * as oauth from 'oauth4webapi';
import { clearSession, saveSession, type Session } from './session.ts';

export const CLIENT_ID = 'flaura-web';
/**
 * What the app asks for; the server grants the part the user's role allows (a patient gets their own compartment,
 * staff get what their role permits). No `openid`: the SMART token response carries `fhirUser` and `patient`.
 */
export const REQUESTED_SCOPE = 'fhirUser offline_access user/*.cruds patient/*.cruds';

const PENDING_KEY = 'flaura.pendingLogin';
const client: oauth.Client = { client_id: CLIENT_ID };
const clientAuth = oauth.None();

interface SmartConfiguration {
  issuer?: string;
  authorization_endpoint: string;
  token_endpoint: string;
  revocation_endpoint?: string;
  code_challenge_methods_supported?: string[];
}

let serverPromise: Promise<oauth.AuthorizationServer> | undefined;

/** Reads the SMART configuration once per page load. */
export function authorizationServer(): Promise<oauth.AuthorizationServer> {
  serverPromise ??= (async () => {
    // SMART App Launch 2: the document lives at the FHIR base; the server root is tried too.
    let res = await fetch('/fhir/.well-known/smart-configuration', { headers: { accept: 'application/json' } });
    if (!res.ok) res = await fetch('/.well-known/smart-configuration', { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`The sign-in service is not available (${res.status})`);
    const conf = (await res.json()) as SmartConfiguration;
    if (conf.code_challenge_methods_supported && !conf.code_challenge_methods_supported.includes('S256')) {
      throw new Error('The authorization server does not offer PKCE S256');
    }
    return {
      issuer: conf.issuer ?? window.location.origin,
      authorization_endpoint: new URL(conf.authorization_endpoint, window.location.origin).href,
      token_endpoint: new URL(conf.token_endpoint, window.location.origin).href,
      ...(conf.revocation_endpoint ? { revocation_endpoint: new URL(conf.revocation_endpoint, window.location.origin).href } : {}),
    };
  })();
  serverPromise.catch(() => (serverPromise = undefined));
  return serverPromise;
}

export function redirectUri(): string {
  return `${window.location.origin}/callback`;
}

/** Plain HTTP is allowed only on this machine (the demo); anything else must be HTTPS. */
function requestOptions(): { [oauth.allowInsecureRequests]?: boolean } {
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(window.location.hostname);
  return local && window.location.protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {};
}

/** Starts sign-in: remembers the PKCE verifier and state for this tab, then goes to the authorization page. */
export async function beginSignIn(returnTo = '/'): Promise<void> {
  const as = await authorizationServer();
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, returnTo }));
  const url = new URL(as.authorization_endpoint!);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', CLIENT_ID);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('scope', REQUESTED_SCOPE);
  url.searchParams.set('state', state);
  url.searchParams.set('aud', `${window.location.origin}/fhir`);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  window.location.assign(url.href);
}

function toSession(result: oauth.TokenEndpointResponse): Session {
  const str = (k: string) => (typeof result[k] === 'string' ? (result[k] as string) : undefined);
  return {
    accessToken: result.access_token,
    refreshToken: result.refresh_token,
    expiresAt: Date.now() + (result.expires_in ?? 300) * 1000,
    scope: result.scope ?? '',
    patient: str('patient'),
    fhirUser: str('fhirUser'),
  };
}

/** Finishes sign-in on /callback: checks state, swaps the code (with the PKCE verifier) for tokens. */
export async function completeSignIn(currentUrl: URL): Promise<{ session: Session; returnTo: string }> {
  const pendingText = sessionStorage.getItem(PENDING_KEY);
  if (!pendingText) throw new Error('This sign-in link was not started in this browser tab. Please sign in again.');
  sessionStorage.removeItem(PENDING_KEY);
  const pending = JSON.parse(pendingText) as { verifier: string; state: string; returnTo: string };
  const as = await authorizationServer();
  const params = oauth.validateAuthResponse(as, client, currentUrl, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, redirectUri(), pending.verifier, requestOptions());
  const result = await oauth.processAuthorizationCodeResponse(as, client, response);
  const session = toSession(result);
  saveSession(session);
  return { session, returnTo: pending.returnTo };
}

/** Swaps the refresh token for a new access token (rotation: the new refresh token replaces the old). */
export async function refresh(session: Session): Promise<Session | undefined> {
  if (!session.refreshToken) return undefined;
  try {
    const as = await authorizationServer();
    const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth, session.refreshToken, requestOptions());
    const result = await oauth.processRefreshTokenResponse(as, client, response);
    const next = { ...toSession(result), patient: session.patient, fhirUser: session.fhirUser };
    if (!next.refreshToken) next.refreshToken = session.refreshToken;
    saveSession(next);
    return next;
  } catch {
    return undefined;
  }
}

/** Signs out: revokes the refresh token when the server offers revocation, then forgets the session. */
export async function signOut(session: Session | undefined): Promise<void> {
  clearSession();
  if (!session?.refreshToken) return;
  try {
    const as = await authorizationServer();
    if (as.revocation_endpoint) await oauth.revocationRequest(as, client, clientAuth, session.refreshToken, requestOptions());
  } catch {
    // Signing out locally already happened; a failed revocation only leaves a token that expires on its own.
  }
}
