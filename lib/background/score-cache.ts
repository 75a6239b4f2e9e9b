import type { CrmKind } from '../crm/types';
import { db, leadKeyOf, leadKeyOfCachedScore, leadKeyPrefix, leadKeyPrefixOf } from '../db/db';
import { CachedScoreSchema } from '../db/record-page-scores';
import { recordStaleAfterMs } from '../settings/record-staleness';
import type { PageAccess } from './page-access';
import { noPurgeSince } from './purge-mark';
import type { ScoreCache, ScoringDeps } from './score-lead';

export const dexieScoreCache: ScoreCache = {
  get: async (key) => {
    const parsed = CachedScoreSchema.safeParse(await db.scores.get(key));
    return parsed.success ? parsed.data : undefined;
  },
  put: async (key, entry) => {
    await db.scores.put({ key, ...entry, scoredAt: Date.now() });
  },
};

/** Scores cached for the CRM may be this page's: none was read through another org's API. */
const mayUseCache = (access: PageAccess) => access.connection !== 'other-org';

/** Keeps nothing: a page of another org than the connected one is scored from its own fields each time. */
const NO_SCORE_CACHE: ScoreCache = { get: async () => undefined, put: async () => undefined };

/**
 * Counts the times cached scores were forgotten (a connection replaced or removed, a tier policy
 * applied, a sync storing leads changed): a score read from the CRM before that, answered after,
 * is not cached (its fields would come back). Each forgetting notes its count, for every lead
 * (`allForgottenAt`) or for some (`leadsForgottenAt`: by lead key, or a CRM's `leadKeyPrefix` for
 * all of its leads), so a sync of one CRM leaves the other leads' reads to be cached. A purge is
 * counted apart, from the moment the page asked (`noPurgeSince`). The worker's memory suffices:
 * reads in flight end with the worker.
 */
let forgotten = 0;
let allForgottenAt = 0;
const leadsForgottenAt = new Map<string, number>();
/** Past this many, lead keys are forgotten as their CRMs' (a first sync stores every lead): a few MB at most, for the worker's life. */
const MOST_LEAD_KEYS_NOTED = 10_000;

/**
 * Scores being computed now are not to be cached: call once the connection they were read through
 * is replaced or removed, and before the cached scores are deleted (a score whose write was let
 * through would land after the delete). Of every lead, or only of `leads`: those of `leadKeys`,
 * or all of `crm`'s.
 */
export function forgetScoresInFlight(leads?: { leadKeys: Iterable<string> } | { crm: CrmKind }): void {
  forgotten++;
  if (!leads) {
    allForgottenAt = forgotten;
    leadsForgottenAt.clear();
    return;
  }
  if ('crm' in leads) leadsForgottenAt.set(leadKeyPrefix(leads.crm), forgotten);
  else for (const leadKey of leads.leadKeys) leadsForgottenAt.set(leadKey, forgotten);
  if (leadsForgottenAt.size > MOST_LEAD_KEYS_NOTED) {
    // Forgetting more than asked, never less: their CRMs' leads, as of now.
    const prefixes = new Set([...leadsForgottenAt.keys()].map(leadKeyPrefixOf));
    leadsForgottenAt.clear();
    for (const prefix of prefixes) leadsForgottenAt.set(prefix, forgotten);
  }
}

/** Whether the scores of `leadKey` were forgotten since the count was `count`. */
function forgottenSince(count: number, leadKey: string): boolean {
  const forgottenAt = Math.max(allForgottenAt, leadsForgottenAt.get(leadKey) ?? 0, leadsForgottenAt.get(leadKeyPrefixOf(leadKey)) ?? 0);
  return forgottenAt > count;
}

/**
 * The score cache a page of `access` may use. A lead's cache key names no org (see
 * page-access.ts): each entry keeps the org or portal of the page it was scored for, and a page
 * reads only its own org's (a sandbox or another portal has the same record ids; a list row
 * answered from a cached score checks no fields). Its write of a lead's score is dropped once that
 * lead's scores were forgotten since it was made, and once a purge began since its page asked (or
 * was pending then).
 */
export function scoreCacheFor(access: PageAccess): ScoreCache {
  // A page whose org is unknown could read any org's entry cached before entries kept theirs.
  if (!mayUseCache(access) || access.account === null) return NO_SCORE_CACHE;
  const madeAfter = forgotten;
  const { account } = access;
  return {
    get: async (key) => {
      const entry = await dexieScoreCache.get(key);
      return entry?.account === account ? entry : undefined;
    },
    put: async (key, entry) => {
      // Nor once a purge began since the page asked: it deletes every cached score, and a score cached after would outlive it.
      if (!forgottenSince(madeAfter, leadKeyOfCachedScore(key)) && noPurgeSince(access.purgesBefore)) await dexieScoreCache.put(key, { ...entry, account });
    },
  };
}

/** Deletes the cached scores of `crm`'s records (`scoreKeyOf`): they hold the records' fields. */
export async function deleteCachedScoresOf(crm: CrmKind): Promise<void> {
  const keys = (await db.scores.toCollection().primaryKeys()) as string[];
  await db.scores.bulkDelete(keys.filter((key) => leadKeyOfCachedScore(key).startsWith(leadKeyPrefix(crm))));
}

/**
 * Deletes every model's cached scores of `crm`'s records `recordIds`, of whatever org (another
 * org's entry only gets scored again): the CRM no longer gives the user these records (deleted,
 * or shared away), and the scores' reasons quote their fields.
 */
export async function deleteCachedScoresOfRecords(crm: CrmKind, recordIds: readonly string[]): Promise<void> {
  const leadKeys = new Set(recordIds.map((id) => leadKeyOf(crm, id)));
  const keys = (await db.scores.toCollection().primaryKeys()) as string[];
  await db.scores.bulkDelete(keys.filter((key) => leadKeys.has(leadKeyOfCachedScore(key))));
}

/** How often at most a worker deletes the stale cached scores, as it answers record pages. */
const STALE_SWEEP_EVERY_MS = 10 * 60_000;
let lastSweptAt = -Infinity;

/**
 * Deletes the cached scores older than `staleAfterMs`: they are never read again (a page's
 * lead is scored afresh), yet hold the fields of a record the rep opened, e-mail address and
 * all, and would stay until a purge, including a contact since erased from the CRM.
 */
async function deleteStaleCachedScores(staleAfterMs: number, now = Date.now()): Promise<number> {
  return db.scores.where('scoredAt').below(now - staleAfterMs).delete();
}

/**
 * Deletes the cached scores past the admin's setting, also when no record page is opened (the
 * background's hourly alarm): a rep who stops using the CRM pages leaves no fields behind.
 */
export async function deleteExpiredCachedScores(now = Date.now()): Promise<number> {
  return deleteStaleCachedScores(await recordStaleAfterMs(), now);
}

/** The score cache as record pages and the side panel use it: scores go stale after the admin's setting, and are then deleted. */
export async function recordScoreCache(access: PageAccess): Promise<Pick<ScoringDeps, 'cache' | 'now' | 'staleAfterMs'>> {
  const staleAfterMs = await recordStaleAfterMs();
  if (Date.now() - lastSweptAt >= STALE_SWEEP_EVERY_MS) {
    lastSweptAt = Date.now();
    await deleteStaleCachedScores(staleAfterMs);
  }
  return { cache: scoreCacheFor(access), now: () => new Date(), staleAfterMs };
}
