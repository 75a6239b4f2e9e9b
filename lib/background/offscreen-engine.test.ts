/** Jobs left running when the browser closed are resumed by opening the offscreen document at start-up. */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { db } from '../db/db';
import { writeJob } from '../jobs/progress';
import { KEEP_ALIVE_INTERVAL_MS } from './keep-alive';
import { resumeOffscreenJobs, scoreStoredLeadsOffscreen } from './offscreen-engine';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

const createDocument = vi.fn(async () => undefined);

beforeEach(async () => {
  fakeBrowser.reset();
  createDocument.mockClear();
  fakeBrowser.runtime.getContexts = vi.fn(async () => []) as never;
  (fakeBrowser as unknown as { offscreen: unknown }).offscreen = { createDocument };
  await db.settings.clear();
});
afterEach(() => vi.useRealTimers());

it('opens the offscreen document when a re-tiering or scoring job was left running', async () => {
  await writeJob('retier', { modelId: 'm', state: 'running', done: 3, total: 7, startedAt: 1 });
  await resumeOffscreenJobs();
  expect(createDocument).toHaveBeenCalledTimes(1);
});

it('opens nothing when every job finished', async () => {
  await writeJob('scoring', { modelId: 'm', state: 'done', done: 7, total: 7, startedAt: 1, finishedAt: 2 });
  await resumeOffscreenJobs();
  expect(createDocument).not.toHaveBeenCalled();
});

it('stops waiting for a bulk scoring once its caller gives up (a cancelled write-back), asking nothing more of the job', async () => {
  fakeBrowser.runtime.getContexts = vi.fn(async () => [{}]) as never; // the document is open
  const sendMessage = vi.fn(() => new Promise(() => undefined)); // the job runs on
  fakeBrowser.runtime.sendMessage = sendMessage as never;
  const controller = new AbortController();
  const scoring = scoreStoredLeadsOffscreen('m', 'salesforce', controller.signal);
  await vi.waitFor(() => expect(sendMessage).toHaveBeenCalledTimes(1));
  controller.abort(new Error('cancelled'));
  await expect(scoring).rejects.toThrow('cancelled');
  expect(sendMessage).toHaveBeenCalledTimes(1);
});

it('keeps the worker alive while a write-back waits for its scoring, and no longer once it gives up', async () => {
  fakeBrowser.runtime.getContexts = vi.fn(async () => [{}]) as never;
  const sendMessage = vi.fn(() => new Promise(() => undefined));
  fakeBrowser.runtime.sendMessage = sendMessage as never;
  const idleResets = vi.fn(async () => ({}) as Browser.runtime.PlatformInfo);
  fakeBrowser.runtime.getPlatformInfo = idleResets;
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  const controller = new AbortController();
  const scoring = scoreStoredLeadsOffscreen('m', 'salesforce', controller.signal);
  await vi.waitFor(() => expect(sendMessage).toHaveBeenCalledTimes(1));
  await vi.advanceTimersByTimeAsync(KEEP_ALIVE_INTERVAL_MS * 3);
  expect(idleResets).toHaveBeenCalledTimes(3);
  controller.abort(new Error('cancelled'));
  await expect(scoring).rejects.toThrow('cancelled');
  await vi.advanceTimersByTimeAsync(KEEP_ALIVE_INTERVAL_MS * 3);
  expect(idleResets).toHaveBeenCalledTimes(3);
});
