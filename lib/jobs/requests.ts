/**
 * The service worker's requests for work on stored scores (a scoring of every lead or of one
 * source's leads, a re-tiering), asked of the offscreen document where the jobs run (./progress.ts), and
 * the Web Locks that say which are asked and not over: start-up and the hourly check ask again
 * for the work owed (./progress.ts `owedSourceScorings`, …) only when no request covers it, or
 * the same work would be done twice.
 */
import type { SourceKind } from '../ml/featurize';
import { oweRetier, owedScoringModel, owedSourceScorings, readJob } from './progress';

/**
 * Held while the service worker decides whether to ask (`requestOnce`'s `unlessRequested`,
 * `when`) and takes its request, and while a tier policy owes its re-tiering and takes its
 * request: each is one step. Held by a purge too, from before it stops the jobs until it has
 * deleted (lib/background/purge.ts): a sync it stops asks for its scoring as it ends, and a
 * request decided meanwhile, on what was owed before the purge, would run after it. Never held
 * while waiting for another lock. The name dates from when it guarded only scorings of every lead (a live lock: kept).
 */
export const REQUEST_ASKING_LOCK = 'leadlens-full-scoring-asking';

/**
 * Runs `ask` holding a request lock of `requestLock`'s (`holdingRequestLock`) until it is
 * answered, first recording the work owed with `owe` when given; with `unlessRequested`, only
 * when no lock of `requestLock`'s is held already, and with `when`, only when it resolves true,
 * else resolves null. Deciding, owing and taking the lock are one step (the asking lock): a
 * start-up meanwhile would otherwise find the work owed and not asked, and ask too.
 * `onRequestHeld` is called once the request lock is held.
 */
async function requestOnce<T>(
  requestLock: string,
  ask: () => Promise<T>,
  {
    owe,
    unlessRequested = false,
    when,
    onRequestHeld,
  }: { owe?: () => Promise<void>; unlessRequested?: boolean; when?: () => Promise<boolean>; onRequestHeld?: () => void },
): Promise<T | null> {
  let asking: Promise<T> | null = null;
  await navigator.locks.request(REQUEST_ASKING_LOCK, async () => {
    if (unlessRequested && (await lockHeldOf(requestLock))) return;
    if (when && !(await when())) return;
    await owe?.();
    await new Promise<void>((held) => {
      asking = holdingRequestLock(requestLock, () => {
        held();
        onRequestHeld?.();
        return ask();
      });
    });
  });
  return asking === null ? null : await asking;
}

/**
 * Runs `request` holding a lock named `${requestLock}|`, when it was taken and a random part: two
 * requests never wait on each other, and one taken since some work was owed is told from one
 * taken before (`requestedSince`).
 */
async function holdingRequestLock<T>(requestLock: string, request: () => Promise<T>): Promise<T> {
  return await navigator.locks.request(`${requestLock}|${Date.now()}|${crypto.randomUUID()}`, request);
}

/** Whether a lock of `requestLock`'s is held (`holdingRequestLock`). */
async function lockHeldOf(requestLock: string): Promise<boolean> {
  const { held = [] } = await navigator.locks.query();
  return held.some((lock) => lock.name?.startsWith(`${requestLock}|`));
}

/**
 * Whether a lock of `requestLock`'s taken at or after `since` is held (`holdingRequestLock`). The
 * same millisecond counts: a request taken by `requestOwedScoringOf` read the work owed before.
 */
async function requestedSince(requestLock: string, since: number): Promise<boolean> {
  const { held = [] } = await navigator.locks.query();
  const prefix = `${requestLock}|`;
  return held.some((lock) => lock.name?.startsWith(prefix) && Number(lock.name.slice(prefix.length).split('|')[0]) >= since);
}

/**
 * Start of the name of the lock the offscreen document holds from the moment it is asked to score
 * every stored lead with a model until that request ends (and the service worker from before it
 * sends it: the document takes its own only once it has the message): while it waits for its turn
 * (progress.ts `JOB_TURN_LOCK`) no row says it is coming, and asking again would score every lead
 * twice. A lock, not a row: it lives exactly as long as the request it stands for, which a restart
 * of the service worker leaves waiting in the document and a closed document (the browser's, a
 * crash) loses. The model id JSON-quoted, so that no model's name starts another's.
 */
