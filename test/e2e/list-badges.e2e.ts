/**
 * List views in a real browser: a badge on every row of the demo CRM's Salesforce lead list
 * and HubSpot contacts index, scored in batches as rows come into view, and again after
 * client-side paging. LeadLens knows the demo leads (demo mode stores the even-indexed
 * ones as Salesforce leads, the odd-indexed ones as HubSpot contacts); the others must show
 * the neutral "not scored yet" marker, never a score, unless their record page was just scored.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUBSPOT_PORTAL, HUBSPOT_UI, SALESFORCE_UI, hubspotContactUrl, salesforceLeadUrl, startHarness, type Harness } from './harness';

const BADGE = 'leadlens-badge';
const PAGE_SIZE = 50;

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  // Demo mode, through the extension's own message (as the options page sends it).
  const options = await harness.context.newPage();
  await options.goto(`chrome-extension://${harness.extensionId}/options.html`);
  const reply = await options.evaluate(() =>
    (globalThis as unknown as { chrome: typeof browser }).chrome.runtime.sendMessage({ target: 'background', type: 'loadDemoData', payload: {} }),
  );
  expect(reply).toMatchObject({ ok: true });
  await options.close();
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

interface Site {
  crm: string;
  url: string;
  /** The rows of the list the user sees (Salesforce keeps earlier pages in the DOM, hidden). */
  rows: string;
  next: string;
  /** Demo mode stores this CRM's leads at these indexes. */
  storedIndex: (index: number) => boolean;
  idOf: (index: number) => string;
  recordUrl: (index: number) => string;
}

const sites: Site[] = [
  {
    crm: 'Salesforce',
    url: `https://${SALESFORCE_UI}/lightning/o/Lead/list`,
    rows: '.windowViewMode-normal.active tbody tr',
    next: '.windowViewMode-normal.active a[rel="next"]',
    storedIndex: (index) => index % 2 === 0,
    idOf: (index) => harness.crm.leads[index].salesforceId,
    recordUrl: (index) => salesforceLeadUrl(harness.crm.leads[index].salesforceId),
  },
  {
    crm: 'HubSpot',
    url: `https://${HUBSPOT_UI}/contacts/${HUBSPOT_PORTAL}/objects/0-1/views/all/list`,
    rows: '[data-test-id="contacts-table"] tbody tr',
    next: 'a[rel="next"]',
    storedIndex: (index) => index % 2 === 1,
    idOf: (index) => harness.crm.leads[index].hubspotId,
    recordUrl: (index) => hubspotContactUrl(harness.crm.leads[index].hubspotId),
  },
];

/** Per visible row: its badge's record and state (null when the row has no badge). */
function rowBadges(page: Page, rows: string) {
  return page.evaluate(
    ({ rows, tag }) =>
      [...document.querySelectorAll(rows)].map((row) => {
        const badges = row.querySelectorAll(tag);
        const badge = badges[0];
        return {
          count: badges.length,
          record: badge?.getAttribute('data-leadlens-record') ?? null,
          state: badge?.getAttribute('data-leadlens-state') ?? null,
          tier: badge?.getAttribute('data-leadlens-tier') ?? null,
        };
      }),
    { rows, tag: BADGE },
  );
}

/** Scroll every row into view, one screen at a time, as a user reading the list does. */
async function scrollThrough(page: Page, rows: string) {
  const count = await page.locator(rows).count();
  for (let i = 0; i < count; i += 10) await page.locator(rows).nth(i).scrollIntoViewIfNeeded();
  await page.locator(rows).last().scrollIntoViewIfNeeded();
}

async function expectEveryRowBadged(page: Page, site: Site, firstIndex: number) {
  await scrollThrough(page, site.rows);
  await expect
    .poll(async () => (await rowBadges(page, site.rows)).filter((row) => row.state === 'scored' || row.state === 'unknown').length, {
      timeout: 15_000,
    })
    .toBe(PAGE_SIZE);
  const badges = await rowBadges(page, site.rows);
  badges.forEach((badge, i) => {
    const index = firstIndex + i;
    expect(badge.count).toBe(1);
    expect(badge.record).toBe(site.idOf(index));
    expect(badge.state).toBe(site.storedIndex(index) ? 'scored' : 'unknown');
    if (badge.state === 'scored') expect(['hot', 'warm', 'cold']).toContain(badge.tier);
  });
}

