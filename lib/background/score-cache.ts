import { db } from '../db/db';
import { recordStaleHours } from '../settings/record-staleness';
import type { ScoreCache, ScoringDeps } from './score-lead';

export const dexieScoreCache: ScoreCache = {
  get: (key) => db.scores.get(key),
  put: async (key, entry) => {
    await db.scores.put({ key, ...entry, scoredAt: Date.now() });
  },
};

/** The score cache as record pages and the side panel use it: scores go stale after the admin's setting. */
export async function recordScoreCache(): Promise<Pick<ScoringDeps, 'cache' | 'now' | 'staleAfterMs'>> {
  return { cache: dexieScoreCache, now: () => new Date(), staleAfterMs: (await recordStaleHours()) * 3_600_000 };
}
