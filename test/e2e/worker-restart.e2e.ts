/**
 * Chrome stops the background's service worker while an options page waits for its answer
 * (`ServiceWorker.stopAllWorkers`, as when it takes the worker for idle): the page gets no reply,
 * only Chrome's "message channel closed". It reads back what is stored and says what came of its
 * request, never Chrome's sentence: an activation's model is active and its scoring goes on; a
 * tier policy is applied and its re-tiering runs in its turn; a purge is finished by the next worker.
 */
import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundledManifest } from '../bundled-model-session';
import { startHarness, type Harness } from './harness';
import { withLeadLensDb } from './idb';
import { loadDemoDataThroughUi, openExtensionPage } from './pages';

let harness: Harness;
let options: Page;
const bundled = bundledManifest();

beforeAll(async () => {
  harness = await startHarness();
  await loadDemoDataThroughUi(harness);
  options = await openExtensionPage(harness, 'options.html');
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

const CHROME_SAID = /message channel closed|message port closed|Receiving end does not exist/;
const section = (id: string) => options.locator(`section#${id}`);
const setting = (key: string) =>
  withLeadLensDb(options, ({ store, request }, k) => request(store('settings').get(k as string)), key) as Promise<{ value: unknown } | undefined>;
const jobState = async (kind: 'scoring' | 'retier') => ((await setting(`job:${kind}`))?.value as { state?: string } | undefined)?.state;

/** What the lines `selector` finds in `where` say, once they match `outcome`. */
async function saidOnce(where: Locator, selector: string, outcome: RegExp): Promise<string> {
  const lines = where.locator(selector);
  const said = async () => (await lines.allInnerTexts()).join(' ').trim();
  await expect.poll(said, { timeout: 30_000 }).toMatch(outcome);
  return said();
}

async function stopWorker() {
  const cdp = await harness.context.newCDPSession(options);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
}

it('activation: says the model is active and its scoring goes on, once the model is active', async () => {
  const versions = section('versions');
  await versions
    .locator('input[name="manifest"]')
    .setInputFiles({ name: 'manifest.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...bundled, modelId: 'imported-copy' })) });
  await versions.locator('input[name="onnx"]').setInputFiles({ name: 'model.onnx', mimeType: 'application/octet-stream', buffer: readFileSync('models/model.onnx') });
  await versions.getByRole('button', { name: 'Import model' }).click();
  await versions.getByText(/Imported imported-copy/).waitFor({ timeout: 15_000 });
  await versions.getByRole('button', { name: 'Activate imported-copy' }).click();
  // Active before its scoring of the stored leads ends: stopped while that scoring runs (a few seconds over the demo leads).
  const scoringRun = async () => (await setting('job:scoring'))?.value as { modelId?: string; state?: string } | undefined;
  await expect.poll(scoringRun, { interval: 10, timeout: 15_000 }).toMatchObject({ modelId: 'imported-copy', state: 'running' });
  expect((await setting('activeModelId'))?.value).toBe('imported-copy');
  await stopWorker();
  const said = await saidOnce(versions, '[role="status"], [role="alert"]', /imported-copy is active|try again/);
  expect(said).not.toMatch(CHROME_SAID);
  expect(said).toMatch(/^imported-copy is active: CRM badges in this browser use it now\. LeadLens's background stopped while it scored the stored leads with it: that scoring goes on where it stopped\./);
  // And it does: the scoring the activation owes ends, done.
  await expect.poll(() => setting('job:scoring:owed').then((owed) => (owed?.value as { everyLead?: string } | undefined)?.everyLead ?? null), { timeout: 60_000 }).toBeNull();
  expect(await jobState('scoring')).toBe('done');
}, 120_000);

it('tier policy: says the policy is applied and its re-tiering runs in its turn, not that it failed', async () => {
  await options.reload();
  const tiers = section('tiers');
  await tiers.locator('input[name="policy"][value="fixed"]').check();
  const inputs = tiers.locator('.filters input');
  await inputs.nth(0).fill('40');
  await inputs.nth(1).fill('10');
  // The re-tiering waits for its turn (the stored scores' lock, held here): the background waits for its answer until it is stopped.
  await options.evaluate(
    () =>
      new Promise<void>((held) => {
        const page = globalThis as unknown as { releaseStoredScores: () => void };
        void navigator.locks.request('leadlens-stored-scores', () => {
          held();
          return new Promise<void>((release) => (page.releaseStoredScores = release));
        });
      }),
  );
  await tiers.getByRole('button', { name: 'Apply this policy' }).click();
  // Asked of the offscreen document, which holds its request's lock while it waits for its turn.
  const retierAsked = () => options.evaluate(async () => ((await navigator.locks.query()).held ?? []).some((lock) => lock.name?.startsWith('leadlens-retier-request|')));
  await expect.poll(retierAsked, { interval: 10, timeout: 15_000 }).toBe(true);
  await stopWorker();
  const said = await saidOnce(tiers, '[data-testid="policy-applied"], [role="alert"]', /Applied|could not be re-tiered/);
  expect(said).not.toMatch(CHROME_SAID);
  expect(said).toMatch(
    /^Applied \(hot from 40%, warm from 10% likely\): badges in this browser use it\. LeadLens's background stopped before it re-tiered the stored leads: they are re-tiered in their turn, when it starts again or at its hourly check at the latest\.$/,
  );
  // And they are, once their turn comes.
  await options.evaluate(() => (globalThis as unknown as { releaseStoredScores: () => void }).releaseStoredScores());
  await expect.poll(() => jobState('retier'), { timeout: 30_000 }).toBe('done');
  await expect.poll(() => setting('job:scoring:owed').then((owed) => (owed?.value as { retiers?: unknown[] } | undefined)?.retiers?.length ?? 0)).toBe(0);
}, 120_000);

it('purge: says everything was deleted once the next worker finished the purge cut short', async () => {
  await options.reload();
  const privacy = section('privacy');
  await privacy.getByRole('button', { name: 'Purge everything…' }).click();
  // Stopped as soon as the purge's mark is stored: every job has stopped, and it begins deleting.
  await options.evaluate(() => {
    const chrome = (globalThis as unknown as { chrome: { storage: { onChanged: { addListener(listener: (changes: Record<string, { newValue?: unknown }>) => void): void } } } }).chrome;
    (globalThis as unknown as { marked: Promise<void> }).marked = new Promise<void>((resolve) =>
      chrome.storage.onChanged.addListener((changes) => {
        if (changes['purge-pending']?.newValue === true) resolve();
      }),
    );
  });
  await privacy.getByRole('button', { name: 'Yes, purge everything' }).click();
  await options.evaluate(() => (globalThis as unknown as { marked: Promise<void> }).marked);
  await stopWorker();
  const said = await saidOnce(privacy, '[role="status"]', /has been deleted|purge again|stopped/);
  expect(said).not.toMatch(CHROME_SAID);
  expect(said).toBe(
    "Everything LeadLens stored has been deleted. LeadLens's background stopped before it answered, so it cannot say which CRM fields still hold scores write-back wrote: any there stay until you empty those fields in the CRM. Nor whether Salesforce ended LeadLens's sign-in: if Salesforce was connected, check it under Setup → Connected Apps OAuth Usage.",
  );
  expect(await withLeadLensDb(options, ({ store, request }) => request(store('leads').count()))).toBe(0);
  expect(await options.evaluate(() => (globalThis as unknown as { chrome: { storage: { local: { get(key: string): Promise<object> } } } }).chrome.storage.local.get('purge-pending'))).toEqual({});
}, 120_000);
