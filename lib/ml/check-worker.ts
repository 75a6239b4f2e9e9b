/**
 * The model-check worker, started by the offscreen document for one check and terminated after
 * it (`check-in-worker.ts`). The check runs ONNX Runtime here, in a thread of its own, because a
 * run cannot be interrupted: a model whose work explodes would otherwise hold the engine's worker,
 * and with it every badge and bulk scoring, until the run's deadline (engine-in-worker.ts).
 */
import { checkModelWithinBudget } from './check-model';
import { ModelCheckReplySchema, ModelCheckRequestSchema, type ModelCheckReply } from './check-worker-protocol';
import { checkModelSession, configureEngine } from './engine';
import { manifestOf, modelBytes } from './model-store';

configureEngine();

const reply = (verdict: ModelCheckReply) => self.postMessage(ModelCheckReplySchema.parse(verdict));

self.addEventListener('message', (message: MessageEvent) => {
  const request = ModelCheckRequestSchema.safeParse(message.data);
  if (!request.success) return reply({ ok: false, error: 'The model check request was malformed.' });
  const { modelId } = request.data;
  void manifestOf(modelId)
    .then((manifest) => checkModelSession(modelId, () => modelBytes(modelId), (run) => checkModelWithinBudget(manifest, run)))
    .then(
      () => reply({ ok: true }),
      (error: unknown) => reply({ ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
});
