/**
 * Re-tiers the stored scores of a model off the options page's main thread (100,000 leads
 * take seconds). Progress goes to the `job:retier` setting (any page can watch it) and back
 * to the page.
 */
import { z } from 'zod';
import { db } from '@/lib/db/db';
import { prefixRange } from '@/lib/db/chunks';
import { STORED_SCORES_LOCK, runJob } from '@/lib/jobs/progress';
import { retierStoredScores } from '@/lib/ml/retier';

const RetierRequestSchema = z.object({ modelId: z.string(), hot: z.number(), warm: z.number() });
export type RetierMessage = { type: 'progress'; done: number; total: number } | { type: 'done'; changed: number } | { type: 'error'; message: string };

const post = (message: RetierMessage) => self.postMessage(message);

self.onmessage = async (event: MessageEvent) => {
  try {
    const { modelId, hot, warm } = RetierRequestSchema.parse(event.data);
    const [from, to] = prefixRange(`${modelId}|`);
    const total = await db.leadScores.where(':id').between(from, to, true, true).count();
    const changed = await navigator.locks.request(STORED_SCORES_LOCK, () =>
      runJob('retier', modelId, total, (report) =>
        retierStoredScores(modelId, { hot, warm }, async (done) => {
          await report(done);
          post({ type: 'progress', done, total });
        }),
      ),
    );
    post({ type: 'done', changed });
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
