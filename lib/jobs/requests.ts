/**
 * The service worker's requests for work on stored scores (a scoring of every lead or of one CRM's
 * leads, a re-tiering), asked of the offscreen document where the jobs run (./progress.ts), and
 * the Web Locks that say which are asked and not over: start-up and the hourly check ask again
 * for the work owed (./progress.ts `owedSourceScorings`, …) only when no request covers it, or
 * the same work would be done twice.
 */
import type { CrmKind } from '../crm/types';
import { oweRetier } from './progress';

/**
 * Held while the service worker looks for a request (`requestOnce`'s `unlessRequested`) and takes
 * its own, and while a tier policy owes its re-tiering and takes its request: each is one step. The name dates from when it guarded only scorings of every lead (a live lock: kept).
 */
const REQUEST_ASKING_LOCK = 'leadlens-full-scoring-asking';

/**
 * Runs `ask` holding a request lock of `requestLock`'s (`holdingRequestLock`) until it is
 * answered, first recording the work owed with `owe` when given; with `unlessRequested`, only
 * when no lock of `requestLock`'s is held already, else resolves null. Owing, looking and taking
 * the lock are one step (the asking lock): a start-up meanwhile would otherwise find the work owed
 * and not asked, and ask too. `onRequestHeld` is called once the request lock is held.
 */
async function requestOnce<T>(
  requestLock: string,
  ask: () => Promise<T>,
  { owe, unlessRequested = false, onRequestHeld }: { owe?: () => Promise<void>; unlessRequested?: boolean; onRequestHeld?: () => void },
): Promise<T | null> {
  let asking: Promise<T> | null = null;
  await navigator.locks.request(REQUEST_ASKING_LOCK, async () => {
    if (unlessRequested && (await lockHeldOf(requestLock))) return;
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

/** Runs `request` holding a lock named `${requestLock}|` and a random part: two requests never wait on each other. */
async function holdingRequestLock<T>(requestLock: string, request: () => Promise<T>): Promise<T> {
  return await navigator.locks.request(`${requestLock}|${crypto.randomUUID()}`, request);
}

/** Whether a lock named `${requestLock}|` and a random part is held (`holdingRequestLock`). */
async function lockHeldOf(requestLock: string): Promise<boolean> {
  const { held = [] } = await navigator.locks.query();
  return held.some((lock) => lock.name?.startsWith(`${requestLock}|`));
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
 * to score one CRM's stored leads until the reply: the document holds none for such a request. Lost
 * with the worker (Chrome stops one only when it idles, and it is kept alive while it waits: see
 * `scoreStoredLeadsOffscreen`), when the worst that follows is a CRM's leads scored twice.
 */
const SOURCE_SCORING_REQUEST_LOCK = 'leadlens-source-scoring-request|';

/**
 * Runs `ask`, which asks the offscreen document to score `source`'s stored leads with the active
 * model, holding a request lock until it is answered; with `unlessRequested`, only when no such
 * request is held already, else resolves null. Owed already (a sync owes it as it stores the leads:
 * progress.ts `oweSourceScoring`), so a browser closed before its run began has start-up or the
 * hourly check ask for it again (`scoreOwedSyncedLeads`).
 */
export async function requestScoringOf<T>(source: CrmKind, ask: () => Promise<T>, { unlessRequested = false } = {}): Promise<T | null> {
  return await requestOnce(`${SOURCE_SCORING_REQUEST_LOCK}${source}`, ask, { unlessRequested });
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

/**
 * Runs `ask`, which asks the offscreen document to re-tier `modelId`'s stored scores with its
 * tiers as they are then, holding a request lock until it is answered, as `requestScoringOf`
 * does. With `owe` (a new tier policy applied), the re-tiering is first recorded as owed
 * (`oweRetier`, replacing one owed before): queued behind another job when the browser closes,
 * start-up or the hourly check asks for it again (`retierOwedScores`). With `unlessRequested`
 * (they), only when no re-tiering of the model is asked and not over, else resolves null.
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
 * too, and the activation again after them, and every lead would be scored twice.
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
