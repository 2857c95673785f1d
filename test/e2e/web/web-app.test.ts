// The web app end to end: a real `flaura serve` with demo data, driven in Debian's headless Chromium.
// Runs in the PGlite pass only (`flaura serve` uses its embedded database; the browser flow is the same on both).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { testDbKind } from '../../test-db.ts';
import { initialBundle } from '../../../scripts/web-bundle-size.ts';
import { axeViolations, buildWeb, launchBrowser, newPage, screenshot, startServer, viewports, type RunningServer } from './harness.ts';

/** Screenshot at desktop width, then at 360 px (with a no-sideways-scrolling check), then back. */
async function shoot(page: Page, name: string): Promise<void> {
  await screenshot(page, `${name}-desktop`);
  await page.setViewportSize(viewports.phone);
  await page.waitForTimeout(150);
  const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
  expect(overflow, `${name} scrolls sideways at 360 px`).toBeLessThanOrEqual(0);
  await screenshot(page, `${name}-phone`);
  await page.setViewportSize(viewports.desktop);
}

async function expectAccessible(page: Page, what: string): Promise<void> {
  const violations = await axeViolations(page);
  expect(violations, `${what}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

describe.skipIf(testDbKind === 'postgres')('web app (Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    buildWeb();
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('keeps the initial load (entry script, preloads, styles) within 250 kB gzipped', () => {
    const size = initialBundle();
    expect(size.files.some((f) => f.file.endsWith('.js'))).toBe(true);
    expect(size.gzip).toBeLessThanOrEqual(250 * 1024);
  });

  it('opens onto the sign-in page: accessible, and usable at 360 px', async () => {
    const { context, page } = await newPage(browser);
    await page.goto(server.url);
    await expect(page.getByRole('heading', { name: 'Welcome to Flaura' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page, 'sign-in page');
    await shoot(page, 'sign-in');
    // A deep link reloads into the app (SPA fallback) and, signed out, lands on sign-in.
    await page.goto(`${server.url}/patients/demo-maria/genomics`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
  });
});
