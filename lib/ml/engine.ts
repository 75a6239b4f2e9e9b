/**
 * The one module that owns ONNX Runtime (onnxruntime-web's WASM build). It lives in the
 * offscreen document's engine worker (engine-worker.ts, stopped when a run outlasts its deadline:
 * engine-in-worker.ts) and, for one check of a new model, in the worker that check runs in
 * (check-in-worker.ts): it keeps the sessions of the two models used last (the active model
 * and one other: the model of a job still running after another was activated), created on demand, so runs that alternate between two models do
 * not load them again each time. Every run goes through one queue so runs never interleave.
 * A model runs only on numbers of rows its check ran it on (`RUN_SIZES`), as its work may depend
 * on the number of rows alone (check-in-worker.ts): rows of missing values pad a run up to the next
 * size, a longer input runs in parts of the largest, and only the given rows' outputs are returned.
 *
 * The WASM binary is shipped inside the extension (the bundler emits the file the ESM build
 * references), never fetched from elsewhere; one thread, because extension pages are not
 * cross-origin isolated.
 */
import * as ort from 'onnxruntime-web/wasm';
import { MODEL_INPUT, NOT_ONNX } from './onnx/operators';
import { LARGEST_SCORING_BATCH, RUN_SIZES } from './scoring-batch';

export interface EngineOutput {
  /** [N] calibrated probability */
  probability: Float32Array;
  /** [N * T] row-major log-odds contribution per term */
  contributions: Float32Array;
  /** T */
  terms: number;
}

/**
 * The model's bytes could not be made into a session, told apart from a failed run: the
 * message names model.onnx, as the admin chose it, and says in plain words why when it can.
 */
export class ModelLoadError extends Error {
  constructor(runtimeMessage: string) {
    const words = runtimeMessageInWords(runtimeMessage);
    // ONNX Runtime reads a model as protobuf: bytes it cannot parse (or that hold no graph) are not a model.
    super(/protobuf/i.test(words) ? NOT_ONNX : `model.onnx could not be loaded by ONNX Runtime: ${words}`);
    this.name = 'ModelLoadError';
  }
}

/**
 * ONNX Runtime failed while running the model on the rows it was given: the one engine failure
 * that may be the fault of some rows only (a value the model cannot take), where a model that
 * cannot load, or does not fit its manifest, fails whatever the rows. Bulk scoring tells it by
 * its `name`, so that it need not import this module (and ONNX Runtime with it).
 */
export class ModelRunError extends Error {
  constructor(runtimeMessage: string) {
    super(`model.onnx loaded but failed to score: ${runtimeMessageInWords(runtimeMessage)}`);
    this.name = 'ModelRunError';
  }
}

/**
 * ONNX Runtime's error message in words an admin can read: only what it says after
 * `ERROR_MESSAGE:` (not "Can't create a session. ERROR_CODE: 1"), without the source file, line
 * and C++ signature its native code puts before the reason ("…/tree_ensemble_common.h:557 size_t
 * onnxruntime::ml::detail::TreeEnsembleCommon<…>::AddNodes(…) [InputType = float, …] False node
 * must …"), on one line.
 */
function runtimeMessageInWords(runtimeMessage: string): string {
  const marker = runtimeMessage.indexOf(ERROR_MESSAGE);
  const message = marker < 0 ? runtimeMessage : runtimeMessage.slice(marker + ERROR_MESSAGE.length);
  let words = '';
  let from = 0;
  for (const location of message.matchAll(SOURCE_LOCATION)) {
    if (location.index < from) continue; // inside a signature already left out
    words += message.slice(from, location.index);
    from = endOfSignature(message, location.index + location[0].length);
  }
  return (words + message.slice(from)).replace(/\s+/g, ' ').trim();
}

const ERROR_MESSAGE = 'ERROR_MESSAGE:';
/** Where in ONNX Runtime's C++ sources an error was raised: `/…/onnxruntime/core/…/file.h:557 `. */
const SOURCE_LOCATION = /(?:[\w.-]*\/)+[\w.-]+\.(?:h|hpp|cc|cpp|c):\d+ /g;

/**
 * Where the C++ signature that follows a source location at `start` ends (`size_t ns::Class<…>::
 * Method(…) const [T = float] `), or `start` when none does: its parameter list, qualifiers and
 * template arguments, with the space after them.
 */
function endOfSignature(text: string, start: number): number {
  const open = text.indexOf('(', start);
  // ONNX Runtime's functions are named with their namespace, and a name holds no end of a
  // sentence: else the location is followed by the reason itself.
  const name = open < 0 ? '' : text.slice(start, open);
  if (!name.includes('::') || /[.!?](?:\s|$)/.test(name)) return start;
  // Its parameter list, and what more of the name follows one (a lambda's `…::(anonymous class)::operator()(…)`).
  let end = open;
  do end = closingOf(text, text.indexOf('(', end), '(', ')');
  while (end > 0 && (text[end] === '(' || text.startsWith('::', end)));
  if (end < 0) return start;
  end += /^(?:\s*(?:(?:const|volatile|noexcept)\b|&&|&))*/.exec(text.slice(end))![0].length;
  if (text.startsWith(' [', end)) {
    const templateArguments = closingOf(text, end + 1, '[', ']');
    if (templateArguments > 0) end = templateArguments;
  }
  return end + /^\s*/.exec(text.slice(end))![0].length;
}