const FULL_SCORING_REQUEST_LOCK = 'leadlens-full-scoring-request|';
const fullScoringRequestLockOf = (modelId: string) => `${FULL_SCORING_REQUEST_LOCK}${JSON.stringify(modelId)}`;

/** Runs `request`, a scoring of every stored lead with `modelId` (its wait for its turn, then its run), known meanwhile to `fullScoringRequested`. */
export async function holdingFullScoringRequest<T>(modelId: string, request: () => Promise<T>): Promise<T> {
  return await holdingRequestLock(fullScoringRequestLockOf(modelId), request);
}

/** Whether a scoring of every stored lead with `modelId` is asked of the offscreen document and not over (waiting for its turn, or running). */
export async function fullScoringRequested(modelId: string): Promise<boolean> {
  return await lockHeldOf(fullScoringRequestLockOf(modelId));
}

/**
 * Runs `ask`, which asks the offscreen document for a scoring of every stored lead with `modelId`,
 * holding a request lock until it is answered; with `unlessRequested`, only when none is
 * requested already (else resolves null): start-up and the hourly refresh in one worker would
 * otherwise both find none and both ask, and every lead would be scored twice. `onRequestHeld`
 * is called once the request lock is held (`decidingFullScoring` waits for it).
 */
export async function requestFullScoring<T>(
  modelId: string,
  ask: () => Promise<T>,
  options: { unlessRequested?: boolean; onRequestHeld?: () => void } = {},
): Promise<T | null> {
  return await requestOnce(fullScoringRequestLockOf(modelId), ask, options);
}

/**
 * Start of the name of the lock the service worker holds from before it asks the offscreen document
 * to score one source's stored leads until the reply: the document holds none for such a request. Lost
 * with the worker (Chrome stops one only when it idles, and it is kept alive while it waits: see
 * `scoreStoredLeadsOffscreen`), when the worst that follows is a source's leads scored twice.
 */
const SOURCE_SCORING_REQUEST_LOCK = 'leadlens-source-scoring-request|';

const sourceScoringRequestLockOf = (source: SourceKind) => `${SOURCE_SCORING_REQUEST_LOCK}${source}`;

/**
 * Whether `source`'s owed scoring (progress.ts `oweSourceScoring`) is to be asked now, with
 * `modelId` the active model: it is owed (by `owedBy`), and nothing covers it that goes on or is
 * asked: a run over its source's leads or every lead begun since it was owed (its end settles it), a
 * request of either taken since (its run begins after), or a scoring of every lead with `modelId`
 * owed and not asked yet (start-up or the hourly check asks for it). A run or request from before
 * it was owed may have passed the leads stored since: that one does not cover it.
 */
async function sourceScoringDue(source: SourceKind, modelId: string, owedBy: number): Promise<boolean> {
  const owedAt = (await owedSourceScorings()).find((owed) => owed.source === source)?.owedAt;
  if (owedAt === undefined || owedAt > owedBy) return false;
  const job = await readJob('scoring');
  if (job?.state === 'running' && (job.source === undefined || job.source === source) && job.startedAt > owedAt) return false;
  if ((await requestedSince(sourceScoringRequestLockOf(source), owedAt)) || (await requestedSince(fullScoringRequestLockOf(modelId), owedAt))) return false;
  return (await owedScoringModel()) !== modelId || (await fullScoringRequested(modelId));
}

/**
 * Runs `ask`, which asks the offscreen document to score `source`'s stored leads with `modelId`,
 * the active model, holding a request lock until it is answered, when that scoring is owed (a
 * sync owes it as it stores the leads, a CSV import as it commits them: progress.ts
 * `oweSourceScoring`) and nothing asked or under way covers it (`sourceScoringDue`; with `owedBy`,
 * only one owed by then), else resolves null. One shared by the sync's end or the import's page
 * and start-up or the hourly check (`scoreOwedSourceLeads`), decided holding the asking lock: both
 * at once would otherwise ask, and a source's leads be scored twice; and nothing is asked once a
 * purge has deleted what was owed.
 */
