/**
 * How many leads production gives a model in one run, and how long a run may take, in a file of its
 * own so that the model check (check-model.ts, loaded by the training worker and the CLI too) can run
 * a batch that large without loading bulk scoring's IndexedDB and job code, and the offscreen
 * document's watchdog (engine-in-worker.ts) can hold runs to that time without loading the check.
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

/**
 * How long a run of the check may take (check-model.ts `withinRunBudget`). The model loads (and
 * compiles) at its first run, which the check makes one of a single lead, allowed `loadMs`; every
 * other run may take 5 s per 1,000 leads, and at least `minimumMs` (a batch of a few leads: a pause
 * of the thread is no slow model). A tree ensemble scores 1,000 leads in milliseconds; a model that
 * takes seconds would hold up every badge that long at each batch of bulk scoring, though its whole
 * check might end within the deadline (check-in-worker.ts). Production runs are held to a multiple
 * of it (engine-in-worker.ts).
 */
export const RUN_BUDGET = { loadMs: 10_000, msPer1000Leads: 5_000, minimumMs: 1_000 };

/** How long a run of `leads` (a model already loaded) may take in the check. */
export const runBudgetMs = (leads: number) => Math.max(RUN_BUDGET.minimumMs, (RUN_BUDGET.msPer1000Leads * leads) / 1000);
