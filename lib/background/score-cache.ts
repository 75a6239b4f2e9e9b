import { db } from '../db/db';
import type { ScoreCache } from './score-lead';

export const dexieScoreCache: ScoreCache = {
  get: (key) => db.scores.get(key),
  put: async (key, fieldsHash, lead) => {
    await db.scores.put({ key, fieldsHash, lead, scoredAt: Date.now() });
  },
};
