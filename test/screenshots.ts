/**
 * `npm run screenshots`: PNGs of the demo's two record pages with their badge's popover open (as
 * `npm run demo -- --headless` shows them, before any data is loaded), then of the side panel and
 * every options section, with the demo data loaded through the options page's Demo mode button and
 * a demo HubSpot contact open in a CRM tab (so the side panel explains it, web and e-mail
 * engagement included). Written to screenshots/ for the README.
 *
 * The side panel is shot at a side panel's width; options sections at 1280 px wide, each
 * as its own element box.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { hubspotContactUrl, salesforceLeadUrl, startHarness } from './e2e/harness';
import { loadDemoDataThroughUi, openExtensionPage } from './e2e/pages';
import { RECORD_PAGE_VIEWPORT, showBadgeWithPopover } from './demo/record-page';

const OUT_DIR = 'screenshots';
const SIDE_PANEL_VIEWPORT = { width: 420, height: 900 };
const OPTIONS_VIEWPORT = { width: 1280, height: 900 };
const MAX_SHOT_HEIGHT = 2400;

/** A section is ready when none of its parts is still loading and its charts have drawn. */
async function settled(page: Page, section: Locator): Promise<void> {
  await section.locator('.status-loading').first().waitFor({ state: 'detached', timeout: 30_000 });
  // Recharts animates its first draw; reduced motion is requested, this covers what still animates.
  await page.waitForTimeout(600);
}

/**
 * Charts are drawn as the reader scrolls near them: scroll through the part of the section the
 * shot takes, back to its top, and wait until no chart placeholder is left in that part.
 */
async function drawCharts(section: Locator): Promise<void> {
  await section.evaluate(async (element, maxHeight) => {
    const top = element.getBoundingClientRect().top + window.scrollY;
    for (let y = top; y < top + Math.min(element.getBoundingClientRect().height, maxHeight); y += window.innerHeight / 2) {
      window.scrollTo(0, y);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    window.scrollTo(0, top);
  }, MAX_SHOT_HEIGHT);
  // (No named helpers inside: tsx would wrap them in a function the page does not have.)
  await section.evaluate(async (element, maxHeight) => {
    for (;;) {
      const top = element.getBoundingClientRect().top;
      if (![...element.querySelectorAll('.draw-when-near')].some((placeholder) => placeholder.getBoundingClientRect().top - top < maxHeight)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, MAX_SHOT_HEIGHT);
}

/** The element's box, or its top MAX_SHOT_HEIGHT px when taller (the model report with every shape function). */
async function shoot(page: Page, section: Locator, name: string): Promise<string> {
  await section.scrollIntoViewIfNeeded();
  await drawCharts(section);
  await settled(page, section);
  const path = join(OUT_DIR, `${name}.png`);
  const box = await section.boundingBox();
  if (!box) throw new Error(`${name} is not visible`);
  const scroll = await page.evaluate(() => ({ x: window.scrollX, y: window.scrollY }));
  if (box.height <= MAX_SHOT_HEIGHT) await section.screenshot({ path, animations: 'disabled' });
  else await page.screenshot({ path, animations: 'disabled', fullPage: true, clip: { x: box.x + scroll.x, y: box.y + scroll.y, width: box.width, height: MAX_SHOT_HEIGHT } });
  return path;
}

mkdirSync(OUT_DIR, { recursive: true });
const harness = await startHarness();
const written: string[] = [];
try {
  const [salesforceLead, hubspotLead] = harness.crm.leads;
  for (const { name, url } of [
    { name: 'record-salesforce', url: salesforceLeadUrl(salesforceLead.salesforceId) },
    { name: 'record-hubspot', url: hubspotContactUrl(hubspotLead.hubspotId) },
  ]) {
    const page = await harness.context.newPage();
    await page.setViewportSize(RECORD_PAGE_VIEWPORT);
    await page.goto(url);
    await showBadgeWithPopover(page);
    const path = join(OUT_DIR, `${name}.png`);
    await page.screenshot({ path });
    written.push(path);
    await page.close();
  }
  await loadDemoDataThroughUi(harness);
  const lead = harness.crm.leads[0];
  const crmPage = await harness.context.newPage();
  await crmPage.goto(hubspotContactUrl(lead.hubspotId));
  await crmPage.locator('leadlens-badge[data-leadlens-state="scored"]').waitFor({ timeout: 15_000 });

  const panel = await openExtensionPage(harness, 'sidepanel.html');
  await panel.emulateMedia({ reducedMotion: 'reduce' });
  await panel.setViewportSize(SIDE_PANEL_VIEWPORT);
  // The panel follows the active tab, skipping its own: activate the CRM tab, then show the panel.
  await crmPage.bringToFront();
  await panel.bringToFront();
  const openLead = panel.getByTestId('open-lead');
  await openLead.getByText(String(lead.hubspot.lastname), { exact: false }).first().waitFor({ timeout: 20_000 });
  await panel.locator('[data-tier-row="hot"]').waitFor({ timeout: 20_000 });
  written.push(await shoot(panel, panel.locator('section[aria-labelledby="stats-title"]'), 'sidepanel-stats'));
  written.push(await shoot(panel, panel.locator('section[aria-labelledby="top-title"]'), 'sidepanel-top-leads'));
  written.push(await shoot(panel, openLead, 'sidepanel-open-lead'));

  const options = await openExtensionPage(harness, 'options.html');
  await options.emulateMedia({ reducedMotion: 'reduce' });
  await options.setViewportSize(OPTIONS_VIEWPORT);
  await options.locator('section#tiers [data-testid="policy-thresholds"]').waitFor({ timeout: 30_000 });
  for (const id of await options.locator('main > section[id]').evaluateAll((sections) => sections.map((section) => section.id))) {
    written.push(await shoot(options, options.locator(`section#${id}`), `options-${id}`));
  }
  // A model trained on the demo history: the report an admin reads before activating it.
  const training = options.locator('section#training');
  await training.getByRole('button', { name: 'Check the data' }).click();
  await training.getByRole('button', { name: /^Train on/ }).click({ timeout: 30_000 });
  const report = training.getByTestId('training-report');
  await report.waitFor({ timeout: 120_000 });
  written.push(await shoot(options, report, 'options-training-report'));
} finally {
  await harness.close();
}
console.log(`Wrote ${written.length} screenshots:\n${written.join('\n')}`);
