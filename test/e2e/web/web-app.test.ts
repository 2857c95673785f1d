// The web app end to end: a real `flaura serve` with demo data, driven in Debian's headless Chromium.
// Runs in the PGlite pass only (`flaura serve` uses its embedded database; the browser flow is the same on both).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { testDbKind } from '../../test-db.ts';
import { loadAlleleDefinitions } from '../../../src/modules/pgx/matcher/definitions.ts';
import { panelVcf } from '../../../src/modules/pgx/synthetic/allele-vcf.ts';
import { initialBundle, webDist } from '../../../scripts/web-bundle-size.ts';
import { apiGet, signIn, writeHeartRateFile } from './flow.ts';
import { axeViolations, buildWeb, repoRoot, launchBrowser, newPage, screenshot, startServer, viewports, type RunningServer } from './harness.ts';

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

/** Presses Tab until the focused element's accessible text is `name` (keyboard-only use); fails after `max` presses. */
async function tabTo(page: Page, name: string, max = 12): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const focused = (await page.evaluate('(document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent ?? "").trim()')) as string;
    if (focused === name) return;
  }
  throw new Error(`"${name}" is not reachable with the Tab key`);
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
    const entry = size.files.find((f) => f.file.endsWith('.js'));
    expect(entry).toBeDefined();
    // React's production build: its development build carries warning templates such as "In HTML, %s".
    expect(readFileSync(join(webDist, entry!.file), 'utf8')).not.toContain('In HTML, %s');
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

  describe('the Done-when flow', () => {
    let clinicianContext: BrowserContext;
    let clinician: Page;
    let patientContext: BrowserContext;
    let patient: Page;
    let files: string;

    beforeAll(async () => {
      files = mkdtempSync(join(tmpdir(), 'flaura-e2e-files-'));
      ({ context: clinicianContext, page: clinician } = await newPage(browser));
      ({ context: patientContext, page: patient } = await newPage(browser));
    });
    afterAll(async () => {
      await clinicianContext?.close();
      await patientContext?.close();
      rmSync(files, { recursive: true, force: true });
    });

    it('a clinician signs in, finds the demo patient and opens her chart', async () => {
      const page = clinician;
      await signIn(page, server.url, 'clinician');
      await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
      await page.getByRole('link', { name: /Maria Santos/ }).waitFor();
      await expectAccessible(page, 'patient list');
      await shoot(page, 'patient-list');

      await page.getByLabel('Find a patient by name').fill('Santos');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('link', { name: /Maria Santos/ }).click();
      await page.getByRole('heading', { name: 'Maria Santos', level: 1 }).waitFor();
      await page.getByText('Coronary arteriosclerosis').waitFor();
      await page.getByText('lisinopril 10 MG Oral Tablet').waitFor();
      await expectAccessible(page, 'chart overview');
      await shoot(page, 'chart-overview');
    });

    it('the chart’s PGx panel shows her CYP2C19 poor-metabolizer result, with the evidence one click away', async () => {
      const page = clinician;
      // By keyboard: arrow along the chart's tabs, Enter opens one; Enter on a disclosure opens the evidence.
      const focusedText = () => page.evaluate('document.activeElement?.textContent ?? ""') as Promise<string>;
      await page.getByRole('tab', { name: 'Overview' }).focus();
      await expect.poll(focusedText).toBe('Overview');
      await page.keyboard.press('ArrowRight');
      await expect.poll(focusedText).toBe('Genomics');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByRole('tab', { name: 'Genomics' }).getAttribute('aria-selected'), { timeout: 10_000 }).toBe('true');
      const card = page.locator('article[data-gene="CYP2C19"]');
      await card.waitFor();
      expect(await card.textContent()).toMatch(/\*2\/\*2.*Poor Metabolizer/);
      expect(await card.textContent()).toContain('clopidogrel');
      await card.locator('summary', { hasText: 'Evidence for CYP2C19' }).focus();
      await page.keyboard.press('Enter');
      await card.getByText(/DiagnosticReport\//).waitFor();
      await expectAccessible(page, 'PGx panel');
      await shoot(page, 'pgx-panel');
    });

    it('ordering clopidogrel shows the critical card first; accepting the alternative saves the alternative', async () => {
      const page = clinician;
      await page.getByRole('tab', { name: 'Prescribe' }).click();
      await page.getByLabel('Medicine').selectOption({ label: 'clopidogrel' });
      await page.getByRole('button', { name: 'Check and sign' }).click();
      const critical = page.locator('.cds-card.cds-critical').first();
      await critical.waitFor();
      expect(await page.locator('.cds-card').first().getAttribute('class')).toContain('cds-critical');
      expect(await critical.textContent()).toMatch(/clopidogrel/i);
      await expectAccessible(page, 'order with CDS cards');
      await shoot(page, 'order-cds');

      const accept = critical.locator('button.suggestion').first();
      expect(await accept.textContent()).toMatch(/prasugrel|ticagrelor/);
      const feedback = page.waitForResponse((r) => r.url().includes('/feedback') && r.request().method() === 'POST');
      await accept.click();
      const fb = await feedback;
      expect(fb.ok()).toBe(true);
      expect((fb.request().postDataJSON() as { feedback: { outcome: string }[] }).feedback[0]!.outcome).toBe('accepted');
      const alternative = (await page.locator('.draft strong').textContent())!.trim();
      expect(alternative).not.toMatch(/clopidogrel/i);

      // Signing checks the new order again, then saves it.
      for (let i = 0; i < 3 && !(await page.locator('.success').isVisible()); i++) {
        const sign = page.getByRole('button', { name: /^(Check and sign|Sign order)$/ });
        if (await sign.isEnabled()) await sign.click();
        await page.locator('.success, .cds-card').first().waitFor();
        await page.waitForTimeout(300);
      }
      await page.locator('.success').waitFor();
      expect(await page.locator('.success').textContent()).toContain(alternative);
      const saved = await apiGet<{ entry?: { resource: { status: string; medicationCodeableConcept?: { text?: string; coding?: { display?: string }[] } } }[] }>(
        page,
        server.url,
        '/fhir/MedicationRequest?patient=demo-maria&_sort=-_lastUpdated&_count=1',
      );
      const newest = saved.entry?.[0]?.resource;
      expect(newest?.status).toBe('active');
      expect(`${newest?.medicationCodeableConcept?.text} ${newest?.medicationCodeableConcept?.coding?.[0]?.display}`).toContain(alternative);
      expect(JSON.stringify(newest?.medicationCodeableConcept)).not.toMatch(/clopidogrel/i);
    });

    it('an override asks for a coded reason, sends it as feedback, and the order is saved', async () => {
      const page = clinician;
      await page.getByLabel('Medicine').selectOption({ label: 'clopidogrel' });
      await page.getByRole('button', { name: 'Check and sign' }).click();
      const critical = page.locator('.cds-card.cds-critical').first();
      await critical.waitFor();
      await critical.getByRole('button', { name: 'Override…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Override this alert' });
      await dialog.waitFor();
      await expectAccessible(page, 'override dialog');
      const reason = dialog.getByRole('radio').first();
      const reasonCode = await reason.getAttribute('value');
      await reason.check();
      const feedback = page.waitForResponse((r) => r.url().includes('/feedback') && r.request().method() === 'POST');
      await dialog.getByRole('button', { name: 'Override and record reason' }).click();
      const fb = await feedback;
      expect(fb.ok()).toBe(true);
      const sent = (fb.request().postDataJSON() as { feedback: { outcome: string; overrideReason?: { reason?: { code: string } } }[] }).feedback[0]!;
      expect(sent.outcome).toBe('overridden');
      expect(sent.overrideReason?.reason?.code).toBe(reasonCode);
      // Recorded: the server keeps the decision as a DetectedIssue with the coded reason.
      const detectedIssue = ((await fb.json()) as { recorded: { outcome: string; detectedIssue: string }[] }).recorded[0]?.detectedIssue;
      expect(detectedIssue).toMatch(/^DetectedIssue\//);
      const issue = await apiGet<{ patient?: { reference?: string }; mitigation?: { action: { coding?: { code?: string }[] } }[] }>(page, server.url, `/fhir/${detectedIssue}`);
      expect(issue.patient?.reference).toBe('Patient/demo-maria');
      expect(issue.mitigation?.[0]?.action.coding?.map((c) => c.code)).toEqual(expect.arrayContaining(['overridden', reasonCode]));
      await critical.getByText(/^Overridden:/).waitFor();
      await page.getByRole('button', { name: 'Sign order' }).click();
      await page.locator('.success').waitFor();
      expect(await page.locator('.success').textContent()).toMatch(/clopidogrel/i);
    });

    it('a patient signs in and reads the plain-language explanation of her result', async () => {
      const page = patient;
      await signIn(page, server.url, 'maria');
      await page.getByRole('heading', { name: 'My health', level: 1 }).waitFor();
      await page.getByRole('heading', { name: /CYP2C19: Poor Metabolizer/ }).waitFor();
      expect(await page.getByText(/works very little or not at all/).count()).toBeGreaterThan(0);
      // Her week, written by the server from her 90 days of demo watch data against her own usual values.
      const week = page.locator('section[aria-labelledby="my-week"]');
      await week.getByText(/^You slept \d+ h( \d+ min)? a night on average/).waitFor();
      await week.getByText(/^You walked about [\d,]+ steps a day/).waitFor();
      await expectAccessible(page, 'portal home');
    });

    it('the patient uploads her own wearable data and sees it in her trends', async () => {
      const page = patient;
      if (!page.url().includes('/portal')) await signIn(page, server.url, 'maria');
      await page.getByRole('heading', { name: 'My health', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'Upload' }).click();
      await page.getByLabel('Apple Health export or data file').setInputFiles(writeHeartRateFile(files));
      await page.getByRole('button', { name: 'Upload' }).click();
      await page.getByText(/^Imported: \d+ inserted/).waitFor();
      await expectAccessible(page, 'portal upload');

      await page.getByRole('link', { name: 'My health' }).click();
      await page.getByLabel('Measure').selectOption('heart-rate');
      await page.locator('figure.trend canvas').first().waitFor();
      await shoot(page, 'portal-home');
    });

    it('the patient withdraws consent for her genomic data', async () => {
      const page = patient;
      await page.getByRole('link', { name: 'Sharing' }).click();
      const genomicForCare = page.getByRole('switch', { name: 'Share genetic results with my care team, for my treatment' });
      await genomicForCare.waitFor();
      expect(await genomicForCare.getAttribute('aria-checked')).toBe('true');
      await genomicForCare.click();
      await page.getByText('Genetic results: no longer shared with my care team, for my treatment.').waitFor();
      expect(await genomicForCare.getAttribute('aria-checked')).toBe('false');
      await expectAccessible(page, 'sharing');
      await shoot(page, 'portal-sharing');
    });

    it('the lifestyle chart shows a patient’s wearable data with the personal baseline band and alert markers', async () => {
      const page = clinician;
      await page.goto(`${server.url}/patients/demo-james/lifestyle`);
      expect(await page.getByLabel('Measure').inputValue()).toBe('resting-heart-rate');
      const figure = page.locator('figure.trend');
      await figure.locator('canvas').first().waitFor();
      expect(Number(await figure.getAttribute('data-points'))).toBeGreaterThan(10);
      expect(Number(await figure.getAttribute('data-baseline'))).toBeGreaterThan(0);
      expect(Number(await figure.getAttribute('data-alerts'))).toBeGreaterThan(0);
      expect(await figure.getByRole('img').getAttribute('aria-label')).toMatch(/personal baseline \d/);
      await expectAccessible(page, 'lifestyle');
      await shoot(page, 'lifestyle');
    });

    it('staff import a patient’s Apple Health export from the Import screen, with progress and a summary', async () => {
      const page = clinician;
      await page.getByRole('link', { name: 'Import' }).click();
      await page.getByLabel('Patient ID').fill('demo-grace');
      const section = page.locator('section[aria-labelledby="imp-wear"]');
      await section.getByLabel('Wearable export').setInputFiles(join(repoRoot, 'src', 'modules', 'wearables', 'fixtures', 'export.zip'));
      await section.getByRole('button', { name: 'Upload' }).click();
      await section.getByText(/^Imported: \d+ inserted/).waitFor();
      await expectAccessible(page, 'import');
      await shoot(page, 'import');
    });

    it('the care team’s alerts inbox: an alert is acknowledged with a note and leaves the inbox', async () => {
      const page = clinician;
      await page.getByRole('link', { name: 'Alerts' }).click();
      await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
      const row = page.locator('li.alert-row', { hasText: 'Patient/demo-james' }).first();
      await row.waitFor();
      const title = (await row.locator('strong').first().textContent())!;
      await expectAccessible(page, 'alerts inbox');
      await shoot(page, 'alerts');
      const before = await page.locator('li.alert-row').count();
      await row.getByRole('button', { name: /^Acknowledge/ }).click();
      const dialog = page.getByRole('dialog', { name: 'Acknowledge alert' });
      await dialog.getByLabel('Note for the care team').fill('Called James: feels well, no fever; recheck in 2 days.');
      const ack = page.waitForResponse((r) => /\/wearables\/alerts\/[^/]+\/ack$/.test(new URL(r.url()).pathname) && r.request().method() === 'POST');
      await dialog.getByRole('button', { name: 'Acknowledge' }).click();
      const res = await ack;
      expect(res.ok()).toBe(true);
      expect(res.request().postDataJSON()).toEqual({ note: 'Called James: feels well, no fever; recheck in 2 days.' });
      await expect.poll(() => page.locator('li.alert-row').count()).toBe(before - 1);
      if (before === 1) await page.getByText('No open alerts.').waitFor();
      expect(title.length).toBeGreaterThan(0);
    });

    it('the clinician then no longer sees the PGx panel, unless she breaks the glass', async () => {
      const page = clinician;
      // Ordering clopidogrel again: decision support says a result is on file but not shared, and names no phenotype.
      await page.goto(`${server.url}/patients/demo-maria/prescribe`);
      await page.getByLabel('Medicine').selectOption({ label: 'clopidogrel' });
      await page.getByRole('button', { name: 'Check and sign' }).click();
      await page.locator('.cds-card', { hasText: 'not shared with you' }).waitFor();
      expect(await page.locator('.cds-card.cds-critical').count()).toBe(0);
      expect(await page.locator('body').textContent()).not.toMatch(/Poor Metabolizer/i);

      await page.goto(`${server.url}/patients/demo-maria/genomics`);
      const breakGlass = page.getByRole('button', { name: 'Break the glass…' });
      await breakGlass.waitFor();
      expect(await page.locator('article[data-gene]').count()).toBe(0);
      await page.getByText('The patient has chosen not to share genetic results with the care team.').waitFor();
      await shoot(page, 'pgx-withheld');

      // By keyboard: Enter opens the dialog with the focus inside it, Tab reaches the button, Enter sends.
      await breakGlass.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Emergency access' });
      await dialog.waitFor();
      await expectAccessible(page, 'break-the-glass dialog');
      await page.keyboard.type('Acute coronary syndrome: choosing antiplatelet therapy now');
      expect(await dialog.getByLabel('Clinical reason').inputValue()).toBe('Acute coronary syndrome: choosing antiplatelet therapy now');
      await tabTo(page, 'Open the record');
      await page.keyboard.press('Enter');
      await page.locator('article[data-gene="CYP2C19"]').waitFor();
      expect(await page.getByRole('status').filter({ hasText: 'Opened under emergency access until' }).count()).toBe(1);
      await expectAccessible(page, 'PGx panel under emergency access');
    });

    it('the patient sees the break-the-glass access in her access log', async () => {
      const page = patient;
      await page.getByRole('link', { name: 'Access log' }).click();
      await page.getByRole('heading', { name: 'Access log', level: 1 }).waitFor();
      // The grant itself, with the reason the clinician gave, and the emergency reads that followed it.
      const grant = page.locator('.row-btg', { hasText: 'Reason given:' });
      // The audit trail is written a moment after the access (batched): refresh as a user would until it shows.
      for (let i = 0; i < 10 && (await grant.count()) === 0; i++) {
        await page.waitForTimeout(500);
        await page.getByRole('button', { name: 'Refresh' }).click();
        await page.locator('.access-log, .state-empty').first().waitFor();
      }
      await grant.first().waitFor();
      expect(await grant.first().textContent()).toContain('Emergency access');
      expect(await grant.first().textContent()).toContain('Reason given: Acute coronary syndrome: choosing antiplatelet therapy now');
      expect(await grant.first().textContent()).toContain('Rudo Ndlovu asked for emergency access to your record');
      const reads = page.locator('.row-btg', { hasText: 'Rudo Ndlovu viewed test reports' });
      expect(await reads.count()).toBeGreaterThan(0);
      expect(await reads.first().textContent()).toContain('for emergency treatment');
      // Before the glass was broken, the withheld read shows as refused by her sharing choices.
      expect(await page.getByText('refused: your sharing choices withhold this').count()).toBeGreaterThan(0);
      await expectAccessible(page, 'access log');
      await shoot(page, 'portal-access-log');
      // Her own activity is hidden until she asks for it.
      expect(await page.locator('.access-log strong', { hasText: /^You$/ }).count()).toBe(0);
      await page.getByLabel('Include my own activity').check();
      await page.locator('.access-log strong', { hasText: /^You$/ }).first().waitFor();
    });
    it('staff import a genomic result (VCF) for a patient, with progress and a summary', async () => {
      const page = clinician;
      await page.getByRole('link', { name: 'Import' }).click();
      await page.getByLabel('Patient ID').fill('demo-james');
      const section = page.locator('section[aria-labelledby="imp-pgx"]');
      await section.getByLabel('VCF or lab PGx result').setInputFiles(join(repoRoot, 'src', 'modules', 'pgx', 'fixtures', 'sample.vcf'));
      await section.getByRole('button', { name: 'Upload' }).click();
      await section.getByText(/Stored results for \d+ genes|already on record/).waitFor();
      await expectAccessible(page, 'import');
      await shoot(page, 'import');
    });

    it('CYP2D6 called from a VCF (opt-in) shows its copy-number caveat to the clinician', async () => {
      const page = clinician;
      // A VCF of CYP2D6 *1/*1 (a normal metabolizer from SNVs) written from the allele definitions, imported for James
      // with the opt-in; his other genes are not in the file, so they keep their calls.
      const vcf = join(files, 'demo-james-cyp2d6.vcf');
      writeFileSync(vcf, panelVcf(loadAlleleDefinitions().optIn, { CYP2D6: ['*1', '*1'] }, { sample: 'demo-james' }));
      await page.getByRole('link', { name: 'Import' }).click();
      await page.getByLabel('Patient ID').fill('demo-james');
      const section = page.locator('section[aria-labelledby="imp-pgx"]');
      await section.getByLabel('Call CYP2D6 from the VCF (no copy number)').check();
      await section.getByLabel('VCF or lab PGx result').setInputFiles(vcf);
      await section.getByRole('button', { name: 'Upload' }).click();
      await section.getByText(/CYP2D6 was called from the VCF without copy number/).waitFor();

      // The clinician: a card (not a table row) with the caveat under the phenotype; PharmCAT's notes stay in the evidence.
      await page.goto(`${server.url}/patients/demo-james/genomics`);
      const card = page.locator('article[data-gene="CYP2D6"]');
      await card.waitFor();
      expect(await card.locator('.phenotype').textContent()).toMatch(/^Normal Metabolizer.*1 caveat$/);
      const caveats = card.getByRole('list', { name: 'Caveats for CYP2D6' }).getByRole('listitem');
      expect(await caveats.count()).toBe(1);
      expect(await caveats.first().getAttribute('data-code')).toBe('CYP2D6_COPY_NUMBER_NOT_ASSESSED');
      expect(await caveats.first().textContent()).toMatch(/copy number/);
      expect(await card.textContent()).not.toContain('MESSAGE_NOTE');
      await card.locator('summary', { hasText: 'Evidence for CYP2D6' }).click();
      await card.getByText(/^Call notes \(\d+\)$/).waitFor();
      expect(await card.locator('.call-notes').textContent()).toContain('MESSAGE_NOTE');
      expect(await page.locator('tr', { has: page.locator('th', { hasText: /^CYP2D6$/ }) }).count()).toBe(0);
      await expectAccessible(page, 'PGx panel with a caveat');
      await shoot(page, 'pgx-caveat');
      // The patient's side (the plain-language note in the portal) is tested in test/web/pgx-warnings.test.ts: a sign-in
      // for James here hung on the code exchange in 2 of 4 CI runs (cause not found; it passed alone and under load).
    });
  });
});
