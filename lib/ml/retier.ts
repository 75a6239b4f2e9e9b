/**
 * Re-tiering a model's stored scores after its tier policy changed: tier is a pure function
 * of the stored probability and the thresholds, so nothing is re-scored. Runs in a worker
 * (the options page starts it), a chunk at a time, reporting progress.
 */
import { db, type LeadScore } from '../db/db';
import { forEachChunk } from '../db/chunks';
import { prefixRange } from '../db/chunks';
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

/** Record-page scores of the model carry the old tier: drop them so badges score again. */
export async function clearCachedScores(modelId: string): Promise<void> {
  const [from, to] = prefixRange(`${modelId}|`);
  await db.scores.where(':id').between(from, to, true, true).delete();
}
