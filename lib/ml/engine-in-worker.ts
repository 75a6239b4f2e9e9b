/**
 * The offscreen document's scoring engine: ONNX Runtime runs in a worker (engine-worker.ts) under a
 * watchdog. A run cannot be interrupted; the import check runs a model at every size the engine
 * runs it (check-in-worker.ts), but a tree ensemble's work varies with the leads' values, and an
 * engine slow path is not bounded by it. A run still going at its deadline, a multiple of what the
 * check allowed its leads (and `WAKE_GRACE_MS` after), has its worker terminated (the runs after it
 * start a new one), and its model is not run again until it is checked again (deleted and imported
 * again) or Chrome restarts: every later run would stall each badge and batch as long. Runs go one
 * at a time, so a deadline counts one run's work, not a wait behind others.
 */
import { EngineWorkerReplySchemas, type EngineWorkerReply, type EngineWorkerRequest, type EngineWorkerRequestKind } from './engine-worker-protocol';
import type { EngineOutput } from './engine';
import { LARGEST_SCORING_BATCH, RUN_BUDGET, RUN_SIZES, runBudgetMs } from './scoring-batch';
import type { Throughput } from './throughput';

/** How many times its check's budget a production run gets before it is taken for stalled: room for a busy machine. */
export const STALL_FACTOR = 4;

/**
 * How long a run of `leads` may take: `STALL_FACTOR` times what the check allowed for loading the
 * model and each run of the engine at its run size (engine.ts pads to `RUN_SIZES`). The load is
 * multiplied too: a first run after Chrome starts also starts the worker and compiles ONNX
 * Runtime's WASM, on a machine busy starting tabs, which the check's clock did not count.
 */
export function runDeadlineMs(leads: number): number {
  let checkMs = RUN_BUDGET.loadMs;
  for (let start = 0; start < leads; start += LARGEST_SCORING_BATCH) {
    checkMs += runBudgetMs(RUN_SIZES.find((size) => size >= Math.min(LARGEST_SCORING_BATCH, leads - start))!);
  }
  return STALL_FACTOR * checkMs;
}

/**
 * The time a run still gets once its deadline's timer fired, counted from then. Where a computer's
 * clock counts the time it slept (a laptop closed mid-run), that timer fires at wake, the run given
 * no time awake: a run of a few milliseconds' work ends within this, and is not taken for stalled.
 */
export const WAKE_GRACE_MS = 2_000;

/**
 * A model's run outlasted its deadline and was stopped, or the model did so before: it is not run
 * again. Not a `ModelRunError` (bulk-score.ts), so bulk scoring does not try it again on halves of
 * its batch, each as slow.
 */
export class ModelStalledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelStalledError';
  }
}

/** A thread answering engine requests, one at a time: `ask` resolves with its reply (unparsed). */
export interface EngineThread {
  ask(request: EngineWorkerRequest): Promise<unknown>;
  stop(): void;
}

/** The engine worker as a Web Worker of the offscreen document (a test starts a thread of its own). */
function startEngineWorker(): EngineThread {
  const worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module' });
  let waiting: { resolve: (reply: unknown) => void; reject: (error: Error) => void } | null = null;
  worker.onmessage = (event: MessageEvent) => waiting?.resolve(event.data);
  worker.onerror = (event) => waiting?.reject(new Error(`The scoring engine stopped: ${event.message || 'its worker failed'}`));
  worker.onmessageerror = () => waiting?.reject(new Error('The scoring engine sent a reply that could not be read'));
  return {
    ask: (request) =>
      new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        worker.postMessage(request);
      }),
    stop: () => worker.terminate(),
  };
}

export interface EngineWatchdogOptions {
  start?: () => EngineThread;
  /** How long a run of a number of leads may take (`runDeadlineMs`). */
  deadlineMs?: (leads: number) => number;
  /** How long a request still gets once its deadline's timer fired (`WAKE_GRACE_MS`). */
  wakeGraceMs?: number;
}

/**
 * The document's engine: runs in a worker it starts on demand, one at a time, each under its
 * deadline. One per document (the offscreen document's `engine`); a test makes its own.
 */
