// Steps of the web app's end-to-end flows, in the words of the screens (roles, labels, headings), so the test reads
// like the "Done when" list.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

export const DEMO_PASSWORD = 'flaura-demo';

/** Signs in through the app's button and the server's own SMART login page; ends back in the app. */
export async function signIn(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname.startsWith('/auth/'));
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
  await page.locator('form button[type="submit"], form input[type="submit"]').first().click();
  // An authorization page may ask to approve the app's access after the password.
  await page.waitForURL((u) => !u.pathname.startsWith('/auth/login') || u.pathname === '/callback', { timeout: 20_000 }).catch(() => undefined);
  const approve = page.getByRole('button', { name: /allow|approve|authori[sz]e|continue/i });
  if (new URL(page.url()).pathname.startsWith('/auth/') && (await approve.count()) > 0) await approve.first().click();
  try {
    await page.waitForURL((u) => u.pathname === '/patients' || u.pathname === '/portal', { timeout: 30_000 });
  } catch (err) {
    const text = ((await page.locator('body').textContent().catch(() => '')) ?? '').replace(/\s+/g, ' ').slice(0, 400);
    throw new Error(`${username} did not arrive in the app (at ${page.url()}): ${text}`, { cause: err });
  }
}

/** The signed-in user's access token (the test asks the API directly only to check what the UI saved). */
export async function accessToken(page: Page): Promise<string> {
  const raw = (await page.evaluate("sessionStorage.getItem('flaura.session')")) as string | null;
  if (!raw) throw new Error('not signed in');
  return (JSON.parse(raw) as { accessToken: string }).accessToken;
}

export async function apiGet<T>(page: Page, baseUrl: string, path: string): Promise<T> {
  const token = await accessToken(page);
  const res = await fetch(baseUrl + path, { headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json, application/json' } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * An Open mHealth NDJSON file: `days` days of heart rate every 2 hours (a steady personal pattern with a rise in the
 * last 3 days), ending now — a real export format, uploaded through the Import screen.
 */
export function writeHeartRateFile(dir: string, days = 45, now = Date.now()): string {
  const lines: string[] = [];
  for (let h = days * 24; h > 0; h -= 2) {
    const t = new Date(now - h * 3_600_000).toISOString();
    const day = Math.floor(h / 24);
    // A personal pattern: a daily rhythm, a small day-to-day drift, and a clear rise over the last 3 days.
    const rise = day < 3 ? 12 : 0;
    const v = Math.round(62 + 3 * Math.sin((2 * Math.PI * h) / 24) + ((day * 7919) % 5) - 2 + rise);
    lines.push(JSON.stringify({ header: { id: `e2e-hr-${h}`, creation_date_time: t, schema_id: { namespace: 'omh', name: 'heart-rate', version: '2.0' }, acquisition_provenance: { source_name: 'Polar H10', modality: 'sensed' } }, body: { heart_rate: { value: v, unit: 'beats/min' }, effective_time_frame: { date_time: t }, temporal_relationship_to_physical_activity: 'at rest' } }));
  }
  const path = join(dir, 'maria-heart-rate.ndjson');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}