/** The index after the bracket that closes the one `open` at `at`, or -1 when there is none or it is not closed. */
function closingOf(text: string, at: number, open: string, close: string): number {
  if (at < 0) return -1;
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    if (text[i] === open) depth++;
    else if (text[i] === close && --depth === 0) return i + 1;
  }
  return -1;
}

/** How many sessions are kept: the active model's and one other's. */
const SESSIONS_KEPT = 2;

let configured = false;
/**
 * Loaded sessions by model id, least recently used first (a Map keeps insertion order). Only
 * read and changed inside `queue`, so a session is never released while a run uses it.
 */
const sessions = new Map<string, ort.InferenceSession>();
let queue: Promise<unknown> = Promise.resolve();

/** Call once in the context that scores (the offscreen document, or Node in tests). */
export function configureEngine(): void {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  configured = true;
}

/**
 * Score `rows` ([N * F] row-major, NaN = missing; any N, run at `RUN_SIZES`) with model `modelId`, loading its bytes
 * with `loadModel` the first time, and again only once its session was dropped (forgotten,
 * or released to make room after two other models were used).
 */
export function runEngine(
  modelId: string,
  loadModel: () => Promise<Uint8Array>,
  rows: Float32Array,
  featureCount: number,
): Promise<EngineOutput> {
  const run = queue.then(() => runNow(modelId, loadModel, rows, featureCount));
  queue = run.catch(() => undefined); // one failed run must not block the next
  return run;
}

async function runNow(
  modelId: string,
  loadModel: () => Promise<Uint8Array>,
  rows: Float32Array,
  featureCount: number,
): Promise<EngineOutput> {
  if (!configured) throw new Error('The scoring engine is not configured');
  if (featureCount <= 0 || rows.length % featureCount !== 0) {
    throw new Error(`Expected rows of ${featureCount} features, got ${rows.length} values`);
  }
  const session = await sessionFor(modelId, loadModel);
  assertInputWidth(session, featureCount);
  const n = rows.length / featureCount;
  const parts: EngineOutput[] = [];
  for (let start = 0; start < n; start += LARGEST_SCORING_BATCH) {
    const end = Math.min(n, start + LARGEST_SCORING_BATCH);
    parts.push(await runAtRunSize(session, rows.subarray(start * featureCount, end * featureCount), featureCount));
  }
  return joined(parts, n);
}

/**
 * `session` run on `rows` ([n * F], n at most `LARGEST_SCORING_BATCH`) padded with rows of missing values up to the
 * next of `RUN_SIZES`, the sizes the check ran the model at; the outputs of the first n rows.
 */
async function runAtRunSize(session: ort.InferenceSession, rows: Float32Array, featureCount: number): Promise<EngineOutput> {
  const n = rows.length / featureCount;
  const size = RUN_SIZES.find((runSize) => runSize >= n)!;
  let padded = rows;
  if (size > n) {
    padded = new Float32Array(size * featureCount).fill(Number.NaN); // [size * F]
    padded.set(rows);
  }
  const input = new ort.Tensor('float32', padded, [size, featureCount]);
  const result = await session.run({ [MODEL_INPUT]: input }).catch((error: unknown) => {
    throw new ModelRunError(messageOf(error));
  });
  input.dispose();
  const { probability, contributions } = result;
  if (!probability || !contributions) throw new Error('The model does not have the outputs "probability" and "contributions"');
  const probabilities = probability.data as Float32Array; // [size]
  const allContributions = contributions.data as Float32Array; // [size * T]
  probability.dispose();
  contributions.dispose();
  // Which outputs are the first n rows' is known only when the model gives each row one probability and as many contributions.
  if (probabilities.length !== size) throw new Error(`The model returned ${probabilities.length} probabilities for ${size} rows`);
  if (allContributions.length % size !== 0) throw new Error(`The model returned ${allContributions.length} contributions for ${size} rows, not as many for each`);
  const terms = allContributions.length / size;
  return { probability: probabilities.subarray(0, n), contributions: allContributions.subarray(0, n * terms), terms };
}

