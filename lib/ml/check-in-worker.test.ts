/**
 * The model check's deadline, with the check in a real thread of its own (node:worker_threads
 * standing in for the Web Worker): a thread that never answers is stopped at the deadline and the
 * model refused in words; a verdict is passed on as the worker gives it, and a malformed one refused.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { AskedWorker } from '../worker-once';
import { checkModelInWorker } from './check-in-worker';
import type { ModelCheckRequest } from './check-worker-protocol';

/** A thread running `script` (CommonJS) as the check's worker, its messages and errors as a Web Worker's events. */
class ThreadWorker extends EventTarget {
  readonly thread: Worker;
  constructor(script: string) {
    super();
    this.thread = new Worker(script, { eval: true });
    this.thread.on('message', (data: unknown) => this.dispatchEvent(new MessageEvent('message', { data })));
    this.thread.on('error', (error: Error) => this.dispatchEvent(Object.assign(new Event('error'), { message: error.message })));
  }
  postMessage(message: unknown) {
    this.thread.postMessage(message);
  }
  terminate() {
    void this.thread.terminate();
  }
}

/** Checks in threads running `script`, and a promise of the last one's exit. */
function threadCheck(script: string) {
  let exited!: Promise<number>;
  const createWorker = (): AskedWorker => {
    const worker = new ThreadWorker(script);
    exited = new Promise((resolve) => worker.thread.once('exit', resolve));
    return worker;
  };
  return { createWorker, exited: () => exited };
}

describe('checkModelInWorker', () => {
  it('stops a check still computing at the deadline and says why, the thread terminated', async () => {
    // Busy for good, as ONNX Runtime inside a run that broadcasts to a huge intermediate: no message is read.
    const busy = threadCheck('for (;;) {}');
    const started = performance.now();
    await expect(checkModelInWorker('slow', { createWorker: busy.createWorker, deadlineMs: 2000 })).rejects.toThrow(
      'model.onnx was still computing its check after 2 seconds, where a lead-scoring model takes a second or two. It would hold up every badge and bulk scoring as long, so it was stopped.',
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(1990);
    await expect(busy.exited()).resolves.toBe(1); // terminated, not finished
  });

  it('passes on the worker’s verdict for the model it was asked about, and stops the thread', async () => {
    const answering = (verdict: string) =>
      threadCheck(`const { parentPort } = require('node:worker_threads'); parentPort.once('message', (request) => parentPort.postMessage(${verdict})); setInterval(() => {}, 1000);`);
    const passes = answering('{ ok: request.modelId === "m-1" }');
    await expect(checkModelInWorker('m-1', { createWorker: passes.createWorker })).resolves.toBeUndefined();
    await expect(passes.exited()).resolves.toBe(1);

    const fails = answering('{ ok: false, error: "The model returned probabilities outside 0–1" }');
    await expect(checkModelInWorker('m-2', { createWorker: fails.createWorker })).rejects.toThrow(/^The model returned probabilities outside 0–1$/);

    const garbled = answering('{ ok: "yes" }');
    await expect(checkModelInWorker('m-3', { createWorker: garbled.createWorker })).rejects.toThrow('The model check sent an unexpected reply');
    await expect(checkModelInWorker('m-1', { createWorker: answering('{ ok: false }').createWorker })).rejects.toThrow('The model check sent an unexpected reply');
  });

  it('says why when the check’s worker fails before a verdict', async () => {
    const failing = threadCheck(`require('node:worker_threads').parentPort.once('message', () => { throw new Error('out of memory'); });`);
    await expect(checkModelInWorker('m-1', { createWorker: failing.createWorker })).rejects.toThrow(/^The model check stopped: out of memory$/);
  });

  it('runs one check at a time: the next thread starts once the one before has ended, its deadline counted from its own start', async () => {
    const started: string[] = [];
    const recording = (check: ReturnType<typeof threadCheck>) => () => {
      const worker = check.createWorker();
      const post = worker.postMessage.bind(worker);
      worker.postMessage = (request: ModelCheckRequest) => (started.push(request.modelId), post(request));
      return worker;
    };
    const busy = threadCheck('for (;;) {}');
    const passes = threadCheck(`require('node:worker_threads').parentPort.postMessage({ ok: true }); setInterval(() => {}, 1000);`);
    const first = checkModelInWorker('slow', { createWorker: recording(busy), deadlineMs: 1500 });
    const second = checkModelInWorker('quick', { createWorker: recording(passes), deadlineMs: 1000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(started).toEqual(['slow']);
    await expect(first).rejects.toThrow(/still computing/);
    await expect(second).resolves.toBeUndefined(); // within its own second, though 1.5 s after it was asked for
    expect(started).toEqual(['slow', 'quick']);
  });
});
