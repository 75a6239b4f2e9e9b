/**
 * Connecting the demo CRMs from the options page as an admin does, syncing them, reading
 * what the extension stored, and the checks that no credential shows up where pages,
 * content scripts, exports or logs could see it. Shared by the e2e tests and `bench:sync`
 * (the API hosts must be granted: `grantApiHosts`).
 */
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { expect } from 'vitest';
import type { CrmKind } from '../../lib/crm/types';
import { SALESFORCE_API } from './harness';
import { withLeadLensDb } from './idb';

export const CRMS: readonly CrmKind[] = ['salesforce', 'hubspot'];

/** A private-app token shaped like HubSpot's; any bearer token passes the demo CRM. */
export const E2E_HUBSPOT_TOKEN = 'pat-na1-e2e-secret-0123456789';

/** One record however its id is spelled: Salesforce accepts the 15-character (case-sensitive) form of an 18-character Id. */
export function recordIdentity(crm: CrmKind, id: string): string {
  return crm === 'salesforce' ? id.slice(0, 15) : id;
}

/** Waits with Playwright, not vitest's `expect.poll`: `bench:sync` runs these steps outside vitest. */
async function waitForConnected(options: Page, crm: CrmKind): Promise<void> {
  const status = options.getByTestId(`connection-${crm}`);
  try {
    await status.filter({ hasText: /^Connected: / }).waitFor({ timeout: 20_000 });
  } catch {
    throw new Error(`${crm} did not connect: "${await status.textContent()}"`);
  }
}

/** Logs in to the demo Salesforce (the `sid` cookie), then connects both CRMs from the options page; returns that page. */
export async function connectDemoCrms(context: BrowserContext, extensionId: string, token = E2E_HUBSPOT_TOKEN): Promise<Page> {
  const login = await context.newPage();
  await login.goto(`https://${SALESFORCE_API}/`);
  await login.close();
  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/options.html#connections`);
  await options.fill('input[name="salesforce-host"]', SALESFORCE_API);
  await options.click('[data-testid="connect-salesforce"]');
  await waitForConnected(options, 'salesforce');
  await options.fill('input[name="hubspot-token"]', token);
  await options.click('[data-testid="connect-hubspot"]');
  await waitForConnected(options, 'hubspot');
  return options;
}

/** Starts both syncs from the options page's Sync section (the page the connections were made on). */
export async function startSyncs(options: Page): Promise<void> {
  for (const crm of CRMS) await options.click(`[data-testid="start-${crm}"]`);
}

/** Stored record ids per CRM (duplicates included), from the extension's IndexedDB. */
export async function storedLeadIds(page: Page): Promise<Record<CrmKind, string[]>> {
  const keys = (await withLeadLensDb(page, ({ store, request }) => request(store('leads').getAllKeys()))) as string[];
  const ids: Record<CrmKind, string[]> = { salesforce: [], hubspot: [] };
  for (const key of keys) {
    const separator = key.indexOf('|');
    ids[key.slice(0, separator) as CrmKind]?.push(key.slice(separator + 1));
  }
  return ids;
}

/**
 * How many leads of the CRM are stored: a key-range count, cheap enough to poll while a sync
 * writes (reading every key would hold the store and slow the very sync being watched).
 */
export async function storedLeadCount(page: Page, crm: CrmKind): Promise<number> {
  return withLeadLensDb(page, ({ store, request }, prefix) => request(store('leads').count(IDBKeyRange.bound(prefix, `${prefix}\uffff`))), `${crm}|`);
}

/** The distinct owners the CRM's stored leads carry. */
export async function storedOwners(page: Page, crm: CrmKind): Promise<string[]> {
  return withLeadLensDb(
    page,
    async ({ store, request }, prefix) => {
      const leads: { owner: string }[] = await request(store('leads').getAll(IDBKeyRange.bound(prefix, `${prefix}\uffff`)));
      return [...new Set(leads.map((lead) => lead.owner))].sort();
    },
    `${crm}|`,
  );
}

/** Stored scores of the CRM's leads (of any model). */
export async function storedScoreCount(page: Page, crm: CrmKind): Promise<number> {
  return withLeadLensDb(page, ({ store, request }, prefix) => request(store('leadScores').index('leadKey').count(IDBKeyRange.bound(prefix, `${prefix}\uffff`))), `${crm}|`);
}

/** Stored leads per CRM, and how many distinct records they are. */
export async function storedLeadCounts(page: Page): Promise<Record<CrmKind, { count: number; unique: number }>> {
  const ids = await storedLeadIds(page);
  const count = (crm: CrmKind) => ({ count: ids[crm].length, unique: new Set(ids[crm].map((id) => recordIdentity(crm, id))).size });
  return { salesforce: count('salesforce'), hubspot: count('hubspot') };
}

/** The Salesforce session id the browser holds for the demo org. */
export async function salesforceSessionCookie(context: BrowserContext): Promise<string> {
  const sid = (await context.cookies(`https://${SALESFORCE_API}/`)).find((cookie) => cookie.name === 'sid');
  if (!sid) throw new Error('Not logged in to the demo Salesforce');
  return sid.value;
}

/** Every console message of the extension's service workers (this one and any restarted one), from now on. */
export function recordServiceWorkerConsole(context: BrowserContext): string[] {
  const lines: string[] = [];
  const record = (worker: Worker) => worker.on('console', (message) => lines.push(message.text()));
  context.serviceWorkers().forEach(record);
  context.on('serviceworker', record);
  return lines;
}

/** Fails when any of `places` (page HTML, logs, exported files…) contains any secret; names the place, never the secret. */
export function expectNoSecretIn(places: Record<string, string>, secrets: readonly string[]): void {
  for (const [place, text] of Object.entries(places)) {
    for (const secret of secrets) expect(text.includes(secret), `a credential appears in ${place}`).toBe(false);
  }
}
