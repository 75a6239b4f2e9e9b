/**
 * Stored scores age: "days since created" and "days since last activity" are measured when a lead
 * is scored, so a lead scored a month ago and never synced since (auto-sync off, a CSV import,
 * demo leads) would keep the tier it had then in the side panel's counts and top leads, while its
 * record page, scored afresh, says another. Once a day the active model scores them again.
 * The same hourly look deletes the record pages' cached scores once stale.
 */
import { browser } from 'wxt/browser';
import { db } from '../db/db';
import { ALL_KEYS, forEachChunk, prefixRange, rangeAfter } from '../db/chunks';
import { decidingFullScoring, owedScoringModel, owedSourceScorings, readJob, RETRY_FAILED_SCORING_AFTER_MS, standingFailure } from '../jobs/progress';
import { featuresTracked } from '../ml/explain';
import { featurizeRecord, knownFeatureCount, type SourceKind } from '../ml/featurize';
import type { Manifest } from '../ml/manifest';
import { activeModelId, manifestOf } from '../ml/model-store';
import { scoreOwedSyncedLeads, scoreStoredLeadsIfAny } from './activate-model';
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
 * When the oldest stored score of `modelId` was computed (null when it has none), and the keys of
 * the leads it scored. A chunk at a time: a sync's writes are not held up behind one long read.
 */
async function scoresOf(modelId: string): Promise<{ oldest: number | null; scoredLeads: Set<string> }> {
  let oldest: number | null = null;
  const scoredLeads = new Set<string>();
  await forEachChunk(
    db.leadScores,
    SCORE_CHUNK,
    (scores) => {
      for (const score of scores) {
        if (oldest === null || score.scoredAt < oldest) oldest = score.scoredAt;
        scoredLeads.add(score.leadKey);
      }
    },
    prefixRange(`${modelId}|`),
  );
  return { oldest, scoredLeads };
}

/**
 * Whether a stored lead has no score of `manifest`'s model though the model reads one of its
 * fields. One it reads none of is gone through by every run and left without a score (as a badge
 * gives none): counted, it would have every lead scored again every hour. The leads of a source
 * the model reads no field of are not even read; the others' keys a chunk at a time.
 */
async function hasUnscoredLead(manifest: Manifest, scoredLeads: ReadonlySet<string>, now: number): Promise<boolean> {
  const reads = new Map<string, boolean>();
  const readsSourceOf = (key: string) => {
    const source = key.slice(0, key.indexOf('|')) as SourceKind;
    if (!reads.has(source)) reads.set(source, featuresTracked(manifest, source) > 0);
    return reads.get(source);
  };
  const at = new Date(now);
  for (let after: string | undefined; ; ) {
    const keys = await db.leads.where(':id').between(...rangeAfter(ALL_KEYS, after), true, true).limit(SCORE_CHUNK).primaryKeys();
    if (keys.length === 0) return false;
    after = keys[keys.length - 1];
    const unscored = keys.filter((key) => !scoredLeads.has(key) && readsSourceOf(key));
    for (const lead of await db.leads.bulkGet(unscored)) {
      if (lead && knownFeatureCount(featurizeRecord(lead.fields, manifest.features, lead.source, at)) > 0) return true;
    }
  }
}

/**
 * Deletes the record pages' cached scores past their expiry (they hold the records' fields,
 * and are otherwise swept only as record pages are answered). Opens the offscreen document
 * again when a job's row says it runs there but it is closed (Chrome closed it, or it crashed,
 * and no start-up of this worker resumed the job since): the job goes on. Then scores every
 * stored lead again with the active model when its oldest score is over a day old, when a stored
 * lead it reads has none of its scores (stored while no scoring could run; not right after a run
 * over every lead with it succeeded, which went through it: `hasUnscoredLead`), when its
 * last scoring of every lead failed over RETRY_FAILED_SCORING_AFTER_MS ago (the leads it left
 * have no score to age; until then stale scores wait too, as the side panel says, when the
 * failure records its end), or when its activation's scoring of every lead is still owed (its
 * request was lost before it began), unless a scoring job runs (it scores them now) or one of
 * every lead with the active model waits for its turn (an activation's, behind a re-tiering):
 * it will score them. Then asks for a re-tiering a tier policy owes (`retierOwedScores`), after
 * that scoring: one of every lead with the model begun since it was owed settles it. Resolves with
 * whether it scored them.
 */
export async function refreshStaleScores(now = Date.now()): Promise<boolean> {
  await deleteExpiredCachedScores(now);
  await resumeOffscreenJobs();
  // Decided once no activation is between owing its scoring and asking for it: else both would ask.
  const scored = await decidingFullScoring((requestHeld) => scoreIfDue(now, requestHeld));
  // Scoring every lead settles what a CRM's sync owed: else those are asked for now.
  if (scored === null) await scoreOwedSyncedLeads();
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
  const { oldest, scoredLeads } = await scoresOf(modelId);
  const stale = !backingOff && oldest !== null && now - oldest >= SCORES_STALE_AFTER_MS;
  // Leads stored without a score (synced or imported while no scoring could run) are scored now, not once another
  // score is a day old. Not right after a run over every lead with the model succeeded: those it went through and
  // left unscored (the model gave them no probability) would be asked again every hour; that run's row stands until
  // another run (a sync's) replaces it, or a day. Nor while a CRM's sync owes its scoring: that one-CRM run scores them.
  const justScoredEveryLead = job?.state === 'done' && job.source === undefined && job.modelId === modelId && now - (job.finishedAt ?? job.startedAt) < SCORES_STALE_AFTER_MS;
  const unscored =
    !retryFailed && !owed && !stale && !backingOff && !justScoredEveryLead && (await owedSourceScorings()).length === 0 && (await hasUnscoredLead(await manifestOf(modelId), scoredLeads, now));
  if (!retryFailed && !owed && !stale && !unscored) return null;
  return scoreStoredLeadsIfAny(modelId, { unlessRequested: true, onRequestHeld: requestHeld });
}
