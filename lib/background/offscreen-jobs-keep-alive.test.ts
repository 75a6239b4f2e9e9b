/**
 * The background waits for the offscreen document's long jobs (scoring every stored lead,
 * re-tiering their scores, checking a model) on behalf of a page. Those jobs make no extension call, so the
 * worker is kept alive while it waits: Chrome stops one idle for 30 s, and the page would get
 * "message channel closed" while the job goes on.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { storedLead } from '../../test/fixtures/stored-lead';
import { storeModel } from '../../test/fixtures/stored-model';
import { stubWebLocks } from '../../test/web-locks';
import { db } from '../db/db';
import { writeJob } from '../jobs/progress';
import { bundledModel } from '../ml/bundled-model';
import { activateModel } from '../ml/model-versions';
import { activateStoredModel, rollBackModel } from './activate-model';
import { leadsHandlers } from './handlers/leads';
import { modelsHandlers } from './handlers/models';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));
vi.mock('../messaging/events', () => ({ sendToCrmTabs: vi.fn(async () => undefined) }));

const bundled = (() => {
  const parsed = bundledModel.manifest();
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.manifest;
})();
const sender = {} as Browser.runtime.MessageSender;
const idleResets = vi.fn(async () => ({}) as Browser.runtime.PlatformInfo);
/** The offscreen job's reply, held until the test sends it. */
let answerJob: (reply: unknown) => void;

beforeEach(async () => {
  fakeBrowser.reset();
  stubWebLocks();
  idleResets.mockClear();
  fakeBrowser.runtime.getPlatformInfo = idleResets;
  fakeBrowser.runtime.getContexts = vi.fn(async () => [{}]) as never; // the offscreen document is open
  fakeBrowser.runtime.sendMessage = vi.fn(() => new Promise((resolve) => (answerJob = resolve))) as never;
  await Promise.all(db.tables.map((table) => table.clear()));
  await storeModel({ ...bundled, modelId: 'trained-1' }, new Uint8Array([1]), 'trained');
  await db.putLeads([storedLead({ source: 'csv', id: '1', origin: 'csv' })]);
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** Starts `request`, lets a minute pass while the offscreen job runs, then answers it. */
async function waitedForAMinute<T>(request: () => Promise<T>, reply: unknown): Promise<{ resetsMeanwhile: number; result: T }> {
  const pending = request();
  await vi.waitFor(() => expect(fakeBrowser.runtime.sendMessage).toHaveBeenCalledTimes(1));
  // Chrome stops a worker idle for 30 s: at least two resets in a minute.
  await vi.advanceTimersByTimeAsync(60_000);
  const resetsMeanwhile = idleResets.mock.calls.length;
  answerJob(reply);
  const result = await pending;
  // None once the reply came.
  await vi.advanceTimersByTimeAsync(60_000);
  expect(idleResets).toHaveBeenCalledTimes(resetsMeanwhile);
  return { resetsMeanwhile, result };
}

it('keeps the worker alive while the stored leads are scored with a model just activated, and answers with its count', async () => {
  const { resetsMeanwhile, result } = await waitedForAMinute(() => activateStoredModel('trained-1'), { ok: true, scored: 1 });
  expect(resetsMeanwhile).toBeGreaterThanOrEqual(2);
  expect(result).toEqual({ ok: true, modelId: 'trained-1', scored: 1, stored: 1 });
});

it('keeps the worker alive while the stored leads are scored with the model rolled back to', async () => {
  await activateModel('trained-1');
  const { resetsMeanwhile, result } = await waitedForAMinute(rollBackModel, { ok: true, scored: 1 });
  expect(resetsMeanwhile).toBeGreaterThanOrEqual(2);
  expect(result).toEqual({ ok: true, modelId: bundled.modelId, scored: 1, stored: 1 });
});

it('keeps the worker alive while the leads a CSV import stored are scored', async () => {
  const { resetsMeanwhile, result } = await waitedForAMinute(() => leadsHandlers.scoreStoredLeads({ modelId: 'trained-1' }, sender), { ok: true, scored: 1 });
  expect(resetsMeanwhile).toBeGreaterThanOrEqual(2);
  expect(result).toEqual({ ok: true, scored: 1 });
});

it('keeps the worker alive while the stored scores are re-tiered with a policy just applied', async () => {
  const { resetsMeanwhile, result } = await waitedForAMinute(() => leadsHandlers.retierStoredScores({ modelId: 'trained-1' }, sender), { ok: true, changed: 1 });
  expect(resetsMeanwhile).toBeGreaterThanOrEqual(2);
  expect(result).toEqual({ ok: true, changed: 1 });
});

it('keeps the worker alive while an imported or trained model is checked, up to its minute', async () => {
  const { resetsMeanwhile, result } = await waitedForAMinute(() => modelsHandlers.checkModel({ modelId: 'trained-1' }, sender), { ok: true });
  expect(resetsMeanwhile).toBeGreaterThanOrEqual(2);
  expect(result).toEqual({ ok: true });
});

it('tells the admin in plain words, not Chrome’s, that the scoring goes on when its document closes mid-way, and opens it again', async () => {
  let documentOpen = true;
  fakeBrowser.runtime.getContexts = vi.fn(async () => (documentOpen ? [{}] : [])) as never;
  const createDocument = vi.fn(async () => void (documentOpen = true));
  (fakeBrowser as unknown as { offscreen: unknown }).offscreen = { createDocument };
  fakeBrowser.runtime.sendMessage = vi.fn(async () => {
    // The job started (its row says so, begun as it was asked) when its document crashed.
    await writeJob('scoring', { modelId: 'trained-1', state: 'running', done: 0, total: 1, startedAt: Date.now() });
    documentOpen = false;
    throw new Error('A listener indicated an asynchronous response by returning true, but the message channel closed before a response was received');
  }) as never;
  expect(await activateStoredModel('trained-1')).toEqual({
    ok: true,
    modelId: 'trained-1',
    scored: 0,
    stored: 1,
    scoringProblem: 'Scoring the stored leads with it was interrupted, and goes on where it stopped.',
  });
  expect(createDocument).toHaveBeenCalledTimes(1);
});
