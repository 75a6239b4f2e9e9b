/**
 * The side panel counts and lists a stored lead by the score its badge shows, in real Chromium
 * with Demo mode: a hot lead edited in the demo CRM so that its record page scores it cold leaves
 * the panel's Top hot leads and moves from the Hot count to the Cold one, without the panel being
 * reloaded; opening a lead whose page scores it as listed does not read every lead again.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DemoLead } from '../../lib/crm/demo-data';
import { salesforceLeadUrl, startHarness, type Harness } from './harness';
import { withLeadLensDb } from './idb';
import { loadDemoDataThroughUi, openExtensionPage } from './pages';

let harness: Harness;
let crmPage: Page;
let panel: Page;

/** How long the panel has to read its leads again after a record page's score (it took 0.2 s here). */
const READ_AGAIN_WITHIN_MS = 5_000;
/** How long a panel that would read its leads again is given to show it, ten times what that read took here. */
const QUIET_MS = 2_000;

const tierCount = async (tier: string) => Number((await panel.locator(`[data-tier-row="${tier}"] td`).first().innerText()).replace(/,/g, ''));
const hotTable = () => panel.locator('.lead-table').first();
const badge = (): Locator => crmPage.locator('leadlens-badge[data-leadlens-state="scored"]');

/**
 * Writes `name` over the stored name of the first lead listed in Top hot leads other than
 * `except`, behind the panel's back: the panel shows it only once it reads its leads again.
 */
async function renameListedLead(name: string, except: readonly string[]): Promise<void> {
  const listed = (await hotTable().locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-lead-key')!))) as string[];
  const leadKey = listed.find((key) => !except.includes(key));
  if (!leadKey) throw new Error(`Top hot leads list no lead to rename but ${except.join(', ')}`);
  await withLeadLensDb(
    panel,
    async ({ db, request }, { leadKey, name }) => {
      const summaries = db.transaction('leadSummaries', 'readwrite').objectStore('leadSummaries');
      await request(summaries.put({ ...(await request(summaries.get(leadKey))), name }));
    },
    { leadKey, name },
  );
}

const panelText = () => panel.locator('body').innerText();

function demoLead(recordId: string): DemoLead {
  const lead = harness.crm.leads.find(({ salesforceId }) => salesforceId === recordId);
  if (!lead) throw new Error(`The demo CRM serves no Salesforce lead ${recordId}`);
  return lead;
}

/** The lead's record page in the CRM tab, its badge scored; the panel told of it (it explains that lead). */
async function openRecordPage(lead: DemoLead): Promise<void> {
  await crmPage.goto(salesforceLeadUrl(lead.salesforceId));
  await badge().waitFor({ timeout: 15_000 });
  await crmPage.bringToFront();
  await panel.bringToFront();
  await expect.poll(() => panel.getByTestId('open-lead').innerText(), { timeout: 15_000 }).toContain(lead.salesforce.Name);
}

beforeAll(async () => {
  harness = await startHarness();
  await loadDemoDataThroughUi(harness);
  crmPage = await harness.context.newPage();
  panel = await openExtensionPage(harness, 'sidepanel.html');
});

afterAll(async () => {
  await harness?.close();
});

it('counts and lists a hot lead edited to score cold on its record page as cold, without reloading, and reads the leads again only for it', async () => {
  await hotTable().locator('tbody tr').first().waitFor({ timeout: 20_000 });
  const [hotBefore, coldBefore] = [await tierCount('hot'), await tierCount('cold')];
  // Hot Salesforce leads are few among HubSpot contacts with engagement: the first listed is the one edited.
  const edited = await hotTable().locator('tbody tr[data-lead-key^="salesforce|"]').first().getAttribute('data-lead-key');
  if (!edited) throw new Error("Top hot leads' first page lists no Salesforce lead");
  // Demo mode stores the demo CRM's even-indexed leads from Salesforce.
  const [unchanged, unchangedToo] = harness.crm.leads.filter(({ salesforceId }, index) => index % 2 === 0 && `salesforce|${salesforceId}` !== edited);

  // A lead whose record page scores it as the panel lists it: nothing to read again.
  await renameListedLead('Renamed before the edit', [edited]);
  await openRecordPage(unchanged);
  await panel.waitForTimeout(QUIET_MS);
  expect(await panelText()).not.toContain('Renamed before the edit');

  // The hot lead, edited in the CRM to everything a cold lead has, its page reloaded: its badge scores it again, cold.
  const lead = demoLead(edited.split('|')[1]);
  await openRecordPage(lead);
  expect(await badge().getAttribute('data-leadlens-tier')).toBe('hot');
  const coldFields = { Title: 'Intern', LeadSource: 'Purchased List', NumberOfEmployees: 3, AnnualRevenue: 50_000, Email: 'pat.intern@gmail.com', HasOptedOutOfEmail: true };
  harness.crm.replaceLeads(harness.crm.leads.map((each) => (each === lead ? { ...lead, salesforce: { ...lead.salesforce, ...coldFields } } : each)));
  await crmPage.reload();
  await badge().waitFor({ timeout: 15_000 });
  expect(await badge().getAttribute('data-leadlens-tier')).toBe('cold');

  // The panel, not reloaded, counts and lists it cold: it read its leads again for that page's score (the renamed lead shows it).
  await expect
    .poll(async () => ({ hot: await tierCount('hot'), cold: await tierCount('cold'), listedHot: await hotTable().locator(`tr[data-lead-key="${edited}"]`).count() }), {
      timeout: READ_AGAIN_WITHIN_MS,
    })
    .toEqual({ hot: hotBefore - 1, cold: coldBefore + 1, listedHot: 0 });
  expect(await panelText()).toContain('Renamed before the edit');

  // Listed by the edited lead's page score now: the next unchanged lead opened reads nothing again.
  await renameListedLead('Renamed after the edit', [edited]);
  await openRecordPage(unchangedToo);
  await panel.waitForTimeout(QUIET_MS);
  expect(await panelText()).not.toContain('Renamed after the edit');
});
