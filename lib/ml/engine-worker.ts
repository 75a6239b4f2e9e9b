/**
 * The engine worker: ONNX Runtime and its sessions (engine.ts) in a thread the offscreen document
 * starts, and terminates when a run outlasts its deadline (engine-in-worker.ts). A run cannot be
 * interrupted, and the import check bounds what a model's work depends on, not every value a lead
 * can hold: here a run that stalls holds this thread, which is stopped, not the document.
 */
import { configureEngine, forgetModel, runEngine } from './engine';
import { EngineWorkerReplySchema, EngineWorkerRequestSchema, type EngineWorkerReply } from './engine-worker-protocol';
import { modelBytes } from './model-store';

configureEngine();

async function answer(data: unknown): Promise<EngineWorkerReply> {
  const request = EngineWorkerRequestSchema.safeParse(data);
  if (!request.success) return { ok: false, name: 'Error', message: 'The scoring engine got a malformed request.' };
  const { modelId } = request.data;
  try {
    if (request.data.kind === 'forget') {
      await forgetModel(modelId);
      return { ok: true, output: null };
    }
    return { ok: true, output: await runEngine(modelId, () => modelBytes(modelId), request.data.rows, request.data.featureCount) };
  } catch (error) {
    return error instanceof Error ? { ok: false, name: error.name, message: error.message } : { ok: false, name: 'Error', message: String(error) };
  }
}

self.addEventListener('message', (message: MessageEvent) => {
  void answer(message.data).then((reply) => self.postMessage(EngineWorkerReplySchema.parse(reply)));
});
