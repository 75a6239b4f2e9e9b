/**
 * Switching the active model, done where the jobs run: CRM tabs are told at once (their badges
 * score with the new model) and the stored leads' scoring outlives the page that asked.
 */
import { db } from '../db/db';
import { coversOwedScoring, oweScoringOfEveryLead, owedScoringModel, owedScoringSeenBy, owedSourceScorings, readJob, settleOwedScoring, standingFailure, writeJob, type JobProgress } from '../jobs/progress';
import { decidingFullScoring, requestFullScoring, requestOwedScoringOf } from '../jobs/requests';
import { sendToCrmTabs } from '../messaging/events';
import type { SourceKind } from '../ml/featurize';
import { activeModelId, adoptRebuiltBundledModel, dropScoresOfRetiredModels } from '../ml/model-store';
import { activateModel, rollBack } from '../ml/model-versions';
import { syncStateOf } from '../sync/kept-end';
import { OffscreenJobInterrupted, resumeOffscreenJobs, scoreStoredLeadsOffscreen } from './offscreen-engine';
import { retierOwedScores } from './retier';

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Records a request to score every stored lead with `modelId` that failed in this worker before
 * the offscreen document began a run of it (the document could not be opened, did not take the
 * message, or closed before its turn came) as a failed run over the `stored` leads, as the
 * document records one whose model it cannot read (`preparingRun`): the scoring owed with the
 * model is settled, the failure shown where failed runs are, and tried again hours later as they
 * are (`RETRY_FAILED_SCORING_AFTER_MS`). Unrecorded, the debt was asked again at every start of
 * this worker and every hour, failing the same way, with nothing said. Nothing is written when
 * the job's row changed since `before` (a run began: the document records how it ended) or says
 * a run goes on.
 */
async function recordRequestFailedBeforeRun(modelId: string, before: JobProgress | null, stored: number, error: unknown): Promise<void> {
  const failedAt = Date.now();
  await db.transaction('rw', db.settings, async () => {
    const job = await readJob('scoring');
    if (job?.state === 'running' || JSON.stringify(job) !== JSON.stringify(before)) return;
    const lastFailure = job ? standingFailure(job) : undefined;
    await writeJob('scoring', { modelId, state: 'failed', done: 0, total: stored, startedAt: failedAt, finishedAt: failedAt, error: messageOf(error), lastFailure });
    await settleOwedScoring(modelId);
  });
}

/**
 * Once a scoring of every stored lead with `modelId` succeeded and it is still the active model,
 * drops the scores of models neither active nor the roll back (`dropScoresOfRetiredModels`), in
 * the background: it waits for the jobs' turn, which the reply to an activation must not. Not
 * kept alive for: a worker stopped meanwhile leaves the rest to the next full scoring's drop.
 */
function dropRetiredScoresAfterScoringOf(modelId: string): void {
  void (async () => {
    if ((await activeModelId()) === modelId) await dropScoresOfRetiredModels();
  })().catch((error: unknown) => console.warn('LeadLens: dropping the stored scores of models no longer active failed:', error));
}

/**
 * Scores every stored lead with `modelId` (its stored scores are what pages and list badges show); with none, no job starts (and none is owed).
 * With `unlessRequested`, not when such a scoring is already asked for and not over (`requestedAlready`: it will score them).
 * `onRequestHeld` is called once its request is held (`requestFullScoring`).
 * A request that fails before the offscreen document began its run is recorded as a failed run (`recordRequestFailedBeforeRun`), and rethrown.
 * Once it succeeded, the scores of models neither active nor the roll back are dropped (`dropRetiredScoresAfterScoringOf`).
 */
export async function scoreStoredLeadsIfAny(
  modelId: string,
  { unlessRequested = false, onRequestHeld }: { unlessRequested?: boolean; onRequestHeld?: () => void } = {},
): Promise<{ ok: true; scored: number; requestedAlready?: true } | { ok: false; error: string }> {
  const stored = await db.leads.count();
  if (stored === 0) {
    await settleOwedScoring(modelId);
    return { ok: true, scored: 0 };
  }
  const before = await readJob('scoring');
  const reply = await requestFullScoring(modelId, () => scoreStoredLeadsOffscreen(modelId), { unlessRequested, onRequestHeld }).catch(async (error: unknown) => {
    await recordRequestFailedBeforeRun(modelId, before, stored, error);
    throw error;
  });
  if (reply?.ok) dropRetiredScoresAfterScoringOf(modelId);
  return reply ?? { ok: true, scored: 0, requestedAlready: true };
}

