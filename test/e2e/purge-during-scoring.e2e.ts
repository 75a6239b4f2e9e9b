/**
 * "Purge everything" while the offscreen document scores every stored lead, in a real
 * browser: the purge's wait for the stored scores' lock reaches the job in the offscreen
 * document (another context than the service worker the purge runs in), the job pauses after
 * its batch instead of running to its end, and nothing is written after the purge.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness';
import { withLeadLensDb } from './idb';
import { openExtensionPage } from './pages';

/** Enough leads that scoring them takes many batches (1,000 each). */
const LEADS = 20_000;

let harness: Harness;
let options: Page;

beforeAll(async () => {
  harness = await startHarness();
  options = await openExtensionPage(harness, 'options.html');
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

type Reply = { ok: true } | { ok: false; error: string };

/** Sends a message to the background from the options page, as the page's own client does. */
function send(page: Page, type: string, payload: object): Promise<Reply & Record<string, unknown>> {
  return page.evaluate(
    ({ type, payload }) => (globalThis as unknown as { chrome: typeof browser }).chrome.runtime.sendMessage({ target: 'background', type, payload }),
    { type, payload },
  );
}

/** The extension's stored counts and the scoring job's row, read with the plain IndexedDB API. */
function stored(page: Page): Promise<{ leads: number; summaries: number; scores: number; job: { modelId: string; state: string; done: number } | null }> {
  return withLeadLensDb(page, async ({ store, request }) => ({
    leads: await request(store('leads').count()),
    summaries: await request(store('leadSummaries').count()),
    scores: await request(store('leadScores').count()),
    job: ((await request(store('settings').get('job:scoring'))) as { value: { modelId: string; state: string; done: number } } | undefined)?.value ?? null,
  }));
}

it('pauses a bulk scoring for a purge: the purge does not wait for the run, and nothing comes back after it', async () => {
  expect(await send(options, 'loadDemoData', { count: LEADS })).toMatchObject({ ok: true, leads: LEADS });
  expect(await stored(options)).toMatchObject({ leads: LEADS, summaries: LEADS, scores: LEADS, job: { state: 'done', done: LEADS } });
  const { modelId } = (await stored(options)).job!;

  // Every lead scored again (as after activating a model); the reply comes when the job ends.
  const scoring = send(options, 'scoreStoredLeads', { modelId });
  await expect.poll(async () => (await stored(options)).job, { timeout: 60_000, interval: 100 }).toMatchObject({ state: 'running', done: expect.any(Number) });
  await expect.poll(async () => (await stored(options)).job?.done ?? 0, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(2_000);

  const privacy = options.locator('section#privacy');
  await privacy.getByRole('button', { name: 'Purge everything…' }).click();
  await privacy.getByRole('button', { name: 'Yes, purge everything' }).click();
  await options.getByText('Everything LeadLens stored has been deleted.').waitFor({ timeout: 90_000 });

  // Had the purge waited for the run, the run would have ended with every lead scored; paused,
  // it found its leads and its row deleted when its turn came back.
  expect(await scoring).toEqual({ ok: false, error: expect.stringContaining('the stored leads and scores were deleted') });
  await options.waitForTimeout(2_000);
  expect(await stored(options)).toEqual({ leads: 0, summaries: 0, scores: 0, job: null });
}, 300_000);
