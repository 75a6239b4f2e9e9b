/**
 * Re-tiering a model's stored scores after its tier policy changed: score and tier are a pure
 * function of the stored probability, the model's reference percentiles and the thresholds
 * (`scoreAndTier`: a tier's scores move with its threshold), so nothing is re-scored. Runs in
 * the offscreen document as the `retier` job, a chunk at a time, reporting progress; a run cut
 * short continues after its last chunk: when the document next starts if it closed, once the
 * purge is done if a purge paused it.
 */
import { db, scoreKeyPrefix, type LeadScore } from '../db/db';
import { forEachChunk, prefixRange, rangeAfter } from '../db/chunks';
import { resumeUnfinishedJob, runJob, type JobCursor } from '../jobs/progress';
import { deletedModelWork, modelExists } from './model-exists';
import { scoreAndTier, type ScoreScale } from './score';
import { topReasonFor } from '../presentation';

export const RETIER_CHUNK = 5000;

/** Where an unfinished run stopped: how many scores it re-tiered, up to which key, and how many of them changed tier. */
interface RetierCursor extends JobCursor {
  changed: number;
}

/**
 * `stored` with the score and tier `scale` gives its probability, and the top reason of that tier
 * (a lead turned cold is explained by what holds it down; one stored before its reasons up and
 * down were kept keeps its top reason).
 */
export function storedScoreOnScale(stored: LeadScore, scale: ScoreScale): LeadScore {
  const { score, tier } = scoreAndTier(stored.probability, scale);
  if (tier === stored.tier || stored.reasonUp === undefined) return { ...stored, score, tier };
  return { ...stored, score, tier, topReason: topReasonFor(tier, { reasonUp: stored.reasonUp, reasonDown: stored.reasonDown ?? '' }) };
}

/**
 * Re-tier every stored score of `modelId` on `scale` (its tier thresholds as now), in key order
 * (or those after `resume.after`), its score with its tier; returns how many changed tier in all.
 */
export async function retierStoredScores(
  modelId: string,
  scale: ScoreScale,
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
      const onScale = scores.map((score) => storedScoreOnScale(score, scale));
      await db.leadScores.bulkPut(onScale.filter((now, i) => now.tier !== scores[i].tier || now.score !== scores[i].score));
      changed += onScale.filter((now, i) => now.tier !== scores[i].tier).length;
      done += scores.length;
      await report(done, scores[scores.length - 1].key, changed);
    },
    scoresRange(modelId, resume?.after),
  );
  return changed;
}

/** Re-tiers the model's stored scores on `scale` as the `retier` job (progress in `job:retier`); returns how many changed tier. */
export async function runRetierJob(modelId: string, scale: ScoreScale, chunkSize = RETIER_CHUNK): Promise<number> {
  const total = await scoresAfter(modelId);
  return runJob('retier', modelId, total, (report) => retierStoredScores(modelId, scale, report, chunkSize));
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
export async function resumeUnfinishedRetierJob(scaleOf: (modelId: string) => Promise<ScoreScale>, chunkSize = RETIER_CHUNK): Promise<number | null> {
  return resumeUnfinishedJob('retier', async ({ modelId, changed = 0 }, cursor) => {
    // Deleted while the job was stopped: recorded as failed, not continued at every start.
    if (!(await modelExists(modelId))) return deletedModelWork<number>(modelId);
    const scale = await scaleOf(modelId);
    const resume = cursor && { ...cursor, changed };
    return {
      remaining: await scoresAfter(modelId, cursor?.after),
      work: (report) => retierStoredScores(modelId, scale, report, chunkSize, resume),
    };
  });
}

/** Record-page scores of the model carry the old tier: drop them so badges score again. */
export async function clearCachedScores(modelId: string): Promise<void> {
  const [from, to] = prefixRange(scoreKeyPrefix(modelId));
  await db.scores.where(':id').between(from, to, true, true).delete();
}