export async function requestOwedScoringOf<T>(source: SourceKind, modelId: string, ask: () => Promise<T>, { owedBy = Infinity } = {}): Promise<T | null> {
  return await requestOnce(sourceScoringRequestLockOf(source), ask, { when: () => sourceScoringDue(source, modelId, owedBy) });
}

/**
 * Start of the name of the lock held while a re-tiering of a model's stored scores is asked and
 * not over: by the service worker from before it asks the offscreen document until the reply
 * (`requestRetierOf`), and by the document from when it has the request until the run ends
 * (`holdingRetierRequest`), so a restart of the worker alone does not lose it. The model id
 * JSON-quoted, so that no model's name starts another's.
 */
const RETIER_REQUEST_LOCK = 'leadlens-retier-request|';
const retierRequestLockOf = (modelId: string) => `${RETIER_REQUEST_LOCK}${JSON.stringify(modelId)}`;

/** Runs `request`, a re-tiering of `modelId`'s stored scores (its wait for its turn, then its run), known meanwhile to `requestRetierOf`. */
export async function holdingRetierRequest<T>(modelId: string, request: () => Promise<T>): Promise<T> {
  return await holdingRequestLock(retierRequestLockOf(modelId), request);
}

/** Whether a re-tiering of `modelId`'s stored scores is asked and not over (waiting for its turn, or running). */
export async function retierRequested(modelId: string): Promise<boolean> {
  return await lockHeldOf(retierRequestLockOf(modelId));
}

/**
 * Runs `ask`, which asks the offscreen document to re-tier `modelId`'s stored scores with its
 * tiers as they are then, holding a request lock until it is answered, as `requestOwedScoringOf`
 * does. With `owe` (a new tier policy applied), the re-tiering is first recorded as owed
 * (`oweRetier`: in place of one of the model owed before, beside those of other models): queued
 * behind another job when the browser closes, start-up or the hourly check asks for it again
 * (`retierOwedScores`). With `unlessRequested`
 * (they), only when no re-tiering of the model is asked and not over, else resolves null. The
 * page that saves a policy owes it already (`setTiersOwingRetier`): a check in the moment before the
 * page's request arrives asks too, and the stored scores are re-tiered twice (the second changes
 * none), which beats a request lost with the page and the old tiers kept.
 */
export async function requestRetierOf<T>(modelId: string, ask: () => Promise<T>, options: { owe?: boolean; unlessRequested: true }): Promise<T | null>;
export async function requestRetierOf<T>(modelId: string, ask: () => Promise<T>, options?: { owe?: boolean; unlessRequested?: false }): Promise<T>;
export async function requestRetierOf<T>(modelId: string, ask: () => Promise<T>, { owe = false, unlessRequested = false } = {}): Promise<T | null> {
  return await requestOnce(retierRequestLockOf(modelId), ask, { owe: owe ? () => oweRetier(modelId) : undefined, unlessRequested });
}

/**
 * Held by a model's activation from before the transaction that records its scoring of every lead
 * owed until its request for that scoring is held, and by start-up and the hourly refresh while
 * they decide whether to ask for one: found owed in between, with no request yet, they would ask
 * too, and the activation again after them, and every lead would be scored twice. Start-up holds
 * it from before it owes an update's scoring and adopts a rebuilt bundled model (an activation too).
 */
const FULL_SCORING_DECISION_LOCK = 'leadlens-full-scoring-decision';

/**
 * Runs `decide`, which may change what scoring of every stored lead is owed and may ask for one
 * (`requestFullScoring`), holding `FULL_SCORING_DECISION_LOCK` until it calls `requestHeld` (its
 * request lock is held: others see its request) or settles, never for the scoring itself.
 */
export async function decidingFullScoring<T>(decide: (requestHeld: () => void) => Promise<T>): Promise<T> {
  let decision!: Promise<T>;
  await navigator.locks.request(
    FULL_SCORING_DECISION_LOCK,
    () =>
      new Promise<void>((release) => {
        decision = decide(release);
        const settled = () => release();
        decision.then(settled, settled);
      }),
  );
  return await decision;
}
