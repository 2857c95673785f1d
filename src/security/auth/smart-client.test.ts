// A stock SMART client from npm (fhirclient, its Node adapter) completes a standalone launch against Flaura over real
// HTTP: discovery, authorization with PKCE, Flaura's sign-in page (filled in as a browser would), code exchange,
// then a FHIR read with the token it got.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import smart from 'fhirclient';
import { startTestServer, type TestServer } from '../../../test/test-server.ts';
import { testDbKind } from '../../../test/test-db.ts';

const PASSWORD = 'correct horse battery';

describe(`fhirclient standalone launch against Flaura on ${testDbKind}`, () => {
  let s: TestServer;
  let flauraUrl: string;
  let app: Server;
  let appUrl: string;
  // fhirclient keeps its launch state in the server-side session of the app (one browser here).
  const session: Record<string, unknown> = {};

  beforeAll(async () => {
    s = await startTestServer({ publicUrl: undefined });
    flauraUrl = await s.flaura.listen();
    expect((await s.fhir('PUT', 'Patient/smart-pat', { resourceType: 'Patient', id: 'smart-pat', name: [{ family: 'Launch', given: ['Stock'] }] })).status).toBe(201);
    await s.flaura.accounts.users.create({ username: 'stock', password: PASSWORD, role: 'patient', patientId: 'smart-pat' });

    app = createServer((req: IncomingMessage, res: ServerResponse) => {
      (req as IncomingMessage & { session: unknown }).session = session;
      const path = new URL(req.url!, 'http://x').pathname;
      const fail = (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String((err as Error)?.stack ?? err));
      };
      if (path === '/launch') {
        smart(req, res)
          .authorize({ clientId: 'smart-app', scope: 'launch/patient openid fhirUser offline_access patient/*.rs', redirectUri: '/app', iss: `${flauraUrl}/fhir` })
          .catch(fail);
      } else if (path === '/app') {
        smart(req, res)
          .ready()
          .then(async (client) => {
            const patient = await client.patient.read();
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ patient, patientId: client.getPatientId(), fhirUser: client.getFhirUser(), scope: client.state.tokenResponse?.scope, hasRefresh: Boolean(client.state.tokenResponse?.refresh_token) }));
          })
          .catch(fail);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    await s.flaura.accounts.clients.register({ clientId: 'smart-app', name: 'Stock SMART app', type: 'public', redirectUris: [`${appUrl}/app`], scope: 'openid fhirUser launch/patient offline_access patient/*.rs' });
  });
  afterAll(async () => {
    await new Promise((resolve) => app?.close(resolve));
    await s.close();
  });

  it('launches, signs in on the Flaura page, gets a patient-context token and reads the patient', async () => {
    // 1. The app discovers Flaura and redirects the browser to the authorization endpoint, with PKCE S256.
    const launch = await fetch(`${appUrl}/launch`, { redirect: 'manual' });
    expect(launch.status, await launch.clone().text()).toBe(302);
    const authorizeUrl = new URL(launch.headers.get('location')!);
    expect(authorizeUrl.href.startsWith(`${flauraUrl}/auth/authorize`)).toBe(true);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizeUrl.searchParams.get('aud')).toBe(`${flauraUrl}/fhir`);

    // 2. The browser shows Flaura's sign-in page; the user signs in.
    const page = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(page.status).toBe(200);
    const html = await page.text();
    const form = new URLSearchParams();
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(m[1]!, m[2]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
    form.set('username', 'stock');
    form.set('password', PASSWORD);
    const signedIn = await fetch(`${flauraUrl}/auth/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: page.headers.get('set-cookie')!.split(';')[0]! },
      body: form.toString(),
    });
    expect(signedIn.status, await signedIn.clone().text()).toBe(303);
    const callback = new URL(signedIn.headers.get('location')!);
    expect(callback.origin + callback.pathname).toBe(`${appUrl}/app`);

    // 3. Back in the app: fhirclient exchanges the code (with its PKCE verifier) and reads the patient in context.
    const done = await fetch(callback);
    const text = await done.text();
    expect(done.status, text).toBe(200);
    const result = JSON.parse(text) as { patient: { id: string; name: { family: string }[] }; patientId: string; fhirUser: string; scope: string; hasRefresh: boolean };
    expect(result.patientId).toBe('smart-pat');
    expect(result.patient).toMatchObject({ id: 'smart-pat', name: [{ family: 'Launch' }] });
    expect(result.fhirUser).toBe('Patient/smart-pat');
    expect(result.scope.split(' ')).toEqual(expect.arrayContaining(['patient/*.rs', 'launch/patient']));
    expect(result.hasRefresh).toBe(true);
  });
});
