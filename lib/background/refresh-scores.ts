/**
 * Stored scores age: "days since created" and "days since last activity" are measured when a lead
 * is scored, so a lead scored a month ago and never synced since (auto-sync off, a CSV import,
 * demo leads) would keep the tier it had then in the side panel's counts and top leads, while its
 * record page, scored afresh, says another. Once a day the active model scores them again.
 * The same hourly look deletes the record pages' cached scores once stale.
 */
import { browser } from 'wxt/browser';
import { db, scoreKeyPrefix } from '../db/db';
import { forEachChunk, prefixRange } from '../db/chunks';
import { lastFullScoringStart, owedScoringModel, readJob, RETRY_FAILED_SCORING_AFTER_MS, standingFailure } from '../jobs/progress';
import { decidingFullScoring } from '../jobs/requests';
import { activeModelId } from '../ml/model-store';
import { scoreOwedSourceLeads, scoreStoredLeadsIfAny } from './activate-model';
import { resumeOffscreenJobs } from './offscreen-engine';
import { retierOwedScores } from './retier';
import { deleteExpiredCachedScores } from './score-cache';

export const REFRESH_SCORES_ALARM = 'refresh-scores';

/** How old the oldest stored score may get: "days since" features count whole days. */
export const SCORES_STALE_AFTER_MS = 24 * 3_600_000;

/** How often the scores' age is looked at: a browser closed at night still gets its refresh the next morning. */
const CHECK_EVERY_MINUTES = 60;

const SCORE_CHUNK = 5000;

export async function scheduleScoreRefresh(): Promise<void> {
  if ((await browser.alarms.get(REFRESH_SCORES_ALARM))?.periodInMinutes === CHECK_EVERY_MINUTES) return;
  await browser.alarms.create(REFRESH_SCORES_ALARM, { delayInMinutes: 1, periodInMinutes: CHECK_EVERY_MINUTES });
}

/**
 * When the oldest stored score of `modelId` was computed (at the earliest), or null when it has
 * none: when the last scoring of every lead that ended done was of it, when that began (every
 * score it left is newer: `lastFullScoringStart`), which spares reading every score each hour.
 * Else (none recorded by an older LeadLens, or it failed) every score is read, a chunk at a time:
 * a sync's writes are not held up behind one long read.
 */
async function oldestScoreOf(modelId: string): Promise<number | null> {
  const scores = prefixRange(scoreKeyPrefix(modelId));
  if ((await db.leadScores.where(':id').between(...scores, true, true).limit(1).primaryKeys()).length === 0) return null;
  const fullScoringStart = await lastFullScoringStart(modelId);
  if (fullScoringStart !== null) return fullScoringStart;
  let oldest: number | null = null;
  await forEachChunk(
    db.leadScores,
    SCORE_CHUNK,
    (chunk) => {
      for (const score of chunk) if (oldest === null || score.scoredAt < oldest) oldest = score.scoredAt;
    },
    scores,
  );
  return oldest;
}

/**
 * Deletes the record pages' cached scores past their expiry (they hold the records' fields,
 * and are otherwise swept only as record pages are answered). Opens the offscreen document
 * again when a job's row says it runs there but it is closed (Chrome closed it, or it crashed,
 * and no start-up of this worker resumed the job since): the job goes on. Then scores every
 * stored lead again with the active model when its oldest score is over a day old, when its
 * last scoring of every lead or of a CSV import's leads failed over RETRY_FAILED_SCORING_AFTER_MS
 * ago (`standingFailure`: the leads it left have no score to age; until then stale scores wait
 * too, as the side panel says, when the failure records its end), or when its activation's scoring of every lead is still owed (its
 * request was lost before it began), unless a scoring job runs (it scores them now) or one of
 * every lead with the active model waits for its turn (an activation's, behind a re-tiering):
 * it will score them. Leads stored with no score are not looked for (every unscored lead read each
 * hour, and every lead scored again for one the model gives no score): a sync owes its CRM's
 * scoring as it stores new or changed leads and asks for it as it ends, a CSV import owes its
 * leads' as it commits them and its page asks for it, and one owed and not asked (the browser or
 * the page closed) is asked here (`scoreOwedSourceLeads`); others wait for the next scoring of
 * every lead. Then asks for a re-tiering a tier policy owes (`retierOwedScores`), after that
 * scoring: one of every lead with the model begun since it was owed settles it. Resolves with
 * whether it scored them.
 */
export async function refreshStaleScores(now = Date.now()): Promise<boolean> {
  await deleteExpiredCachedScores(now);
  await resumeOffscreenJobs();
  // Decided once no activation is between owing its scoring and asking for it: else both would ask.
  const scored = await decidingFullScoring((requestHeld) => scoreIfDue(now, requestHeld));
  // Scoring every lead settles what a sync or an import owed: else those are asked for now.
  if (scored === null) await scoreOwedSourceLeads();
  // Also after a scoring that failed: that one covered no re-tiering.
  await retierOwedScores();
  if (scored && !scored.ok) throw new Error(scored.error);
  return scored !== null && !scored.requestedAlready;
}

/** `refreshStaleScores`'s decision, and its request (`requestHeld` called once it is held); null when it asks for none. */
async function scoreIfDue(now: number, requestHeld: () => void) {
  const job = await readJob('scoring');
  if (job?.state === 'running') return null;
  const modelId = await activeModelId();
  const failure = job ? standingFailure(job) : undefined;
  // When the failed run ended: later one-CRM runs (after each sync) keep its failure, not its time.
  const failedRunEnded = job && failure?.modelId === modelId ? (failure.finishedAt ?? job.finishedAt ?? job.startedAt) : null;
  const retryFailed = failedRunEnded !== null && now - failedRunEnded >= RETRY_FAILED_SCORING_AFTER_MS;
  // Until then stale scores wait too: else a failure that stays would be repeated every hour. Only
  // for a failure that records its own end: one kept by an older LeadLens has the row's, which
  // each sync's one-CRM run moves on, so stale scores would wait for ever.
  const backingOff = failure?.finishedAt !== undefined && failedRunEnded !== null && !retryFailed;
  const owed = (await owedScoringModel()) === modelId;
  const oldest = await oldestScoreOf(modelId);
  const stale = !backingOff && oldest !== null && now - oldest >= SCORES_STALE_AFTER_MS;
  if (!retryFailed && !owed && !stale) return null;
  return scoreStoredLeadsIfAny(modelId, { unlessRequested: true, onRequestHeld: requestHeld });
}
