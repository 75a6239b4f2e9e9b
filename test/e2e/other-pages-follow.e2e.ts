/**
 * A page shows what another extension page changed: a second options page, and the side panel,
 * follow a connect, a Disconnect and a sync started on the first (the background tells every page,
 * `connectionsOrRunsChanged`), and read everything again after its "Purge everything".
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectDemoCrms, E2E_HUBSPOT_TOKEN } from './connect';
import { startHarness, type Harness } from './harness';

let harness: Harness;
/** The page the admin acts on. */
let a: Page;
/** Another options page, left open: it is never touched. */
let b: Page;

beforeAll(async () => {
  harness = await startHarness({ grantApiHosts: true, count: 300 });
  a = await connectDemoCrms(harness.context, harness.extensionId);
  b = await harness.context.newPage();
  await b.goto(`chrome-extension://${harness.extensionId}/options.html`);
  await b.getByTestId('connection-salesforce').filter({ hasText: /^Connected: / }).waitFor();
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

const connectionStatus = (page: Page, crm: string) => page.getByTestId(`connection-${crm}`).getAttribute('data-status');

it('the side panel stops advising to sync a CRM another page disconnected, and advises it again once connected', async () => {
  const panel = await harness.context.newPage();
  await panel.goto(`chrome-extension://${harness.extensionId}/sidepanel.html`);
  const advice = panel.getByTestId('no-leads-advice');
  await expect.poll(() => advice.textContent()).toContain('Connected to Salesforce and HubSpot');
  await a.getByRole('button', { name: 'Disconnect HubSpot' }).click();
  await expect.poll(() => advice.textContent()).toContain('Connected to Salesforce: sync it');
  await a.fill('input[name="hubspot-token"]', E2E_HUBSPOT_TOKEN);
  await a.click('[data-testid="connect-hubspot"]');
  await expect.poll(() => advice.textContent()).toContain('Connected to Salesforce and HubSpot');
  // The other options page followed both.
  expect(await connectionStatus(b, 'hubspot')).toBe('connected');
  await panel.close();
});

it('another options page shows a sync started here, to its end, and a Disconnect', async () => {
  await a.click('[data-testid="start-hubspot"]');
  const bSync = b.getByTestId('sync-hubspot');
  // Seen running (or already done), then polled to its end with what it stored, as page A shows it.
  await expect.poll(() => bSync.getAttribute('data-status'), { timeout: 30_000 }).toBe('done');
  await expect.poll(() => a.getByTestId('sync-hubspot').getAttribute('data-status'), { timeout: 30_000 }).toBe('done');
  expect(Number(await bSync.getAttribute('data-stored'))).toBeGreaterThan(0);
  expect(await bSync.getAttribute('data-stored')).toBe(await a.getByTestId('sync-hubspot').getAttribute('data-stored'));

  await a.getByRole('button', { name: 'Disconnect Salesforce' }).click();
  await expect.poll(() => connectionStatus(b, 'salesforce')).toBe('disconnected');
  await expect.poll(() => b.getByTestId('connection-salesforce').textContent()).toMatch(/^Not connected/);
});

it('another options page shows nothing connected after "Purge everything" here', async () => {
  const privacy = a.locator('section#privacy');
  await privacy.getByRole('button', { name: 'Purge everything…' }).click();
  await privacy.getByRole('button', { name: 'Yes, purge everything' }).click();
  await a.getByText('Everything LeadLens stored has been deleted.').waitFor({ timeout: 60_000 });
  await expect.poll(() => connectionStatus(b, 'hubspot')).toBe('disconnected');
  await expect.poll(() => b.getByTestId('sync-hubspot').getAttribute('data-stored')).toBe('0');
});