/**
 * Runs `activation` (it resolves with the model it made active), then scores the stored leads
 * with that model (`stored`: how many there are, to say how many it could not), telling CRM tabs
 * meanwhile. That scoring is recorded as owed in the activation's own transaction: queued behind
 * another job when the browser closes, it is resumed at the next start (`startStoredScoring`).
 * From before that transaction until its request is held, start-up and the hourly refresh wait
 * to decide (`decidingFullScoring`): they then find it asked, and do not ask a second. Once the
 * model is active the switch succeeded, whatever came of the scoring: a page told it failed would
 * offer to activate a model already active; `scoringProblem` says what went wrong with the
 * scoring, and what becomes of it when its page closed (its own run goes on where it stopped;
 * one that had not begun is still owed, and asked again by the hourly check).
 */
export async function switchActiveModel(activation: () => Promise<string>) {
  return await switchOutcome(await decidingFullScoring((requestHeld) => activateAndScore(activation, requestHeld)));
}

/** `switchActiveModel`'s work while it holds the decision (`requestHeld` called once its request is held): the activation, then its scoring, CRM tabs told meanwhile. */
async function activateAndScore(activation: () => Promise<string>, requestHeld: () => void) {
  let modelId: string;
  try {
    modelId = await db.transaction('rw', [db.models, db.settings], async () => {
      const activated = await activation();
      await oweScoringOfEveryLead(activated);
      return activated;
    });
  } catch (error) {
    return { ok: false as const, error: `The model could not be activated: ${messageOf(error)}` };
  }
  // Asked first, the tabs told meanwhile: telling them (one message per tab) does not widen the wait of start-up and the refresh.
  const [scored] = await Promise.all([
    scoreStoredLeadsIfAny(modelId, { onRequestHeld: requestHeld }).catch((error: unknown) => ({ ok: false as const, error })),
    sendToCrmTabs('scoresChanged', {}),
  ]);
  return { ok: true as const, modelId, scored };
}

/** What a switch says once its scoring ended (`activateAndScore`). */
async function switchOutcome(
  switched: Awaited<ReturnType<typeof activateAndScore>>,
): Promise<{ ok: true; modelId: string; scored: number; stored: number; scoringProblem?: string } | { ok: false; error: string }> {
  if (!switched.ok) return switched;
  const { modelId, scored } = switched;
  const stored = await db.leads.count();
  if (scored.ok) return { ok: true, modelId, scored: scored.scored, stored };
  return { ok: true, modelId, scored: 0, stored, scoringProblem: await scoringProblemOf(modelId, scored.error) };
}

/**
 * What the activation of `modelId` says when scoring the stored leads with it failed with `error`:
 * once another model was made active since (its activation stops this one's scoring), only that,
 * calmly: the leads are scored with that one, and this model's are no longer shown.
 */
async function scoringProblemOf(modelId: string, error: unknown): Promise<string> {
  if ((await activeModelId()) !== modelId) return 'Another model was made active since, and the stored leads are scored with it instead.';
  if (error instanceof OffscreenJobInterrupted) {
    const { continuing } = error;
    // Its own run, begun once owed (`coversOwedScoring`); one begun before (resumed after an update) does not settle it.
    if (continuing?.modelId === modelId && (await coversOwedScoring(continuing))) return 'Scoring the stored leads with it was interrupted, and goes on where it stopped.';
    // Its run had not begun (it waited behind another job, which goes on): nothing recorded it failed, and it is still owed.
    if ((await owedScoringModel()) === modelId) {
      return 'Scoring the stored leads with it was cut short before it began (the page running it closed): the hourly check asks for it again once no other scoring of the stored leads runs.';
    }
  }
  return `The stored leads could not be scored with it: ${messageOf(error)}`;
}

export const activateStoredModel = (modelId: string) => switchActiveModel(() => activateModel(modelId).then(() => modelId));
export const rollBackModel = () => switchActiveModel(rollBack);

/**
 * Scores the stored leads with the active model when its activation's scoring of every lead is
 * still owed (the browser closed before it began: it waited for another job's turn; or a CSV
 * import's page asks for its leads' scoring, which that one covers), unless the job left running
 * is that scoring begun since it was owed (resumed, it goes on: `coversOwedScoring`; one begun
 * before, as an update's scoring again finds, may have passed leads owed a new score: a run from
 * the first lead is asked, after it) or it still waits for its turn in the offscreen document
 * (only this worker was restarted: `requestedAlready`). Decided once no activation is between
 * owing its scoring and asking for it (`decidingFullScoring`): else both would ask. Null when it
 * asks nothing.
 */
