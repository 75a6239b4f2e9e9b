/**
 * Re-tiering the stored scores after a tier policy changed, asked of the offscreen document where
 * the jobs run. Recorded as owed before it is asked (`requestRetierOf`; the page that saved the
 * policy owes it already, `setTiersOwingRetier`), one per model, so a policy saved for another
 * model keeps it: queued behind another job when the browser closes, or never asked (the page
 * closed first), it is asked at the next start or hourly check.
 */
import { owedRetiers, owedScoringModel, readJob, type JobProgress, type OwedRetier } from '../jobs/progress';
import { fullScoringRequested, requestRetierOf, retierRequested } from '../jobs/requests';
import { sendToCrmTabs } from '../messaging/events';
import { clearCachedScores } from '../ml/retier';
import { retierStoredScoresOffscreen } from './offscreen-engine';
import { forgetScoresInFlight } from './score-cache';

/**
 * What record-page badges hold of `modelId`'s scores goes before its stored scores are re-tiered:
 * the cached scores carry the old tiers, served as they are for up to "stale after" (24 h by
 * default), and so would a score read before the new policy and cached during or after the clear.
 * Then every CRM tab's badges are told to score again.
 */
async function forgetBadgeScoresOf(modelId: string): Promise<void> {
  forgetScoresInFlight();
  await clearCachedScores(modelId);
  await sendToCrmTabs('scoresChanged', {});
}

/**
 * Re-tiers `modelId`'s stored scores with its tiers as stored now, that re-tiering owed (again,
 * when the page that saved them owed it already: from now) until a run of it begun after it ends.
 * Badges first (`forgetBadgeScoresOf`).
 */
export async function retierStoredScoresOwed(modelId: string) {
  await forgetBadgeScoresOf(modelId);
  return await requestRetierOf(modelId, () => retierStoredScoresOffscreen(modelId), { owe: true });
}

/**
 * Asks for each re-tiering a tier policy owes (one per model) that nothing asked or whose request
 * was lost (the page that applied it closed before asking; the browser closed, or the offscreen
 * document could not be opened, before its run began): `retierOwed` for each at once, a failure of
 * one leaving the others asked.
 */
export async function retierOwedScores(): Promise<void> {
  await Promise.all((await owedRetiers()).map(retierOwed));
}

/**
 * Asks for the re-tiering of `modelId`'s stored scores owed since `owedAt`, unless one of the model
 * is asked and not over, or a run begun since it was owed goes on (a re-tiering of the model's
 * scores, or a scoring of every lead with the model: its end settles it). Nor while a scoring of
 * every lead with the model is owed or asked and not begun: it writes every score of the model with
 * its tiers as they are when it begins, and its end settles it (one that fails leaves it owed, asked
 * by a later check). A request that fails before its run begins leaves it owed too, logged as a
 * sync's scoring is; a re-tiering run that fails settles it (applying the tiers again asks anew):
 * one owed of a model no longer installed fails so once.
 */
async function retierOwed({ modelId, owedAt }: OwedRetier): Promise<void> {
  try {
    const runsOverEveryItem = (job: JobProgress | null): job is JobProgress => job?.state === 'running' && job.modelId === modelId && job.source === undefined;
    const [retier, scoring] = await Promise.all([readJob('retier'), readJob('scoring')]);
    if (runsOverEveryItem(retier) && retier.startedAt > owedAt) return;
    if (runsOverEveryItem(scoring)) {
      if (scoring.startedAt > owedAt) return;
    } else if ((await owedScoringModel()) === modelId || (await fullScoringRequested(modelId))) return;
    // Its request's sender cleared the badges already: clearing them at each check while it waits would have every CRM tab score again for nothing.
    if (await retierRequested(modelId)) return;
    // Badges first, as a page's request does: the page that owed it may have closed before asking, and its badges' clear with it.
    await forgetBadgeScoresOf(modelId);
    const reply = await requestRetierOf(modelId, () => retierStoredScoresOffscreen(modelId), { unlessRequested: true });
    if (reply && !reply.ok) throw new Error(reply.error);
  } catch (error) {
    console.warn(`LeadLens: the stored scores of ${modelId} could not be re-tiered:`, error);
  }
}
