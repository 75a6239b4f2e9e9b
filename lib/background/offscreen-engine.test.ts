/**
 * Jobs left running when the browser closed are resumed by opening the offscreen document at
 * start-up, and those whose document closed under them (the worker alive) once their reply fails.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { db } from '../db/db';
import { writeJob } from '../jobs/progress';
import { KEEP_ALIVE_INTERVAL_MS } from './keep-alive';
import { OffscreenJobInterrupted, resumeOffscreenJobs, retierStoredScoresOffscreen, scoreStoredLeadsOffscreen } from './offscreen-engine';

vi.mock('wxt/browser', async () => ({ browser: (await import('wxt/testing/fake-browser')).fakeBrowser }));

/** Whether the offscreen document is open: the faked `getContexts` lists it, `createDocument` opens it. */
let documentOpen = false;
const createDocument = vi.fn(async () => void (documentOpen = true));
/** What Chrome rejects a reply with when the offscreen document closes (or crashes) before it answered. */
const CHANNEL_CLOSED = 'A listener indicated an asynchronous response by returning true, but the message channel closed before a response was received';

beforeEach(async () => {
  fakeBrowser.reset();
  createDocument.mockClear();
  documentOpen = false;
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

describe('a job whose offscreen document closes before it answers', () => {
  const jobs = [
    { kind: 'scoring' as const, run: () => scoreStoredLeadsOffscreen('m'), work: 'scoring of the stored leads' },
    { kind: 'retier' as const, run: () => retierStoredScoresOffscreen('m'), work: 're-tiering of the stored scores' },
  ];
  beforeEach(() => {
    documentOpen = true;
    fakeBrowser.runtime.getContexts = vi.fn(async () => (documentOpen ? [{}] : [])) as never;
  });
  /** The document closes while the job runs: its row stays `running`, and Chrome rejects the reply. */
  const closeDocumentMidway = () => {
    fakeBrowser.runtime.sendMessage = vi.fn(async () => {
      documentOpen = false;
      throw new Error(CHANNEL_CLOSED);
    }) as never;
  };

  it.each(jobs)('opens it again to go on with the $kind job, and says so in plain words', async ({ kind, run, work }) => {
    await writeJob(kind, { modelId: 'm', state: 'running', done: 3, total: 7, startedAt: 1, resumeAfter: 'csv|3' });
    closeDocumentMidway();
    const interrupted = await run().then(
      () => expect.unreachable('the job cannot have answered'),
      (error: unknown) => error,
    );
    expect(interrupted).toBeInstanceOf(OffscreenJobInterrupted);
    expect(interrupted).toMatchObject({
      message: `The ${work} was interrupted (the page running it closed), and goes on where it stopped.`,
      continuing: { modelId: 'm', state: 'running', done: 3 },
    });
    expect(createDocument).toHaveBeenCalledTimes(1);
  });

  it('says it closed before answering, opening nothing, when no job was left running to go on with', async () => {
    await writeJob('scoring', { modelId: 'm', state: 'done', done: 7, total: 7, startedAt: 1, finishedAt: 2 });
    closeDocumentMidway();
    await expect(scoreStoredLeadsOffscreen('m')).rejects.toThrow('The page running the scoring of the stored leads closed before it answered: try again.');
    expect(createDocument).not.toHaveBeenCalled();
  });

  const othersRuns = [
    { whose: 'a sync’s run of the model over one CRM’s leads, its request for every lead', row: { modelId: 'm', source: 'salesforce' as const }, run: () => scoreStoredLeadsOffscreen('m') },
    { whose: 'another model’s run over every lead', row: { modelId: 'other' }, run: () => scoreStoredLeadsOffscreen('m') },
    { whose: 'a run over every lead, a write-back’s request for one CRM’s', row: { modelId: 'm' }, run: () => scoreStoredLeadsOffscreen('m', 'salesforce') },
  ];
  it.each(othersRuns)('says it closed before answering when the job left running is not the caller’s ($whose), opening it again for that one', async ({ row, run }) => {
    await writeJob('scoring', { ...row, state: 'running', done: 3, total: 7, startedAt: 1, resumeAfter: 'csv|3' });
    closeDocumentMidway();
    const interrupted = await run().then(
      () => expect.unreachable('the job cannot have answered'),
      (error: unknown) => error,
    );
    expect(interrupted).toBeInstanceOf(OffscreenJobInterrupted);
    expect(interrupted).toMatchObject({ message: 'The page running the scoring of the stored leads closed before it answered: try again.', continuing: null });
    expect(createDocument).toHaveBeenCalledTimes(1);
  });

  it('leaves an error from a document still open as it is: its reply was malformed', async () => {
    await writeJob('scoring', { modelId: 'm', state: 'running', done: 3, total: 7, startedAt: 1 });
    fakeBrowser.runtime.sendMessage = vi.fn(async () => ({ ok: true, scored: -1 })) as never;
    await expect(scoreStoredLeadsOffscreen('m')).rejects.toThrow(/^LeadLens: malformed reply to scoreStoredLeads/);
    expect(createDocument).not.toHaveBeenCalled();
  });

  it('opens it again once it closes under a write-back’s scoring that was given up on: the job goes on', async () => {
    await writeJob('scoring', { modelId: 'm', state: 'running', done: 3, total: 7, startedAt: 1 });
    let closeDocument!: () => void;
    fakeBrowser.runtime.sendMessage = vi.fn(
      () =>
        new Promise((_, reject) => {
          closeDocument = () => {
            documentOpen = false;
            reject(new Error(CHANNEL_CLOSED));
          };
        }),
    ) as never;
    const controller = new AbortController();
    const scoring = scoreStoredLeadsOffscreen('m', 'salesforce', controller.signal);
    await vi.waitFor(() => expect(fakeBrowser.runtime.sendMessage).toHaveBeenCalledTimes(1));
    controller.abort(new Error('cancelled'));
    await expect(scoring).rejects.toThrow('cancelled');
    closeDocument();
    await vi.waitFor(() => expect(createDocument).toHaveBeenCalledTimes(1));
  });
});