export async function scoreOwedLeads() {
  return await decidingFullScoring(askOwedScoring);
}

/** `scoreOwedLeads`'s decision, and its request (`requestHeld` called once it is held). */
async function askOwedScoring(requestHeld: () => void) {
  const modelId = await activeModelId();
  const job = await readJob('scoring');
  const { owedModel, covers } = await owedScoringSeenBy(job);
  if (owedModel !== modelId) return null;
  if (job?.state === 'running' && covers) return null;
  return scoreStoredLeadsIfAny(modelId, { unlessRequested: true, onRequestHeld: requestHeld });
}

/**
 * Asks the offscreen document to score `source`'s stored leads with the model active now, when
 * that scoring is owed (a sync's, a CSV import's: progress.ts `oweSourceScoring`) and no run or
 * request covers it (`requestOwedScoringOf`; with `owedBy`, only one owed by then); null when it
 * asks nothing. The model is read here, not taken from a page: one read there before another
 * tab's activation would score the leads with a model no longer shown.
 */
export async function requestOwedSourceScoring(source: SourceKind, { owedBy }: { owedBy?: number } = {}) {
  const modelId = await activeModelId();
  return await requestOwedScoringOf(source, modelId, () => scoreStoredLeadsOffscreen(modelId, source), { owedBy });
}

/**
 * Scores with the active model the leads of each source whose scoring is still owed (a CRM's
 * sync's, a CSV import's: the browser closed, the import's page closed before it asked, or the
 * offscreen document could not be opened, before its run began), unless its CRM's sync runs (its
 * end asks for it), or a run or request covers it (`requestOwedScoringOf`: the sync's end and the
 * import's page decide by the same rule, so the two never both ask). Each source's is read again
 * in its turn, as the one before may take minutes: skipped once settled meanwhile, or owed since
 * this began (by a sync or an import, which asks for it itself). A source's failure is the scoring
 * job row's to show (as a sync's is): logged, and the next source scored.
 */
export async function scoreOwedSourceLeads(): Promise<void> {
  const began = Date.now();
  for (const { source } of await owedSourceScorings()) {
    // As the Sync row reads it: a run whose end the full disk kept from being stored runs no more, though stored as running.
    if (source !== 'csv' && (await syncStateOf(source)).status === 'running') continue;
    try {
      const reply = await requestOwedSourceScoring(source, { owedBy: began });
      if (reply && !reply.ok) throw new Error(reply.error);
    } catch (error) {
      console.warn(`LeadLens: the stored ${source} leads could not be scored:`, error);
    }
  }
}

/**
 * At start-up: first what `oweFirst` owes (start-up's scoring of every lead again after an update:
 * start-up.ts `scoreAgainAfterUpdate`), then an update's rebuilt bundled model takes over what
 * named the old one (`adoptRebuiltBundledModel`), then the stored-score jobs the browser closed on
 * resume, and when the old bundled model was the active one, CRM tabs and the stored leads get
 * the new one's scores; else the scoring owed with the active model (its activation's, never
 * begun) starts, then those owed of a CRM's synced leads or of imported CSV leads
 * (`scoreOwedSourceLeads`), then a re-tiering a tier policy owes (`retierOwedScores`). From before
 * `oweFirst` until its scoring of every lead is asked (or none is), it holds the decision
 * (`decidingFullScoring`): the hourly check (an alarm firing during start-up), deciding between,
 * would find that scoring owed and ask for it, with the old bundled model (no longer installed) or
 * with the new one, which the adoption then asks again, as an activation does whatever is asked.
 */
export async function startStoredScoring(oweFirst?: () => Promise<void>): Promise<void> {
  const started = await decidingFullScoring(async (requestHeld) => {
    await oweFirst?.();
    // A failure to adopt is logged, not a reason to leave the jobs the browser closed on unresumed.
    const activeChanged = await adoptRebuiltBundledModel().catch((error: unknown) => {
      console.error('LeadLens: adopting the rebuilt bundled model failed', error);
      return false;
    });
    await resumeOffscreenJobs();
    if (activeChanged) return { switched: await activateAndScore(activeModelId, requestHeld) };
    return { owedScored: await askOwedScoring(requestHeld) };
  });
  if (started.switched !== undefined) {
    const switched = await switchOutcome(started.switched);
    if (!switched.ok) throw new Error(switched.error);
    if (switched.scoringProblem) throw new Error(`The rebuilt default model is active. ${switched.scoringProblem}`);
    return;
  }
  const scored = started.owedScored;
  if (scored && !scored.ok) throw new Error(scored.error);
  await scoreOwedSourceLeads();
  return retierOwedScores();
}
