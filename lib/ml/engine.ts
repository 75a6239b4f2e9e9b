/**
 * The one module that owns ONNX Runtime (onnxruntime-web's WASM build). It lives in the
 * offscreen document: it keeps the sessions of the two models used last (the active model
 * and one other: a candidate being checked, or the model of a job still running after
 * another was activated), created on demand, so runs that alternate between two models do
 * not load them again each time. Every run goes through one queue so runs never interleave.
 *
 * The WASM binary is shipped inside the extension (the bundler emits the file the ESM build
 * references), never fetched from elsewhere; one thread, because extension pages are not
 * cross-origin isolated.
 */
import * as ort from 'onnxruntime-web/wasm';

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
    // ONNX Runtime reads a model as protobuf: bytes it cannot parse (or that hold no graph) are not a model.
    super(
      /protobuf/i.test(runtimeMessage)
        ? 'model.onnx is not an ONNX model (or is damaged)'
        : `model.onnx could not be loaded by ONNX Runtime: ${runtimeMessage}`,
    );
    this.name = 'ModelLoadError';
  }
}

/** The model's input: rows [N, F] of features, in manifest order. */
const INPUT = 'features';

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
 * Score `rows` ([N * F] row-major, NaN = missing) with model `modelId`, loading its bytes
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
  const input = new ort.Tensor('float32', rows, [n, featureCount]);
  const result = await session.run({ [INPUT]: input }).catch((error: unknown) => {
    throw new Error(`model.onnx loaded but failed to score: ${messageOf(error)}`);
  });
  const probability = result.probability;
  const contributions = result.contributions;
  if (!probability || !contributions) throw new Error('The model does not have the outputs "probability" and "contributions"');
  const output = {
    probability: probability.data as Float32Array,
    contributions: contributions.data as Float32Array,
    terms: n === 0 ? 0 : (contributions.data as Float32Array).length / n,
  };
  input.dispose();
  probability.dispose();
  contributions.dispose();
  return output;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Throws unless the session has the input that takes rows of `featureCount` values: checked
 * before running, so a model.onnx and manifest.json of different models are named as such
 * rather than by ONNX Runtime's "Got invalid dimensions for input".
 */
function assertInputWidth(session: ort.InferenceSession, featureCount: number): void {
  const input = session.inputMetadata.find((metadata) => metadata.name === INPUT);
  if (!input) {
    throw new Error(`model.onnx has no input named "${INPUT}" (it has ${session.inputNames.map((name) => `"${name}"`).join(', ') || 'none'}): it is not a LeadLens model`);
  }
  // [rows, features]; a width given by name (not a number) is left to the run to check.
  const width = input.isTensor ? input.shape[1] : undefined;
  if (typeof width === 'number' && width !== featureCount) {
    throw new Error(`model.onnx reads ${width} features, manifest.json lists ${featureCount}: they are not from the same model`);
  }
}

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
 * to load is not kept, so the next run tries again; and the least recently used session is
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
