/**
 * Whether a model is still there, for the jobs that write its stored scores (bulk scoring,
 * re-tiering). A model can be deleted while a job of it runs (deleteModel, model-store.ts):
 * the job must then stop, not go on writing `${modelId}|…` scores that nothing deletes.
 *
 * Its own module: model-store.ts imports the re-tiering module, which needs this.
 */
import { db, type LeadScore } from '../db/db';
import { bundledModel } from './bundled-model';

/** A job's model was deleted while the job ran or was paused: the job stops with this error. */
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
 * Writes stored scores of `modelId` in one transaction with the check that the model still
 * exists, or throws `ModelDeletedError`. deleteModel deletes a model and its scores in one
 * transaction over the same tables, so IndexedDB runs the two one after the other: either these
 * scores are written first and deleted with the model, or the model is gone and nothing is written.
 */
export async function putScoresOfExistingModel(modelId: string, scores: LeadScore[]): Promise<void> {
  await db.transaction('rw', [db.models, db.leadScores], async () => {
    if (!(await modelExists(modelId))) throw new ModelDeletedError(modelId);
    await db.leadScores.bulkPut(scores);
  });
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