/** The outputs of runs on consecutive parts of `n` rows, as one run on them all gives them. */
function joined(parts: EngineOutput[], n: number): EngineOutput {
  if (parts.length === 0) return { probability: new Float32Array(0), contributions: new Float32Array(0), terms: 0 };
  if (parts.length === 1) return parts[0];
  const { terms } = parts[0];
  if (parts.some((part) => part.terms !== terms)) throw new Error('The model returned another number of contributions per lead for runs of other sizes');
  const probability = new Float32Array(n); // [N]
  const contributions = new Float32Array(n * terms); // [N * T]
  let row = 0;
  for (const part of parts) {
    probability.set(part.probability, row);
    contributions.set(part.contributions, row * terms);
    row += part.probability.length;
  }
  return { probability, contributions, terms };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Throws unless `session` reads what LeadLens feeds it: an input named "features" of float32 rows
 * [N, F], N (the number of leads) not fixed. Checked once, when the session loads, so that a model
 * exported for another type or batch size is named as such, not by ONNX Runtime's "Unexpected input
 * data type" or "Got invalid dimensions for input" when it first scores several leads.
 */
function assertLeadLensInput(session: ort.InferenceSession): void {
  const input = session.inputMetadata.find((metadata) => metadata.name === MODEL_INPUT);
  if (!input) {
    throw new Error(`model.onnx has no input named "${MODEL_INPUT}" (it has ${session.inputNames.map((name) => `"${name}"`).join(', ') || 'none'}): it is not a LeadLens model`);
  }
  if (!input.isTensor) throw new Error('model.onnx reads features that are not a tensor; LeadLens feeds a float32 tensor: export it with float32 input');
  if (input.type !== 'float32') throw new Error(`model.onnx reads ${input.type} features; LeadLens feeds float32: export it with float32 input`);
  // No shape at all (shape []) is not fixed either.
  const batchSize = fixedSize(input.shape[0]);
  if (batchSize !== undefined) {
    throw new Error(`model.onnx takes ${batchSize === 1 ? 'one lead' : `${batchSize} leads`} at a time (its batch size is fixed at ${batchSize}): export it with a dynamic first dimension`);
  }
}

/**
 * Throws unless the session's input takes rows of `featureCount` values: checked before running,
 * so a model.onnx and manifest.json of different models are named as such rather than by ONNX
 * Runtime's "Got invalid dimensions for input".
 */
function assertInputWidth(session: ort.InferenceSession, featureCount: number): void {
  const input = session.inputMetadata.find((metadata) => metadata.name === MODEL_INPUT);
  // [rows, features]; a width given by name, or not at all, is left to the run to check.
  const width = input?.isTensor ? fixedSize(input.shape[1]) : undefined;
  if (width !== undefined && width !== featureCount) {
    throw new Error(`model.onnx reads ${width} features, manifest.json lists ${featureCount}: they are not from the same model`);
  }
}

/**
 * The size of a dimension of an input, or undefined when it is not fixed: named ("N"), or left
 * unknown, which ONNX Runtime's WASM build reports as -1 read unsigned (2^32 - 1).
 */
const fixedSize = (dimension: number | string | undefined): number | undefined =>
  typeof dimension === 'number' && dimension >= 0 && dimension < 2 ** 31 ? dimension : undefined;

/** Score `rows` with a model: `runEngine` with the model and its loader already chosen. */
export type EngineRun = (rows: Float32Array, featureCount: number) => Promise<EngineOutput>;

/**
 * Drop the session of `modelId` once the runs queued before this call are done, so the next
 * run loads the model's bytes again.
 */
export function forgetModel(modelId: string): Promise<void> {
  const forget = queue.then(() => releaseSession(modelId));
  queue = forget.catch(() => undefined);
  return forget;
}

/**
 * Run `check` on a session made from the model's bytes as stored now. A model id does not
 * name its bytes: an import that failed its check is deleted, and the same id may come again
 * with other bytes, so a session left from the earlier import must not answer for them. A
 * model that fails is forgotten too: its bytes are about to be deleted.
 */
export async function checkModelSession(modelId: string, loadModel: () => Promise<Uint8Array>, check: (run: EngineRun) => Promise<void>): Promise<void> {
  await forgetModel(modelId);
  try {
    await check((rows, featureCount) => runEngine(modelId, loadModel, rows, featureCount));
  } catch (error) {
    await forgetModel(modelId);
    throw error;
  }
}

/**
 * The session of `modelId`, loaded unless kept. Called only inside `queue`. A model that fails
 * to load, or whose input is not what LeadLens feeds, is not kept, so the next run tries again
 * (and says why again); and the least recently used session is
 * released only once the new one has loaded, so a model that fails does not push another out
 * (for a moment, three sessions are held).
 */
async function sessionFor(modelId: string, loadModel: () => Promise<Uint8Array>): Promise<ort.InferenceSession> {
  const kept = sessions.get(modelId);
  if (kept) {
    // Put back last: now the most recently used.
    sessions.delete(modelId);
    sessions.set(modelId, kept);
    return kept;
  }
  const bytes = await loadModel();
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }).catch((error: unknown) => {
    throw new ModelLoadError(messageOf(error));
  });
  try {
    assertLeadLensInput(session);
  } catch (error) {
    await session.release().catch(() => undefined);
    throw error;
  }
  sessions.set(modelId, session);
  const [leastRecentlyUsed] = sessions.keys();
  if (sessions.size > SESSIONS_KEPT) await releaseSession(leastRecentlyUsed);
  return session;
}

/** Drop and release the session of `modelId`, if kept. Called only inside `queue`. */
async function releaseSession(modelId: string): Promise<void> {
  const session = sessions.get(modelId);
  if (!session) return;
  sessions.delete(modelId);
  await session.release().catch(() => undefined);
}
