// The browser app served at `/` is a public SMART client (`flaura-web`); it is registered on every start so that its
// redirect URI follows the server's URL.
import type { ClientStore } from './clients.ts';

export const WEB_CLIENT_ID = 'flaura-web';
/** What the web app may be granted at most (the user's role and context narrow it further). */
export const WEB_CLIENT_SCOPE = 'openid fhirUser launch launch/patient offline_access online_access patient/*.cruds user/*.cruds';

/** `<root>/callback`, and on this machine the same under the other loopback name (localhost vs 127.0.0.1). */
export function webRedirectUris(root: string): string[] {
  const uris = [`${root}/callback`];
  const url = new URL(root);
  const alias = url.hostname === 'localhost' ? '127.0.0.1' : url.hostname === '127.0.0.1' ? 'localhost' : undefined;
  if (alias) {
    url.hostname = alias;
    uris.push(`${url.origin}/callback`);
  }
  return uris;
}

export async function registerWebClient(clients: ClientStore, root: string): Promise<void> {
  await clients.register({ clientId: WEB_CLIENT_ID, name: 'Flaura', type: 'public', redirectUris: webRedirectUris(root), scope: WEB_CLIENT_SCOPE }, { replace: true });
}
