/**
 * A request to a worker of its own, answered once: the ask settles with the worker's answer or
 * why there is none (a failure it reports, a message it should not send, its crash, a reply that
 * could not be read, the caller's abort), the worker terminated each time; the worker answers
 * every request, a failed one too.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { answerEachRequest, askWorkerOnce, okReply, type WorkerReplies } from './worker-once';

/** Stands in for a worker: keeps what it is sent, and sends what a test tells it to. */
class FakeWorker extends EventTarget {
  readonly requests: unknown[] = [];
  terminated = false;
  postMessage(request: unknown) {
    this.requests.push(request);
  }
  terminate() {
    this.terminated = true;
  }
  send(data: unknown) {
    this.dispatchEvent(new MessageEvent('message', { data }));
  }
}

const ReplySchema = z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), count: z.number() }), z.object({ ok: z.literal(false), error: z.string() })]);
const replies: WorkerReplies<{ ok: true; count: number }> = {
  read: okReply(ReplySchema, (error) => `The counter sent an unexpected message: ${error.issues[0].path.join('.')}`),
  crashed: (message) => message || 'The counter failed',
  unreadable: 'The counter sent a reply that could not be read',
};

/** An ask of a fake worker, the worker, and whether the ask has settled yet. */
function ask<Answer extends object>(read: (data: unknown) => Answer | undefined, signal?: AbortSignal) {
  const worker = new FakeWorker();
  let settled = false;
  const answer = askWorkerOnce(() => worker, { count: 'leads' }, { ...replies, read }, signal);
  void answer.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { worker, answer, settled: () => settled };
}

describe('askWorkerOnce', () => {
  it('posts the request and resolves with the answer, the worker terminated', async () => {
    const { worker, answer } = ask(replies.read);
    expect(worker.requests).toEqual([{ count: 'leads' }]);
    expect(worker.terminated).toBe(false);
    worker.send({ ok: true, count: 3 });
    await expect(answer).resolves.toEqual({ ok: true, count: 3 });
    expect(worker.terminated).toBe(true);
  });

  it('waits past the messages its reader does not take as the answer (progress)', async () => {
    const { worker, answer, settled } = ask((data) => ((data as { type: string }).type === 'done' ? { done: true } : undefined));
    worker.send({ type: 'progress' });
    await Promise.resolve();
    expect(settled()).toBe(false);
    expect(worker.terminated).toBe(false);
    worker.send({ type: 'done' });
    await expect(answer).resolves.toEqual({ done: true });
    expect(worker.terminated).toBe(true);
  });

  it('rejects with the failure the worker reports, or the words for a reply its schema refuses', async () => {
    const failed = ask(replies.read);
    failed.worker.send({ ok: false, error: 'No leads are stored.' });
    await expect(failed.answer).rejects.toThrow(/^No leads are stored\.$/);
    expect(failed.worker.terminated).toBe(true);

    const garbled = ask(replies.read);
    garbled.worker.send({ ok: true, count: 'three' });
    await expect(garbled.answer).rejects.toThrow(/^The counter sent an unexpected message: count$/);
    expect(garbled.worker.terminated).toBe(true);
  });

  it('rejects when the worker fails, with its error’s message or the asker’s words, and when its reply cannot be read', async () => {
    const crashed = ask(replies.read);
    crashed.worker.dispatchEvent(Object.assign(new Event('error'), { message: 'Out of memory' }));
    await expect(crashed.answer).rejects.toThrow(/^Out of memory$/);
    expect(crashed.worker.terminated).toBe(true);

    const silent = ask(replies.read);
    silent.worker.dispatchEvent(new Event('error'));
    await expect(silent.answer).rejects.toThrow(/^The counter failed$/);

    const unreadable = ask(replies.read);
    unreadable.worker.dispatchEvent(new MessageEvent('messageerror'));
    await expect(unreadable.answer).rejects.toThrow(/^The counter sent a reply that could not be read$/);
    expect(unreadable.worker.terminated).toBe(true);
  });

  it('rejects with the abort’s reason and terminates the worker; an abort after the answer changes nothing', async () => {
    const aborted = new AbortController();
    const { worker, answer } = ask(replies.read, aborted.signal);
    const reason = new Error('Another file was chosen');
    aborted.abort(reason);
    await expect(answer).rejects.toBe(reason);
    expect(worker.terminated).toBe(true);

    const late = new AbortController();
    const answered = ask(replies.read, late.signal);
    answered.worker.send({ ok: true, count: 1 });
    await expect(answered.answer).resolves.toEqual({ ok: true, count: 1 });
    late.abort();
    await expect(answered.answer).resolves.toEqual({ ok: true, count: 1 });
  });
});

describe('answerEachRequest', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  /** The worker's global scope: its message handler, and what it posted. */
  function workerScope() {
    const scope = { onmessage: null as ((event: { data: unknown }) => Promise<void>) | null, postMessage: vi.fn() };
    vi.stubGlobal('self', scope);
    return scope;
  }

  it('answers each request with its reply, handing its buffers over, and a request it fails on with its failure', async () => {
    const scope = workerScope();
    const counts = Float64Array.of(1, 2);
    answerEachRequest<object>(
      async (data) => {
        if (data !== 'count') throw new Error(`Cannot ${String(data)}`);
        return { reply: { ok: true, counts }, transfer: [counts.buffer] };
      },
      (error, data) => ({ ok: false, error, data }),
    );
    await scope.onmessage!({ data: 'count' });
    await scope.onmessage!({ data: 'fly' });
    expect(scope.postMessage.mock.calls).toEqual([
      [{ ok: true, counts }, { transfer: [counts.buffer] }],
      [{ ok: false, error: 'Cannot fly', data: 'fly' }],
    ]);
  });
});
