/**
 * The engine worker: ONNX Runtime and its sessions (engine.ts) in a thread the offscreen document
 * starts, and terminates when a run outlasts its deadline (engine-in-worker.ts). A run cannot be
 * interrupted, and the import check bounds what a model's work depends on, not every value a lead
 * can hold: here a run that stalls holds this thread, which is stopped, not the document.
 */
import { configureEngine, forgetModel, runEngine } from './engine';
import { EngineWorkerRequestSchema, type EngineWorkerReply, type EngineWorkerRequest } from './engine-worker-protocol';
import { manifestOf, modelBytes } from './model-store';
import { syntheticThroughput } from './synthetic-rows';

configureEngine();

type Kind = EngineWorkerRequest['kind'];
/** What each kind of request does, given the request. */
const handlers: { [K in Kind]: (request: Extract<EngineWorkerRequest, { kind: K }>) => Promise<EngineWorkerReply<K>> } = {
  run: async ({ modelId, rows, featureCount }) => ({ ok: true, output: await runEngine(modelId, () => modelBytes(modelId), rows, featureCount) }),
  forget: async ({ modelId }) => {
    await forgetModel(modelId);
    return { ok: true };
  },
  benchmark: async ({ modelId, rowCounts, seed }) => {
    const { features } = await manifestOf(modelId);
    return { ok: true, results: await syntheticThroughput(features, rowCounts, seed, (rows, featureCount) => runEngine(modelId, () => modelBytes(modelId), rows, featureCount)) };
  },
};

/** A run's output arrays are the worker's own copies of ONNX Runtime's (engine.ts): moved to the document, not copied. */
const movedBuffers = (reply: EngineWorkerReply<Kind>): Transferable[] =>
  'output' in reply ? [...new Set([reply.output.probability.buffer, reply.output.contributions.buffer])] : [];

async function answer(data: unknown): Promise<EngineWorkerReply<Kind>> {
  const request = EngineWorkerRequestSchema.safeParse(data);
  if (!request.success) return { ok: false, name: 'Error', message: 'The scoring engine got a malformed request.' };
  try {
    return await (handlers[request.data.kind] as (request: EngineWorkerRequest) => Promise<EngineWorkerReply<Kind>>)(request.data);
  } catch (error) {
    return error instanceof Error ? { ok: false, name: error.name, message: error.message } : { ok: false, name: 'Error', message: String(error) };
  }
}

self.addEventListener('message', (message: MessageEvent) => {
  void answer(message.data).then((reply) => self.postMessage(reply, { transfer: movedBuffers(reply) }));
});
