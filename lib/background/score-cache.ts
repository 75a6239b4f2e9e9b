import { db } from '../db/db';
import { recordStaleHours } from '../settings/record-staleness';
import { mayUseCache, type PageAccess } from './page-access';
import type { ScoreCache, ScoringDeps } from './score-lead';

export const dexieScoreCache: ScoreCache = {
  get: (key) => db.scores.get(key),
  put: async (key, entry) => {
    await db.scores.put({ key, ...entry, scoredAt: Date.now() });
  },
};

/** Keeps nothing: a page of another org than the connected one is scored from its own fields each time. */
const NO_SCORE_CACHE: ScoreCache = { get: async () => undefined, put: async () => undefined };

/** The score cache a page of `access` may use (a lead's cache key names no org: see page-access.ts). */
export const scoreCacheFor = (access: PageAccess): ScoreCache => (mayUseCache(access) ? dexieScoreCache : NO_SCORE_CACHE);

/** The score cache as record pages and the side panel use it: scores go stale after the admin's setting. */
export async function recordScoreCache(access: PageAccess): Promise<Pick<ScoringDeps, 'cache' | 'now' | 'staleAfterMs'>> {
  return { cache: scoreCacheFor(access), now: () => new Date(), staleAfterMs: (await recordStaleHours()) * 3_600_000 };
}
