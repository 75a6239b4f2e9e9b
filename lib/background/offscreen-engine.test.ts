/**
 * Jobs left running when the browser closed are resumed by opening the offscreen document at
 * start-up, and those whose document closed under them (the worker alive) once their reply fails.
 * A document still loading takes no message: its callers wait for it to load, or send once more
 * (however Chrome says no context took it), never a message it took.
 */
import 'fake-indexeddb/auto';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { db } from '../db/db';
import { writeJob } from '../jobs/progress';
import { KEEP_ALIVE_INTERVAL_MS } from './keep-alive';
import { DOCUMENT_LOADING_RETRY_MS, OffscreenJobInterrupted, resumeOffscreenJobs, retierStoredScoresOffscreen, runOffscreen, scoreStoredLeadsOffscreen } from './offscreen-engine';

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

describe('a document still loading', () => {
  /** Chrome's rejection of a message sent to a document listed open that has not loaded yet (it takes no message until then). */
  const NO_RECEIVER = 'Could not establish connection. Receiving end does not exist.';
  /** Whether the listed document loaded: it answers only then. */
  let loaded: boolean;
  let finishLoading: (() => void) | undefined;
  const SCORED = { ok: true, scored: 3 };
  beforeEach(() => {
    loaded = false;
    finishLoading = undefined;
    // As Chrome does: listed from the moment its creation begins, taking messages only once loaded.
    fakeBrowser.runtime.getContexts = vi.fn(async () => (documentOpen ? [{}] : [])) as never;
    (fakeBrowser as unknown as { offscreen: unknown }).offscreen = {
      createDocument: vi.fn(() => {
        documentOpen = true;
        return new Promise<void>((resolve) => (finishLoading = () => resolve(void (loaded = true))));
      }),
    };
    fakeBrowser.runtime.sendMessage = vi.fn(async () => {
      if (!loaded) throw new Error(NO_RECEIVER);
      return SCORED;
    }) as never;
  });
  // A creation a failed test left pending would be joined by the next test's callers.
  afterEach(() => finishLoading?.());

  it('a job asked while this worker creates it waits for it to load, and is sent once', async () => {
    const first = scoreStoredLeadsOffscreen('m');
    await vi.waitFor(() => expect(documentOpen).toBe(true));
    const second = scoreStoredLeadsOffscreen('m', 'salesforce');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fakeBrowser.runtime.sendMessage).not.toHaveBeenCalled();
    finishLoading?.();
    expect(await second).toEqual(SCORED);
    expect(await first).toEqual(SCORED);
    expect(fakeBrowser.runtime.sendMessage).toHaveBeenCalledTimes(2);
  });

  it('a caller told it is open after this worker began creating it waits for it too', async () => {
    // The first caller's look is answered at once; the second's only once the first has begun creating the document.
    let answerLook!: () => void;
    const listing = async () => (documentOpen ? [{}] : []);
    fakeBrowser.runtime.getContexts = vi
      .fn(listing)
      .mockImplementationOnce(listing)
      .mockImplementationOnce(() => new Promise((resolve) => (answerLook = () => resolve(listing())))) as never;
    const first = scoreStoredLeadsOffscreen('m');
    const second = scoreStoredLeadsOffscreen('m', 'salesforce');
    await vi.waitFor(() => expect(documentOpen).toBe(true));
    answerLook();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fakeBrowser.runtime.sendMessage).not.toHaveBeenCalled();
    finishLoading?.();
    expect(await Promise.all([first, second])).toEqual([SCORED, SCORED]);
    expect(fakeBrowser.runtime.sendMessage).toHaveBeenCalledTimes(2);
  });

  describe('left loading by a previous worker (this one did not begin creating it)', () => {
    beforeEach(() => {
      documentOpen = true;
      vi.useFakeTimers({ toFake: ['setTimeout'] });
    });

    const jobs = [
      { kind: 'scoring', run: () => scoreStoredLeadsOffscreen('m'), reply: SCORED, answer: SCORED },
      { kind: 're-tiering', run: () => retierStoredScoresOffscreen('m'), reply: { ok: true, changed: 3 }, answer: { ok: true, changed: 3 } },
      {
        kind: 'engine',
        run: () => runOffscreen('m', Float32Array.of(1, Number.NaN), 2),
        reply: { ok: true, probability: [0.5], contributions: [[0.25, null]] },
        answer: { probability: [0.5], contributions: [[0.25, null]] },
      },
    ];
    it.each(jobs)('sends the $kind request once more after a pause, by when it loaded', async ({ run, reply, answer }) => {
      fakeBrowser.runtime.sendMessage = vi.fn(async () => {
        if (!loaded) throw new Error(NO_RECEIVER);
        return reply;
      }) as never;
      const asked = run();
      // Not vi.waitFor: under fake timers it moves the clock on.
      while (vi.mocked(fakeBrowser.runtime.sendMessage).mock.calls.length === 0) await Promise.resolve();
      loaded = true;
      await vi.advanceTimersByTimeAsync(DOCUMENT_LOADING_RETRY_MS - 1);
      expect(fakeBrowser.runtime.sendMessage).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(await asked).toEqual(answer);
      expect(fakeBrowser.runtime.sendMessage).toHaveBeenCalledTimes(2);
    });

    it('sends it once more only: a document that never takes it leaves the error', async () => {
      const asked = runOffscreen('m', Float32Array.of(1), 1);
      const failed = expect(asked).rejects.toThrow(NO_RECEIVER);
      await vi.advanceTimersByTimeAsync(DOCUMENT_LOADING_RETRY_MS * 3);
      await failed;
      expect(fakeBrowser.runtime.sendMessage).toHaveBeenCalledTimes(2);
    });

    // The options page or side panel open: their event listeners get the message too, and reply nothing.
    const anotherPageListening = [
      { chromeSays: 'the port closed', unanswered: () => Promise.reject(new Error('The message port closed before a response was received.')) },
      { chromeSays: 'no reply', unanswered: () => Promise.resolve(undefined) },
    ];
    it.each(anotherPageListening)('sends it once more when a page that does not reply listens meanwhile (Chrome says $chromeSays)', async ({ unanswered }) => {
      fakeBrowser.runtime.sendMessage = vi.fn(async () => (loaded ? SCORED : unanswered())) as never;
      const asked = scoreStoredLeadsOffscreen('m');
      while (vi.mocked(fakeBrowser.runtime.sendMessage).mock.calls.length === 0) await Promise.resolve();
      loaded = true;
      await vi.advanceTimersByTimeAsync(DOCUMENT_LOADING_RETRY_MS);
      expect(await asked).toEqual(SCORED);
      expect(fakeBrowser.runtime.sendMessage).toHaveBeenCalledTimes(2);
    });

    it('does not send again a message the document took: it closed under it, though listed again (its job may have run)', async () => {
      fakeBrowser.runtime.sendMessage = vi.fn(async () => {
        throw new Error(CHANNEL_CLOSED);
      }) as never;
      const asked = expect(runOffscreen('m', Float32Array.of(1), 1)).rejects.toThrow(CHANNEL_CLOSED);
      await vi.advanceTimersByTimeAsync(DOCUMENT_LOADING_RETRY_MS * 3);
      await asked;
      expect(fakeBrowser.runtime.sendMessage).toHaveBeenCalledTimes(1);
    });

    it('does not send again a message the document answered, even malformed', async () => {
      fakeBrowser.runtime.sendMessage = vi.fn(async () => ({ ok: true, scored: -1 })) as never;
      const asked = expect(scoreStoredLeadsOffscreen('m')).rejects.toThrow(/^LeadLens: malformed reply to scoreStoredLeads/);
      await vi.advanceTimersByTimeAsync(DOCUMENT_LOADING_RETRY_MS * 3);
      await asked;
      expect(fakeBrowser.runtime.sendMessage).toHaveBeenCalledTimes(1);
    });

    it('does not send it again once the document is no longer listed: it closed', async () => {
      fakeBrowser.runtime.sendMessage = vi.fn(async () => {
        documentOpen = false;
        throw new Error(NO_RECEIVER);
      }) as never;
      await expect(runOffscreen('m', Float32Array.of(1), 1)).rejects.toThrow(NO_RECEIVER);
      expect(fakeBrowser.runtime.sendMessage).toHaveBeenCalledTimes(1);
    });
  });
});
