/**
 * The check an imported or newly trained model passes before it may be activated (check-model.ts),
 * run in a worker of its own (check-worker.ts) under a deadline. ONNX Runtime cannot interrupt a
 * run, and a few kilobytes of allowed operators can broadcast to intermediates that take hours to
 * compute: in the engine such a model would hold every badge and bulk scoring, each run until its
 * deadline (engine-in-worker.ts). Here the worker is terminated at the deadline and the model
 * refused before any badge waits on it, while the engine goes on scoring with the active model.
 *
 * The check runs the model at every number of rows the engine ever runs it on (`RUN_SIZES`), each run
 * within a budget of seconds (check-model.ts `checkModelWithinBudget`). The sizes a run works with
 * follow from the number of rows, never from their values (operators.ts refuses sizes a model
 * computes), so a later run scores about as fast as the check's run of that size whatever its leads
 * hold (a tree ensemble's work varies with the values, though no row walks more of a tree than it
 * holds). With constant slices alone a model can do hours of work at one number of rows only (1 kB
 * added to the bundled model scored 1 or 1,000 leads in 1 ms, and 200 in 26 s), so the engine pads
 * every run to one of those sizes. Checks run one at a time: each worker holds its own ONNX Runtime
 * and check rows (up to ~190 MB), beside the offscreen document's engine.
 */
import { askWorkerOnce, okReply, type AskedWorker } from '../worker-once';
import { ModelCheckReplySchema, type ModelCheckRequest } from './check-worker-protocol';

/**
 * How long a check may take. The bundled model checks in well under a second, and the largest
 * check allowed (check-model.ts `MAX_CHECK_VALUES`) is a few seconds of work for a tree ensemble;
 * a model still computing after a minute does far more than a lead-scoring model does.
 */
export const CHECK_DEADLINE_MS = 60_000;

const createCheckWorker = () => new Worker(new URL('./check-worker.ts', import.meta.url), { type: 'module' });

interface CheckOptions {
  /** The check's worker (a test starts a thread of its own). */
  createWorker?: () => AskedWorker;
  deadlineMs?: number;
}

/** The check running or last run: the next starts once it has ended. */
let previousCheck: Promise<unknown> = Promise.resolve();

/**
 * Checks the stored model `modelId` once the checks asked for before have ended; throws why it
 * fails, or that it did not finish within `deadlineMs` of starting.
 */
export function checkModelInWorker(modelId: string, options: CheckOptions = {}): Promise<void> {
  const check = previousCheck.then(() => checkNow(modelId, options));
  previousCheck = check.catch(() => undefined);
  return check;
}

async function checkNow(modelId: string, { createWorker = createCheckWorker, deadlineMs = CHECK_DEADLINE_MS }: CheckOptions): Promise<void> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error(tooSlow(deadlineMs))), deadlineMs);
  try {
    const request: ModelCheckRequest = { modelId };
    await askWorkerOnce(
      createWorker,
      request,
      {
        read: okReply(ModelCheckReplySchema, () => 'The model check sent an unexpected reply'),
        crashed: (message) => `The model check stopped: ${message || 'its worker failed'}`,
        unreadable: 'The model check sent a reply that could not be read',
      },
      deadline.signal,
    );
  } finally {
    clearTimeout(timer);
  }
}

const tooSlow = (deadlineMs: number) =>
  `model.onnx was still computing its check after ${Math.round(deadlineMs / 1000)} seconds, where a lead-scoring model takes a second or two. ` +
  'It would hold up every badge and bulk scoring as long, so it was stopped.';
