/**
 * Connect both CRMs from the options page and sync 10,000 leads from each, with faults
 * injected and the service worker stopped twice mid-sync: every lead stored exactly once,
 * and no credential in storage pages can read, in Dexie, in the page or in the logs. The scale
 * of 100,000 a CRM is `npm run bench:sync`'s: here, the behaviour in a CI's time.
 *
 * Site access: Chrome asks the user to allow the org's API host, and Playwright cannot
 * answer that prompt (microsoft/playwright#32755; chrome.developerPrivate's
 * addHostPermission / user-permitted sites do not grant optional hosts either). So the test
 * runs a copy of the built extension whose manifest lists the two demo API hosts as already
 * granted, exactly what the user's "Allow" leaves behind; `permissions.request` then
 * resolves at once and the rest of the flow is the product's.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Worker } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AUTO_SYNC_ALARM } from '../../lib/sync/schedule';
import { DEMO_OWNERS, generateDemoLeads, specialDemoLeads } from '../../lib/crm/demo-data';
import { parseFaults, seededFaultRolls } from '../demo-crm/behaviour';
import { HUBSPOT_DEFAULT_LIMITS, startDemoCrm, type DemoCrm } from '../demo-crm/server';
import { connectDemoCrms, startSyncs, storedLeadCount, storedLeadCounts, storedOwners, storedScoreCount } from './connect';
import { EXTENSION_DIR, HUBSPOT_API, SALESFORCE_API, chromiumPath } from './harness';
import { withLeadLensDb } from './idb';

const LEADS = 10_000;
/** The purge test's CRMs: enough that a sync is still running when the purge comes. */
const PURGE_LEADS = 6_000;
const TOKEN = 'pat-na1-e2e-secret-0123456789';

let crm: DemoCrm;
let context: BrowserContext;
let profile: string;
let extensionId: string;
const logs: string[] = [];

