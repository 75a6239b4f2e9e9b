/**
 * How many leads production gives a model in one run, in a file of its own so that the model check
 * (check-model.ts, loaded by the training worker and the CLI too) can run a batch that large
 * without loading bulk scoring's IndexedDB and job code.
 */
import { MAX_LIST_BATCH } from '../messaging/protocol-list';

/** Stored leads per run of bulk scoring (bulk-score.ts). */
export const BULK_SCORING_BATCH = 1000;

/** The most leads in one run anywhere: bulk scoring's batch, or a list page's rows (`MAX_LIST_BATCH`). */
export const LARGEST_SCORING_BATCH = Math.max(BULK_SCORING_BATCH, MAX_LIST_BATCH);
