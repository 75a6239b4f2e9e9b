/**
 * The model-check worker, started by the offscreen document for one check and terminated after
 * it (`check-in-worker.ts`). The check runs ONNX Runtime here, in a thread of its own, because a
 * run cannot be interrupted: a model whose work explodes would otherwise hold the engine's worker,
 * and with it every badge and bulk scoring, until the run's deadline (engine-in-worker.ts).
 */
import { answerEachRequest } from '../worker-once';
import { checkModelWithinBudget } from './check-model';
import { ModelCheckRequestSchema, type ModelCheckReply } from './check-worker-protocol';
import { checkModelSession, configureEngine } from './engine';
import { manifestOf, modelBytes } from './model-store';

configureEngine();

answerEachRequest<ModelCheckReply>(
  async (data) => {
    const request = ModelCheckRequestSchema.safeParse(data);
    if (!request.success) return { reply: { ok: false, error: 'The model check request was malformed.' } };
    const { modelId } = request.data;
    const manifest = await manifestOf(modelId);
    await checkModelSession(modelId, () => modelBytes(modelId), (run) => checkModelWithinBudget(manifest, run));
    return { reply: { ok: true } };
  },
  (error) => ({ ok: false, error }),
);