export function engineWatchdog({ start = startEngineWorker, deadlineMs = runDeadlineMs, wakeGraceMs = WAKE_GRACE_MS }: EngineWatchdogOptions = {}) {
  let thread: EngineThread | null = null;
  /** Why each model that stalled is no longer run. */
  const stalled = new Map<string, string>();
  let turn: Promise<unknown> = Promise.resolve();

  function inTurn<T>(work: () => Promise<T>): Promise<T> {
    const next = turn.then(work);
    turn = next.catch(() => undefined); // one failed run must not block the next
    return next;
  }

  /** The thread's reply to `request`, or null when `ms` passed first (and then `wakeGraceMs`): the thread is then stopped, mid-run. */
  async function replyWithin<Kind extends EngineWorkerRequestKind>(request: Extract<EngineWorkerRequest, { kind: Kind }>, ms: number): Promise<EngineWorkerReply<Kind> | null> {
    thread ??= start();
    const asked = thread;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<null>((resolve) => {
      timer = setTimeout(() => {
        timer = setTimeout(() => resolve(null), wakeGraceMs);
      }, ms);
    });
    try {
      const reply = await Promise.race([asked.ask(request), deadline]);
      if (reply === null) {
        dropThread(asked); // terminated mid-run: the only way to stop it
        return null;
      }
      const parsed = EngineWorkerReplySchemas[request.kind].safeParse(reply);
      if (!parsed.success) throw new Error('The scoring engine sent an unexpected reply');
      return parsed.data as EngineWorkerReply<Kind>; // parsed by the schema of the request's kind
    } catch (error) {
      // A thread that failed or answered nonsense is not asked again: the next run starts another.
      dropThread(asked);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  function dropThread(which: EngineThread): void {
    which.stop();
    if (thread === which) thread = null;
  }

  /** Score `rows` ([N * F], NaN = missing) with the stored model `modelId`, as engine.ts `runEngine` does, within `deadlineMs`. */
  function run(modelId: string, rows: Float32Array, featureCount: number): Promise<EngineOutput> {
    return inTurn(async () => {
      const why = stalled.get(modelId);
      if (why) throw new ModelStalledError(why);
      const leads = featureCount > 0 ? Math.floor(rows.length / featureCount) : 0; // rows that fit no width: the engine says so
      const ms = deadlineMs(leads);
      const reply = await replyWithin({ kind: 'run', modelId, rows, featureCount }, ms);
      if (reply === null) {
        const message = stalledMessage(modelId, leads, ms + wakeGraceMs);
        stalled.set(modelId, message);
        throw new ModelStalledError(message);
      }
      if (!reply.ok) throw namedError(reply);
      return reply.output;
    });
  }

  /**
   * Drop the session of `modelId` (and any stall it had): its next run loads its bytes as stored
   * then. Never fails: a thread that does not forget in time, or fails to, is stopped, with every
   * session it held (a model check ends with this, and its verdict must stand).
   */
  function forget(modelId: string): Promise<void> {
    return inTurn(async () => {
      stalled.delete(modelId);
      if (!thread) return; // sessions live in the worker: none is kept
      const asked = thread;
      const reply = await replyWithin({ kind: 'forget', modelId }, RUN_BUDGET.loadMs).catch(() => null);
      if (!reply?.ok) dropThread(asked);
    });
  }

  /**
   * The engine's throughput with `modelId` on `rowCounts` synthetic rows, timed in the worker (`npm
   * run bench`): what the worker hop costs is the difference with `run`'s timed in the document.
   * `measureThroughput` makes at least seven calls over at least a second: ten of each count's run deadline.
   */
  function benchmark(modelId: string, rowCounts: number[], seed: number): Promise<Throughput[]> {
    return inTurn(async () => {
      const ms = rowCounts.reduce((sum, count) => sum + 10 * deadlineMs(count), 0);
      const reply = await replyWithin({ kind: 'benchmark', modelId, rowCounts, seed }, ms);
      if (reply === null) throw new Error(`The engine benchmark did not end within ${Math.round((ms + wakeGraceMs) / 1000)} seconds`);
      if (!reply.ok) throw namedError(reply);
      return reply.results;
    });
  }

  return { run, forget, benchmark };
}

/** The engine's failure as the worker named it, so that bulk scoring still tells a `ModelRunError` by name. */
function namedError({ name, message }: { name: string; message: string }): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

const stalledMessage = (modelId: string, leads: number, ms: number) =>
  `Model ${modelId} stalled: a run of ${leads.toLocaleString('en-US')} ${leads === 1 ? 'lead' : 'leads'} was still going after ${Math.round(ms / 1000)} seconds, ` +
  `more than ${STALL_FACTOR} times what its check allowed for loading it and scoring as many, so it was stopped. ` +
  "It is held back until Chrome restarts, or it is deleted and imported again: activate another model in LeadLens's options (Model versions).";
