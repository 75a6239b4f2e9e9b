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

/**
 * The numbers of rows the engine runs a model on (engine.ts pads a run with missing rows up to the next, and
 * splits a longer one into runs of the largest), and the check runs a model on each (check-model.ts
 * `checkModelWithinBudget`): a model's work may depend on the number of rows, so every number it is run with
 * is one the check ran. Powers of two, then the largest batch: padding at most doubles a run.
 */
export const RUN_SIZES: readonly number[] = [
  ...Array.from({ length: Math.ceil(Math.log2(LARGEST_SCORING_BATCH)) }, (_, k) => 2 ** k),
  LARGEST_SCORING_BATCH,
];
