/**
 * Re-tiering a model's stored scores after its tier policy changed: tier is a pure function
 * of the stored probability and the thresholds, so nothing is re-scored. Runs in the offscreen
 * document as the `retier` job, a chunk at a time, reporting progress; a run cut short continues
 * after its last chunk: when the document next starts if it closed, once the purge is done if
 * a purge paused it.
 */
import { db, scoreKeyPrefix, type LeadScore } from '../db/db';
import { forEachChunk, prefixRange, rangeAfter } from '../db/chunks';
import { resumeUnfinishedJob, runJob, type JobCursor } from '../jobs/progress';
import { deletedModelWork, modelExists } from './model-exists';
import { tierOf } from './score';
import { topReasonFor } from '../presentation';
import type { TierThresholds } from './train/thresholds';

export const RETIER_CHUNK = 5000;

/** Where an unfinished run stopped: how many scores it re-tiered, up to which key, and how many of them changed tier. */
interface RetierCursor extends JobCursor {
  changed: number;
}

/**
 * Re-tier every stored score of `modelId`, in key order (or those after `resume.after`);
 * returns how many changed tier in all.
 */
export async function retierStoredScores(
  modelId: string,
  thresholds: TierThresholds,
  report: (done: number, lastKey: string, changed: number) => Promise<void>,
  chunkSize = RETIER_CHUNK,
  resume?: RetierCursor,
): Promise<number> {
  let done = resume?.done ?? 0;
  let changed = resume?.changed ?? 0;
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
      await report(done, scores[scores.length - 1].key, changed);
    },
    scoresRange(modelId, resume?.after),
  );
  return changed;
}

/** Re-tiers the model's stored scores as the `retier` job (progress in `job:retier`); returns how many changed tier. */
export async function runRetierJob(modelId: string, thresholds: TierThresholds, chunkSize = RETIER_CHUNK): Promise<number> {
  const total = await scoresAfter(modelId);
  return runJob('retier', modelId, total, (report) => retierStoredScores(modelId, thresholds, report, chunkSize));
}

/** The primary keys of `modelId`'s stored scores (after the key `after`, when given). */
function scoresRange(modelId: string, after?: string): [string, string] {
  return rangeAfter(prefixRange(scoreKeyPrefix(modelId)), after);
}

/** How many stored scores of `modelId` there are (after the key `after`, when given). */
export function scoresAfter(modelId: string, after?: string): Promise<number> {
  return db.leadScores.where(':id').between(...scoresRange(modelId, after), true, true).count();
}

/**
 * A `retier` job whose row still says running was cut short (its document closed, or a purge
 * paused it): continue it after the last chunk it re-tiered, with the model's thresholds as
 * they are now (a new policy starts a run of its own over every score after this one), so
 * the scores changed before the cut count in its result. Null when no job was unfinished.
 */
export async function resumeUnfinishedRetierJob(thresholdsOf: (modelId: string) => Promise<TierThresholds>, chunkSize = RETIER_CHUNK): Promise<number | null> {
  return resumeUnfinishedJob('retier', async ({ modelId, changed = 0 }, cursor) => {
    // Deleted while the job was stopped: recorded as failed, not continued at every start.
    if (!(await modelExists(modelId))) return deletedModelWork<number>(modelId);
    const thresholds = await thresholdsOf(modelId);
    const resume = cursor && { ...cursor, changed };
    return {
      remaining: await scoresAfter(modelId, cursor?.after),
      work: (report) => retierStoredScores(modelId, thresholds, report, chunkSize, resume),
    };
  });
}

/** Record-page scores of the model carry the old tier: drop them so badges score again. */
export async function clearCachedScores(modelId: string): Promise<void> {
  const [from, to] = prefixRange(scoreKeyPrefix(modelId));
  await db.scores.where(':id').between(from, to, true, true).delete();
}
