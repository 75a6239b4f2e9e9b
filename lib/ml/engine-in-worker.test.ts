/**
 * The offscreen document's engine watchdog, with its worker a real thread (node:worker_threads
 * standing in for the Web Worker, answering as a script says): a run still going at its deadline
 * has its thread terminated and its model held back until forgotten, while other models go on in
 * a new thread; the engine's failures keep their names; runs go one at a time.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { engineWatchdog, ModelStalledError, runDeadlineMs, STALL_FACTOR, type EngineThread } from './engine-in-worker';

/**
 * Threads running `script` (CommonJS; `reply(request)` is called with each request, its return
 * value posted back, unless undefined), the ones started, and the exit codes of those ended.
 */
function threads(script: string) {
  const started: Worker[] = [];
  const exits: Promise<number>[] = [];
  const start = (): EngineThread => {
    const thread = new Worker(`const { parentPort } = require('node:worker_threads'); ${script}; parentPort.on('message', (request) => { const answer = reply(request); if (answer !== undefined) parentPort.postMessage(answer); });`, { eval: true });
    started.push(thread);
    exits.push(new Promise((resolve) => thread.once('exit', resolve)));
    return {
      ask: (request) =>
        new Promise((resolve, reject) => {
          thread.once('message', resolve);
          thread.once('error', reject);
          thread.postMessage(request);
        }),
      stop: () => void thread.terminate(),
    };
  };
  return { start, started, exits };
}

const ANSWERS_ROWS =
  'const reply = (request) => request.kind === "forget" ? { ok: true } : { ok: true, output: { probability: request.rows.slice(0, 1), contributions: new Float32Array(0), terms: 0 } }';
/** Answers, but busy for good on any run of the model "stalls", as ONNX Runtime inside a run whose work explodes: no message is read. */
const STALLS_ON_ONE_MODEL = `${ANSWERS_ROWS.replace('const reply', 'const answer')}; const reply = (request) => { if (request.kind === 'run' && request.modelId === 'stalls') for (;;) {} return answer(request); }`;

const oneRow = Float32Array.of(0.25, 0.5);

describe('engineWatchdog', () => {
  it('terminates a run still going at its deadline, says why, and runs that model no more until it is forgotten', async () => {
    const engine = threads(STALLS_ON_ONE_MODEL);
    const { run, forget } = engineWatchdog({ start: engine.start, deadlineMs: (leads) => 1000 * leads });
    await expect(run('quick', oneRow, 2)).resolves.toMatchObject({ probability: Float32Array.of(0.25) });
    const started = performance.now();
    const stalled = run('stalls', oneRow, 2);
    await expect(stalled).rejects.toThrow(ModelStalledError);
    await expect(stalled).rejects.toThrow(
      `Model stalls was still scoring 1 lead after 1 seconds, ${STALL_FACTOR} times what its check allowed, so it was stopped. It is not run again until Chrome restarts: activate another model in LeadLens's options (Model versions).`,
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    await expect(engine.exits[0]).resolves.toBe(1); // terminated mid-run, not finished
    expect(engine.started).toHaveLength(1);

    // Held back at once, no thread asked; another model runs in a new thread.
    const again = performance.now();
    await expect(run('stalls', oneRow, 2)).rejects.toThrow(/^Model stalls was still scoring 1 lead after 1 seconds/);
    expect(performance.now() - again).toBeLessThan(500);
    expect(engine.started).toHaveLength(1);
    await expect(run('quick', Float32Array.of(0.75, 1), 2)).resolves.toMatchObject({ probability: Float32Array.of(0.75) });
    expect(engine.started).toHaveLength(2);

    // Checked again (a new import under its id), it runs, and stalls again.
    await forget('stalls');
    await expect(run('stalls', oneRow, 2)).rejects.toThrow(ModelStalledError);
    expect(engine.started).toHaveLength(2);
    await expect(engine.exits[1]).resolves.toBe(1);
    for (const thread of engine.started) await thread.terminate();
  });

  it('passes on the engine’s failure by its name, and starts a new thread after a reply it cannot read', async () => {
    const engine = threads(
      `${ANSWERS_ROWS.replace('const reply', 'const answer')}; const reply = (request) => request.modelId === "fails" ? { ok: false, name: "ModelRunError", message: "model.onnx loaded but failed to score: a reason" } : request.modelId === "garbled" ? { ok: true, output: null } : answer(request)`,
    );
    const { run } = engineWatchdog({ start: engine.start });
    const failed = await run('fails', oneRow, 2).catch((error: Error) => error);
    expect(failed).toBeInstanceOf(Error);
    expect([(failed as Error).name, (failed as Error).message]).toEqual(['ModelRunError', 'model.onnx loaded but failed to score: a reason']);
    await expect(run('garbled', oneRow, 2)).rejects.toThrow('The scoring engine sent an unexpected reply');
    await expect(engine.exits[0]).resolves.toBe(1);
    await expect(run('fine', oneRow, 2)).resolves.toMatchObject({ probability: Float32Array.of(0.25) });
    expect(engine.started).toHaveLength(2);
    for (const thread of engine.started) await thread.terminate();
  });

  it('runs one at a time, each deadline counted from its own start, not from when it was asked', async () => {
    // Each run busy for 700 ms: two asked together end 1.4 s after, within their deadlines of 1 s each.
    const engine = threads(`${ANSWERS_ROWS.replace('const reply', 'const answer')}; const reply = (request) => { const until = Date.now() + 700; while (Date.now() < until); return answer(request); }`);
    const { run } = engineWatchdog({ start: engine.start, deadlineMs: () => 1000 });
    const both = await Promise.all([run('first', Float32Array.of(1), 1), run('second', Float32Array.of(2), 1)]);
    expect(both.map((output) => output.probability[0])).toEqual([1, 2]);
    expect(engine.started).toHaveLength(1);
    for (const thread of engine.started) await thread.terminate();
  });
});

describe('runDeadlineMs', () => {
  it('allows the model’s loading, then each run of the engine four times its check’s budget at its run size', () => {
    expect(STALL_FACTOR).toBe(4);
    expect(runDeadlineMs(1)).toBe(10_000 + 4 * 1_000);
    expect(runDeadlineMs(300)).toBe(10_000 + 4 * 2_560); // run at 512 leads: 5 s per 1,000
    expect(runDeadlineMs(1_000)).toBe(10_000 + 4 * 5_000);
    expect(runDeadlineMs(2_001)).toBe(10_000 + 4 * (5_000 + 5_000 + 1_000)); // 1,000 + 1,000 + 1 (the last at least 1 s)
  });
});
