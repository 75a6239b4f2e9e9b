/**
 * Whether a model is still there, for the jobs that write its stored scores (bulk scoring,
 * re-tiering) when they resume: deleteModel (model-store.ts) refuses while a job of the model
 * runs, but a job left unfinished by a closed browser must not come back for a model gone since.
 *
 * Its own module: model-store.ts imports the re-tiering module, which needs this.
 */
import { db } from '../db/db';
import { bundledModel } from './bundled-model';

/** An unfinished job's model was deleted: the job is recorded as failed with this error. */
export class ModelDeletedError extends Error {
  constructor(modelId: string) {
    super(`Model ${modelId} was deleted`);
    this.name = 'ModelDeletedError';
  }
}

/**
 * The bundled model (in the package, never deleted) or a model in the `models` table (counted
 * by key, so its ONNX bytes are not read). Within a transaction when called from one.
 */
export async function modelExists(modelId: string): Promise<boolean> {
  const bundled = bundledModel.manifest();
  if (bundled.ok && bundled.manifest.modelId === modelId) return true;
  return (await db.models.where(':id').equals(modelId).count()) > 0;
}

/**
 * What `resumeUnfinishedJob` continues for an unfinished job of a model deleted since it
 * stopped: no items, and work that fails at once, so the job is recorded as failed with the
 * reason (instead of staying `running`, to be continued again at every start).
 */
export function deletedModelWork<T>(modelId: string): { remaining: number; work: () => Promise<T> } {
  return {
    remaining: 0,
    work: () => Promise.reject(new ModelDeletedError(modelId)),
  };
}