describe.each(sites)('$crm list view', (site) => {
  it('badges the rows in view first, then every row as the user scrolls', async () => {
    const page = await harness.context.newPage();
    await page.goto(site.url);
    await expect.poll(async () => (await rowBadges(page, site.rows))[0]?.state, { timeout: 15_000 }).toMatch(/scored|unknown/);
    // The last rows are below the fold: not asked for until they come into view.
    const before = await rowBadges(page, site.rows);
    expect(before).toHaveLength(PAGE_SIZE);
    expect(before.every((row) => row.count === 1)).toBe(true);
    expect(before.at(-1)?.state).toBe('loading');
    await expectEveryRowBadged(page, site, 0);
    await page.close();
  });

  it('shows a row’s popover at the record page’s text size: only the row’s badge is small', async () => {
    const page = await harness.context.newPage();
    await page.goto(site.url);
    const badge = page.locator(`${site.rows} ${BADGE}[data-leadlens-state="scored"]`).first();
    await badge.waitFor({ timeout: 15_000 });
    await badge.locator('button').hover();
    const popover = badge.locator('[role="region"]');
    await expect.poll(() => popover.isVisible()).toBe(true);
    const fontSize = (selector: string) => badge.locator(selector).first().evaluate((element) => getComputedStyle(element).fontSize);
    expect(await fontSize('button')).toBe('11px');
    // As on a record page (badges.e2e.ts): the explanation at 13 px, under its smaller section labels.
    expect(await fontSize('.likelihood')).toBe('13px');
    expect(await fontSize('li')).toBe('13px');
    expect(await fontSize('.section-label')).toBe('12px');
    await page.close();
  });

  it('badges the next page after client-side paging, and only its rows', async () => {
    const page = await harness.context.newPage();
    await page.goto(site.url);
    await expectEveryRowBadged(page, site, 0);
    const documentsBefore = await page.evaluate(() => performance.getEntriesByType('navigation').length);
    await page.locator(site.next).first().click();
    await expect.poll(() => page.url()).toContain('page=2');
    await expect.poll(async () => (await rowBadges(page, site.rows))[0]?.record, { timeout: 15_000 }).toBe(site.idOf(PAGE_SIZE));
    await expectEveryRowBadged(page, site, PAGE_SIZE);
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(documentsBefore);
    // Badges of the page left behind are gone with it.
    expect(await page.locator(BADGE).count()).toBe(PAGE_SIZE);
    await page.close();
  });

  it('shows, for a lead LeadLens does not store, the score its record page just got', async () => {
    const index = site.storedIndex(0) ? 1 : 0;
    const record = await harness.context.newPage();
    await record.goto(site.recordUrl(index));
    const recordBadge = record.locator(`${BADGE}[data-leadlens-state="scored"]`);
    await recordBadge.waitFor({ timeout: 15_000 });
    const score = await recordBadge.getAttribute('data-leadlens-score');
    await record.close();

    const page = await harness.context.newPage();
    await page.goto(site.url);
    const row = page.locator(`${site.rows} ${BADGE}[data-leadlens-record="${site.idOf(index)}"]`);
    await expect.poll(() => row.getAttribute('data-leadlens-state'), { timeout: 15_000 }).toBe('scored');
    expect(await row.getAttribute('data-leadlens-score')).toBe(score);
    // Its neighbour, whose page was not opened, is still unknown.
    const neighbour = page.locator(`${site.rows} ${BADGE}[data-leadlens-record="${site.idOf(index + 2)}"]`);
    await expect.poll(() => neighbour.getAttribute('data-leadlens-state'), { timeout: 15_000 }).toBe('unknown');
    await page.close();
  });
});

describe('when a script of the CRM page forges WXT\'s "a newer content script started" event', () => {
  it('keeps badging: the rows keep their scores, and the next page after client-side paging is badged', async () => {
    const site = sites[0];
    const page = await harness.context.newPage();
    await page.goto(site.url);
    // Its first row is a stored lead.
    await expect.poll(async () => (await rowBadges(page, site.rows))[0]?.state, { timeout: 15_000 }).toBe('scored');
    // The page's own scripts share the document WXT sends it on, and WXT's context ends on it.
    await page.evaluate(
      (name) => document.dispatchEvent(new CustomEvent(name, { detail: { contentScriptName: 'crm', messageId: 'forged' } })),
      `${harness.extensionId}:crm:wxt:content-script-started`,
    );
    await page.waitForTimeout(500);
    expect((await rowBadges(page, site.rows))[0]?.state).toBe('scored');
    await page.locator(site.next).first().click();
    await expect.poll(async () => (await rowBadges(page, site.rows))[0]?.record, { timeout: 15_000 }).toBe(site.idOf(PAGE_SIZE));
    await expectEveryRowBadged(page, site, PAGE_SIZE);
    await page.close();
  });
});

// Last: it reloads the extension, leaving the open tabs' content scripts orphaned.
describe('after the extension is updated under open CRM tabs', () => {
  it('keeps every list row’s badge and the record’s, each saying to reload the page, rather than vanish', async () => {
    const site = sites[0];
    const page = await harness.context.newPage();
    await page.goto(site.url);
    await expect.poll(async () => (await rowBadges(page, site.rows))[0]?.state, { timeout: 15_000 }).toBe('scored');
    const badged = (await rowBadges(page, site.rows)).filter((row) => row.count === 1).length;
    expect(badged).toBe(PAGE_SIZE);
    const record = await harness.context.newPage();
    await record.goto(salesforceLeadUrl(harness.crm.leads[0].salesforceId));
    const recordBadge = record.locator(`${BADGE}[data-leadlens-state="scored"]`);
    await recordBadge.waitFor({ timeout: 15_000 });

    const extensionPage = await harness.context.newPage();
    await extensionPage.goto(`chrome-extension://${harness.extensionId}/options.html`);
    // The page goes with the extension it belongs to, so its evaluation may not come back.
    await extensionPage.evaluate(() => (globalThis as unknown as { chrome: typeof browser }).chrome.runtime.reload()).catch(() => undefined);

    await expect.poll(async () => (await rowBadges(page, site.rows)).map((row) => row.state), { timeout: 15_000 }).toEqual(Array(PAGE_SIZE).fill('error'));
    const notice = await page.locator(`${site.rows} ${BADGE}`).first().evaluate((badge) => badge.shadowRoot?.textContent ?? '');
    expect(notice).toContain('reload this page');
    await expect.poll(() => record.locator(BADGE).getAttribute('data-leadlens-state'), { timeout: 15_000 }).toBe('error');
    expect(await record.locator(BADGE).evaluate((badge) => badge.shadowRoot?.textContent ?? '')).toContain('reload this page');
    await Promise.all([page.close(), record.close()]);
  });
});
