/**
 * The offscreen document's engine watchdog, with its worker a real thread (node:worker_threads
 * standing in for the Web Worker, answering as a script says): a run still going at its deadline
 * has its thread terminated and its model held back until forgotten, while other models go on in
 * a new thread; the engine's failures keep their names; runs go one at a time.
 */
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
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
    const { run, forget } = engineWatchdog({ start: engine.start, deadlineMs: (leads) => 900 * leads, wakeGraceMs: 100 });
    await expect(run('quick', oneRow, 2)).resolves.toMatchObject({ probability: Float32Array.of(0.25) });
    const started = performance.now();
    const stalled = run('stalls', oneRow, 2);
    await expect(stalled).rejects.toThrow(ModelStalledError);
    await expect(stalled).rejects.toThrow(
      `Model stalls stalled: a run of 1 lead was still going after 1 seconds, more than ${STALL_FACTOR} times what its check allowed for loading it and scoring as many, so it was stopped. It is held back until Chrome restarts, or it is deleted and imported again: activate another model in LeadLens's options (Model versions).`,
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    await expect(engine.exits[0]).resolves.toBe(1); // terminated mid-run, not finished
    expect(engine.started).toHaveLength(1);

    // Held back at once, no thread asked; another model runs in a new thread.
    const again = performance.now();
    await expect(run('stalls', oneRow, 2)).rejects.toThrow(/^Model stalls stalled: a run of 1 lead was still going after 1 seconds/);
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

  it('forgets without failing when the thread cannot: it is stopped, with every session it held', async () => {
    // Throws on a forget: the thread reports the error and answers nothing.
    const engine = threads(`${ANSWERS_ROWS.replace('const reply', 'const answer')}; const reply = (request) => { if (request.kind === 'forget') throw new Error('no memory'); return answer(request); }`);
    const { run, forget } = engineWatchdog({ start: engine.start });
    await run('a', oneRow, 2);
    await expect(forget('a')).resolves.toBeUndefined();
    await expect(engine.exits[0]).resolves.toBe(1);
    await expect(run('a', oneRow, 2)).resolves.toMatchObject({ probability: Float32Array.of(0.25) });
    expect(engine.started).toHaveLength(2);
    for (const thread of engine.started) await thread.terminate();
  });

  it('gives a run whose deadline fired at wake (a clock that counted the computer’s sleep) two seconds more, counted from then', async () => {
    vi.useFakeTimers();
    onTestFinished(() => void vi.useRealTimers()); // also when it fails: the tests after it run real threads by the clock
    let answer!: (reply: unknown) => void;
    const thread: EngineThread = { ask: () => new Promise((resolve) => (answer = resolve)), stop: vi.fn() };
    const { run } = engineWatchdog({ start: () => thread, deadlineMs: () => 10_000 });
    const woke = run('m', oneRow, 2);
    await vi.advanceTimersByTimeAsync(10_000); // asleep through the deadline: its timer fires as the computer wakes
    await vi.advanceTimersByTimeAsync(1_999);
    answer({ ok: true, output: { probability: Float32Array.of(0.5), contributions: new Float32Array(0), terms: 0 } });
    await expect(woke).resolves.toMatchObject({ probability: Float32Array.of(0.5) });
    expect(thread.stop).not.toHaveBeenCalled();

    const stalls = run('m', oneRow, 2);
    const stopped = expect(stalls).rejects.toThrow(/^Model m stalled: a run of 1 lead was still going after 12 seconds, more than 4 times what its check allowed/);
    await vi.advanceTimersByTimeAsync(12_000);
    await stopped;
    expect(thread.stop).toHaveBeenCalledOnce();
  });

  it('runs one at a time, each deadline counted from its own start, not from when it was asked', async () => {
    // Each run busy for 700 ms: two asked together end 1.4 s after, within their deadlines of 1 s each.
    const engine = threads(`${ANSWERS_ROWS.replace('const reply', 'const answer')}; const reply = (request) => { const until = Date.now() + 700; while (Date.now() < until); return answer(request); }`);
    const { run } = engineWatchdog({ start: engine.start, deadlineMs: () => 900, wakeGraceMs: 100 });
    const both = await Promise.all([run('first', Float32Array.of(1), 1), run('second', Float32Array.of(2), 1)]);
    expect(both.map((output) => output.probability[0])).toEqual([1, 2]);
    expect(engine.started).toHaveLength(1);
    for (const thread of engine.started) await thread.terminate();
  });
});

describe('runDeadlineMs', () => {
  it('allows four times what the check allowed for loading the model and each run of the engine at its run size', () => {
    expect(STALL_FACTOR).toBe(4);
    expect(runDeadlineMs(1)).toBe(4 * (10_000 + 1_000));
    expect(runDeadlineMs(300)).toBe(4 * (10_000 + 2_560)); // run at 512 leads: 5 s per 1,000
    expect(runDeadlineMs(1_000)).toBe(4 * (10_000 + 5_000));
    expect(runDeadlineMs(2_001)).toBe(4 * (10_000 + 5_000 + 5_000 + 1_000)); // 1,000 + 1,000 + 1 (the last at least 1 s)
  });
});

/** The browser's Worker, as the document starts it: what it was given, and its handlers to fire. */
class FakeWorker {
  static started: FakeWorker[] = [];
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: { message: string }) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  posted: unknown[] = [];
  terminated = false;
  constructor(
    readonly url: URL,
    readonly options: WorkerOptions,
  ) {
    FakeWorker.started.push(this);
  }
  postMessage(message: unknown) {
    this.posted.push(message);
  }
  terminate() {
    this.terminated = true;
  }
}

describe('the engine worker the offscreen document starts', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is a module worker of engine-worker.ts whose replies are passed on, stopped and replaced after an error or a reply it cannot read', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const { run } = engineWatchdog();
    /** A run of model m, once the worker it went to has it. */
    const asked = async () => {
      const running = run('m', oneRow, 2);
      await vi.waitFor(() => expect(FakeWorker.started.at(-1)?.posted.length).toBeGreaterThan(0));
      const worker = FakeWorker.started.at(-1)!;
      return { running, worker };
    };

    const first = await asked();
    expect(first.worker.url.pathname).toMatch(/\/engine-worker\.ts$/);
    expect(first.worker.options).toEqual({ type: 'module' });
    expect(first.worker.posted).toEqual([{ kind: 'run', modelId: 'm', rows: oneRow, featureCount: 2 }]);
    first.worker.onmessage!({ data: { ok: true, output: { probability: Float32Array.of(0.5), contributions: new Float32Array(0), terms: 0 } } });
    await expect(first.running).resolves.toEqual({ probability: Float32Array.of(0.5), contributions: new Float32Array(0), terms: 0 });

    const second = await asked();
    expect(second.worker).toBe(first.worker);
    second.worker.onerror!({ message: 'Uncaught RangeError: WebAssembly.Memory(): could not allocate memory' });
    await expect(second.running).rejects.toThrow('The scoring engine stopped: Uncaught RangeError: WebAssembly.Memory(): could not allocate memory');
    expect(second.worker.terminated).toBe(true);

    const third = await asked();
    expect(FakeWorker.started).toHaveLength(2);
    third.worker.onmessageerror!();
    await expect(third.running).rejects.toThrow('The scoring engine sent a reply that could not be read');
    expect(third.worker.terminated).toBe(true);

    const fourth = await asked();
    expect(FakeWorker.started).toHaveLength(3);
    fourth.worker.onerror!({ message: '' });
    await expect(fourth.running).rejects.toThrow('The scoring engine stopped: its worker failed');
  });
});