beforeAll(async () => {
  crm = await startDemoCrm({ port: 0, count: 10, hubspotLimits: HUBSPOT_DEFAULT_LIMITS });
  const now = new Date();
  crm.replaceLeads([...generateDemoLeads({ count: LEADS, seed: 7, now }), ...specialDemoLeads(now)]);
  profile = mkdtempSync(join(tmpdir(), 'leadlens-sync-'));
  const extension = join(profile, 'extension');
  cpSync(EXTENSION_DIR, extension, { recursive: true });
  const manifestPath = join(extension, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.host_permissions = [`https://${SALESFORCE_API}/*`, `https://${HUBSPOT_API}/*`];
  writeFileSync(manifestPath, JSON.stringify(manifest));
  const target = `127.0.0.1:${crm.port}`;
  context = await chromium.launchPersistentContext(join(profile, 'user'), {
    executablePath: chromiumPath(),
    headless: true,
    ignoreHTTPSErrors: true,
    args: [
      `--disable-extensions-except=${extension}`,
      `--load-extension=${extension}`,
      `--host-resolver-rules=MAP *.lightning.force.com ${target}, MAP *.my.salesforce.com ${target}, MAP app.hubspot.com ${target}, MAP ${HUBSPOT_API} ${target}, MAP * ~NOTFOUND, EXCLUDE localhost`,
      '--ignore-certificate-errors', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  extensionId = new URL(worker.url()).host;
  const record = (w: Worker) => w.on('console', (m) => logs.push(m.text()));
  context.serviceWorkers().forEach(record);
  context.on('serviceworker', record);
}, 60_000);

afterAll(async () => {
  await context?.close();
  await crm?.close();
  rmSync(profile, { recursive: true, force: true });
});

it('connects both CRMs and syncs 10,000 leads each through faults and two service worker stops', async () => {
  const options = await connectDemoCrms(context, extensionId, TOKEN);
  expect(await options.textContent('#connections')).toContain(`Connected to HubSpot at ${HUBSPOT_API}`);

  // Faults a sync gets through, on the same share of each CRM's requests: Salesforce's request
  // limit is no 429 to wait out but a 403 that ends the sync (lib/sync/engine.test.ts).
  crm.behaviour.faults = parseFaults('hubspot:429=0.2,hubspot:500=0.1,salesforce:500=0.3,timeout=0.02');
  // The same faults on every run: unseeded rolls could put four stalls inside one 120 s wait
  // below (a CI run failed so, when every stall cost the full 30 s timeout). This stream
  // stalls HubSpot's 23rd, 90th and 124th requests: the 2 % rate over its ~140.
  crm.behaviour.random = seededFaultRolls(2);
  await startSyncs(options);

  const cdp = await context.newCDPSession(options);
  for (const threshold of [3_000, 7_000]) {
    await expect.poll(() => storedLeadCount(options, 'hubspot'), { timeout: 120_000, interval: 500 }).toBeGreaterThan(threshold);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
  }

  for (const source of ['salesforce', 'hubspot']) {
    await expect.poll(() => options.getAttribute(`[data-testid="sync-${source}"]`, 'data-status'), { timeout: 240_000, interval: 1000 }).toBe('done');
  }
  for (const source of ['salesforce', 'hubspot'] as const) {
    const served = crm.behaviour.served[source];
    expect(served.rateLimited + served.serverError, source).toBeGreaterThan(0);
  }
  expect(crm.behaviour.served.hubspot.timeout).toBeGreaterThan(0);
  const counts = await storedLeadCounts(options);
  expect(counts.salesforce).toEqual({ count: LEADS + 2, unique: LEADS + 2 });
  expect(counts.hubspot).toEqual({ count: LEADS + 2, unique: LEADS + 2 });
  // Owners are stored by name (the side panel's owner filter), read from the CRMs' users and owners.
  for (const source of ['salesforce', 'hubspot'] as const) {
    expect(await storedOwners(options, source)).toEqual(DEMO_OWNERS.map((owner) => owner.name).sort());
  }
  // A finished sync scores what it stored, so the side panel and the tier policy have them.
  for (const source of ['salesforce', 'hubspot'] as const) {
    await expect.poll(() => storedScoreCount(options, source), { timeout: 120_000, interval: 1000 }).toBe(LEADS + 2);
  }

  // No credential where pages, content scripts, exports or logs could see it.
  const sid = (await context.cookies(`https://${SALESFORCE_API}/`)).find((c) => c.name === 'sid')!.value;
  const stores = await withLeadLensDb(options, async ({ db, store, request }) => {
    const dump: unknown[] = [];
    for (const name of Array.from(db.objectStoreNames)) {
      if (name === 'leads' || name === 'models') continue; // lead records and model bytes: no credentials by construction; checked below by key
      dump.push(await request(store(name).getAll()));
    }
    return dump;
  });
  const everything =
    JSON.stringify(stores) +
    (await options.evaluate(async () => document.documentElement.outerHTML + JSON.stringify(await (globalThis as unknown as { chrome: { storage: { session: { get(keys: null): Promise<unknown> } } } }).chrome.storage.session.get(null))));
  for (const secret of [TOKEN, sid]) {
    expect(everything).not.toContain(secret);
    expect(logs.join('\n')).not.toContain(secret);
  }
}, 600_000);

it("offers the connected HubSpot portal's own lifecycle stages in the Training form, by label and in the portal's order", async () => {
  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/options.html#training`);
  const training = options.locator('#training');
  await training.getByLabel('History').selectOption('hubspot');
  const reached = training.getByLabel('Lifecycle stage reached');
  // Asked of the background, which reads the portal's property list through the stored connection.
  await expect.poll(() => reached.locator('option').allTextContents(), { timeout: 30_000 }).toContain('Product Qualified Lead');
  const shown = await reached.locator('option').allTextContents();
  expect(shown.slice(0, 8)).toEqual(['Subscriber', 'Lead', 'Marketing Qualified Lead', 'Sales Qualified Lead', 'Product Qualified Lead', 'Opportunity', 'Customer', 'Evangelist']);
  expect(await reached.inputValue()).toBe('opportunity');
  // The check waited for the stages only: it may run now.
  await expect.poll(() => training.getByRole('button', { name: 'Check the data' }).getAttribute('aria-disabled')).toBe('false');
  await options.close();
}, 120_000);

it('purges everything while both CRMs sync: the syncs stop, nothing comes back, and connecting again syncs from the start', async () => {
  crm.behaviour.faults = parseFaults('');
  // Fewer leads than the first test: the purge lands mid-sync all the same (HubSpot's 4 searches
  // a second keep its sync running for 7 s or more), and the sync from the start after it is shorter.
  const now = new Date();
  crm.replaceLeads([...generateDemoLeads({ count: PURGE_LEADS, seed: 8, now }), ...specialDemoLeads(now)]);
  let options = await connectDemoCrms(context, extensionId, TOKEN);
  const purge = async () => {
    await options.getByRole('button', { name: 'Purge everything…' }).click();
    await options.getByRole('button', { name: 'Yes, purge everything' }).click();
    await options.getByText('Everything LeadLens stored has been deleted.').waitFor({ timeout: 90_000 });
    await options.close();
  };
  // The first test's leads and checkpoints go first, so that the next sync starts from nothing.
  await purge();
  options = await connectDemoCrms(context, extensionId, TOKEN);
  expect(await storedLeadCount(options, 'hubspot')).toBe(0);
  await startSyncs(options);
  // Mid-sync: HubSpot answers about four searches of 200 contacts a second; 6,000 take 7.5 s or more.
  await expect.poll(() => storedLeadCount(options, 'hubspot'), { timeout: 60_000, interval: 200 }).toBeGreaterThan(1_000);
  expect(await options.getAttribute('[data-testid="sync-hubspot"]', 'data-status')).toBe('running');
  const watcher = await context.newPage();
  await watcher.goto(`chrome-extension://${extensionId}/options.html#privacy`);
  await purge();

  // Requests already on the wire when the purge began may still land; then the CRMs hear nothing more.
  await watcher.waitForTimeout(500);
  const requestsAfterPurge = { ...crm.behaviour.requests };
  await watcher.waitForTimeout(4_000);
  expect(crm.behaviour.requests).toEqual(requestsAfterPurge);
  await watcher.reload(); // opened before the purge: read the state afresh
  for (const source of ['salesforce', 'hubspot'] as const) {
    expect(await storedLeadCount(watcher, source), source).toBe(0);
    await expect.poll(() => watcher.getAttribute(`[data-testid="connection-${source}"]`, 'data-status')).toBe('disconnected');
    expect(await watcher.getAttribute(`[data-testid="sync-${source}"]`, 'data-status')).not.toBe('running');
  }
  await watcher.close();

  // The checkpoints went too: connected again, each CRM syncs every lead once more.
  options = await connectDemoCrms(context, extensionId, TOKEN);
  await startSyncs(options);
  for (const source of ['salesforce', 'hubspot']) {
    await expect.poll(() => options.getAttribute(`[data-testid="sync-${source}"]`, 'data-status'), { timeout: 240_000, interval: 1000 }).toBe('done');
  }
  const counts = await storedLeadCounts(options);
  expect(counts.salesforce).toEqual({ count: PURGE_LEADS + 2, unique: PURGE_LEADS + 2 });
  expect(counts.hubspot).toEqual({ count: PURGE_LEADS + 2, unique: PURGE_LEADS + 2 });
  // A finished sync scores what it stored, so the side panel and the tier policy have them.
  for (const source of ['salesforce', 'hubspot'] as const) {
    await expect.poll(() => storedScoreCount(options, source), { timeout: 120_000, interval: 1000 }).toBe(PURGE_LEADS + 2);
  }
}, 600_000);

it('syncs each connected CRM by itself when automatic syncs are on, when their alarm comes', async () => {
  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/options.html#sync`);
  type Chrome = { chrome: typeof browser };
  const lastRuns = () =>
    options.evaluate(async () => {
      const reply = await (globalThis as unknown as Chrome).chrome.runtime.sendMessage({ target: 'background', type: 'syncStatus', payload: {} });
      return Object.fromEntries(reply.syncs.map((sync: { crm: string; lastRun: { finishedAt: number } | null }) => [sync.crm, sync.lastRun?.finishedAt ?? 0]));
    });
  const before = await lastRuns();
  // One lead of each CRM, changed since, now has a field in a shape LeadLens cannot read: the
  // automatic syncs leave it out, name it, and store the rest.
  const [oddLead] = crm.leads;
  const odd = { salesforce: { id: oddLead.salesforceId, field: 'Company' }, hubspot: { id: oddLead.hubspotId, field: 'company' } } as const;
  for (const source of ['salesforce', 'hubspot'] as const) {
    crm.behaviour.oddRecords.set(odd[source].id, { field: odd[source].field, value: { name: 'Acme <b>Corp</b>' } });
    crm.markModified(oddLead, source);
  }
  const alarm = () => options.evaluate(async (name) => (await (globalThis as unknown as Chrome).chrome.alarms.get(name)) ?? null, AUTO_SYNC_ALARM);

  await options.getByLabel('Sync automatically').selectOption({ label: 'Every hour' });
  await options.getByTestId('auto-sync-next').waitFor();
  expect((await alarm())?.periodInMinutes).toBe(60);
  expect(await options.getByTestId('auto-sync-next').textContent()).toMatch(/^Next automatic sync: /);

  // The hour, shortened: the background's alarm fires now.
  await options.evaluate((name) => (globalThis as unknown as Chrome).chrome.alarms.create(name, { when: Date.now() + 200 }), AUTO_SYNC_ALARM);
  await expect
    .poll(async () => {
      const after = await lastRuns();
      return ['salesforce', 'hubspot'].every((crm) => after[crm] > before[crm]);
    }, { timeout: 120_000, interval: 1000 })
    .toBe(true);
  await options.reload(); // its own poll, a minute apart while syncs are automatic, may not have come yet
  for (const source of ['salesforce', 'hubspot'] as const) {
    const note = options.getByTestId(`sync-${source}`).getByTestId('sync-left-out');
    await note.waitFor({ timeout: 30_000 });
    const label = source === 'salesforce' ? 'Salesforce' : 'HubSpot';
    const text = await note.textContent();
    const field = `${source === 'salesforce' ? '' : 'properties\\.'}${odd[source].field}`;
    expect(text).toMatch(new RegExp(`^1 lead from ${label} could not be read and is left out \\(${odd[source].id}: ${field}: Invalid input[^()]*\\)\\. A sync reads it again when it next changes in ${label}\\.$`));
    expect(text).not.toContain('Acme');
  }
  crm.behaviour.oddRecords.clear();

  await options.getByLabel('Sync automatically').selectOption({ label: 'Off: only when I press Sync now' });
  await expect.poll(() => options.getByTestId('auto-sync-next').count()).toBe(0);
  expect(await alarm()).toBeNull();
  await options.close();
}, 300_000);
