/**
 * The model check's deadline, with the check in a real thread of its own (node:worker_threads
 * standing in for the Web Worker): a thread that never answers is stopped at the deadline and the
 * model refused in words; a verdict is passed on as the worker gives it, and a malformed one refused.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { checkModelInWorker, type RunningCheck } from './check-in-worker';
import type { ModelCheckRequest } from './check-worker-protocol';

/** A check in a thread running `script` (CommonJS, given the request as `workerData`), and a promise of its exit. */
function threadCheck(script: string) {
  let exited!: Promise<number>;
  const start = (request: ModelCheckRequest): RunningCheck => {
    const thread = new Worker(script, { eval: true, workerData: request });
    exited = new Promise((resolve) => thread.once('exit', resolve));
    const verdict = new Promise<unknown>((resolve, reject) => {
      thread.once('message', resolve);
      thread.once('error', reject);
    });
    return { verdict, stop: () => void thread.terminate() };
  };
  return { start, exited: () => exited };
}

describe('checkModelInWorker', () => {
  it('stops a check still computing at the deadline and says why, the thread terminated', async () => {
    // Busy for good, as ONNX Runtime inside a run that broadcasts to a huge intermediate: no message is read.
    const busy = threadCheck('for (;;) {}');
    const started = performance.now();
    await expect(checkModelInWorker('slow', { start: busy.start, deadlineMs: 2000 })).rejects.toThrow(
      'model.onnx was still computing its check after 2 seconds, where a lead-scoring model takes a second or two. It would hold up every badge and bulk scoring as long, so it was stopped.',
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(1990);
    await expect(busy.exited()).resolves.toBe(1); // terminated, not finished
  });

  it('passes on the worker’s verdict for the model it was asked about, and stops the thread', async () => {
    const answering = (verdict: string) =>
      threadCheck(`const { parentPort, workerData } = require('node:worker_threads'); parentPort.postMessage(${verdict}); setInterval(() => {}, 1000);`);
    const passes = answering('{ ok: workerData.modelId === "m-1" }');
    await expect(checkModelInWorker('m-1', { start: passes.start })).resolves.toBeUndefined();
    await expect(passes.exited()).resolves.toBe(1);

    const fails = answering('{ ok: false, error: "The model returned probabilities outside 0–1" }');
    await expect(checkModelInWorker('m-2', { start: fails.start })).rejects.toThrow(/^The model returned probabilities outside 0–1$/);

    const garbled = answering('{ ok: "yes" }');
    await expect(checkModelInWorker('m-3', { start: garbled.start })).rejects.toThrow('The model check sent an unexpected reply');
    await expect(checkModelInWorker('m-1', { start: answering('{ ok: false }').start })).rejects.toThrow('The model check sent an unexpected reply');
  });

  it('runs one check at a time: the next thread starts once the one before has ended, its deadline counted from its own start', async () => {
    const started: string[] = [];
    const recording = (check: ReturnType<typeof threadCheck>) => (request: ModelCheckRequest) => (started.push(request.modelId), check.start(request));
    const busy = threadCheck('for (;;) {}');
    const passes = threadCheck(`require('node:worker_threads').parentPort.postMessage({ ok: true }); setInterval(() => {}, 1000);`);
    const first = checkModelInWorker('slow', { start: recording(busy), deadlineMs: 1500 });
    const second = checkModelInWorker('quick', { start: recording(passes), deadlineMs: 1000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(started).toEqual(['slow']);
    await expect(first).rejects.toThrow(/still computing/);
    await expect(second).resolves.toBeUndefined(); // within its own second, though 1.5 s after it was asked for
    expect(started).toEqual(['slow', 'quick']);
  });
});
