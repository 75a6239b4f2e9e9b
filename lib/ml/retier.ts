/**
 * Re-tiering a model's stored scores after its tier policy changed: tier is a pure function
 * of the stored probability and the thresholds, so nothing is re-scored. Runs in the offscreen
 * document as the `retier` job, a chunk at a time, reporting progress; a run cut short is run
 * again from the start: when the document next starts if it closed, once the purge is done if
 * a purge paused it.
 */
import { db, type LeadScore } from '../db/db';
import { forEachChunk, prefixRange } from '../db/chunks';
import { readJob, runJob } from '../jobs/progress';
import { tierOf } from './score';
import { topReasonFor } from '../presentation';
import type { TierThresholds } from './train/thresholds';

export const RETIER_CHUNK = 5000;

/** Re-tier every stored score of `modelId`; returns how many changed tier. */
export async function retierStoredScores(
  modelId: string,
  thresholds: TierThresholds,
  report: (done: number) => Promise<void>,
  chunkSize = RETIER_CHUNK,
): Promise<number> {
  let done = 0;
  let changed = 0;
  await forEachChunk(
    db.leadScores,
    chunkSize,
    async (scores: LeadScore[]) => {
      const moved = scores.filter((score) => tierOf(score.probability, thresholds) !== score.tier);
      await db.leadScores.bulkPut(
        moved.map((score) => {
          const tier = tierOf(score.probability, thresholds);
          // The top reason is the new tier's (a lead turned cold is explained by what holds it down).
          const topReason = score.reasonUp === undefined ? score.topReason : topReasonFor(tier, { reasonUp: score.reasonUp, reasonDown: score.reasonDown ?? '' });
          return { ...score, tier, topReason };
        }),
      );
      changed += moved.length;
      done += scores.length;
      await report(done);
    },
    prefixRange(`${modelId}|`),
  );
  return changed;
}

/** Re-tiers the model's stored scores as the `retier` job (progress in `job:retier`); returns how many changed tier. */
export async function runRetierJob(modelId: string, thresholds: TierThresholds, chunkSize = RETIER_CHUNK): Promise<number> {
  const [from, to] = prefixRange(`${modelId}|`);
  const total = await db.leadScores.where(':id').between(from, to, true, true).count();
  return runJob('retier', modelId, total, (report) => retierStoredScores(modelId, thresholds, report, chunkSize));
}

/**
 * A `retier` job whose row still says running was cut short (its document closed, or a purge
 * paused it): run it again, with the model's thresholds as they are now (re-tiering is
 * idempotent). Null when no job was unfinished.
 */
export async function resumeUnfinishedRetierJob(thresholdsOf: (modelId: string) => Promise<TierThresholds>, chunkSize = RETIER_CHUNK): Promise<number | null> {
  const job = await readJob('retier');
  if (job?.state !== 'running') return null;
  return runRetierJob(job.modelId, await thresholdsOf(job.modelId), chunkSize);
}

/** Record-page scores of the model carry the old tier: drop them so badges score again. */
export async function clearCachedScores(modelId: string): Promise<void> {
  const [from, to] = prefixRange(`${modelId}|`);
  await db.scores.where(':id').between(from, to, true, true).delete();
}
