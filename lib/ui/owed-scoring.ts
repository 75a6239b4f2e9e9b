/** Whether the stored scores of a model being activated are ground for figures yet (the tier policy, the model report, score drift). */
import { owedScoringSeenBy, readJob, type JobProgress } from '../jobs/progress';
import { useLiveValue } from './hooks';

/** A scoring of every stored lead that is owed but not running: it waits for its turn (another job on the stored scores runs first, or the browser closed before it began). */
export interface OwedScoringWaiting {
  state: 'waiting';
}

/** Where a scoring of every stored lead with a model that its activation owes stands, as `useOwedScoringOfEveryLead` reads it. */
export interface OwedScoringOfEveryLead {
  /** The owed scoring: its run's row while it runs, `waiting` until then; null when none is owed with the model. */
  run: JobProgress | OwedScoringWaiting | null;
  /** Whether the model's stored scores are ground for figures: no scoring owed with it, and that known (the scoring job's row, and the model owed, read). */
  settled: boolean;
}

/**
 * The scoring of every stored lead with `modelId` that its activation (a roll back's too) owes.
 * Activation makes a model active before it scores the stored leads, and that scoring may wait
 * for its turn behind another job (a sync's one-CRM run, the old model's daily re-score, a
 * re-tier): until its run ends (the scoring no longer owed), the model's stored scores are none,
 * old ones (a roll back's) or the first batches' (in key order: one source's leads before
 * another's), no ground for figures read from them. A routine re-score of every lead (daily, a
 * retry) keeps the scores it replaces: not such a run. What was read from the scores is read
 * again as any scoring run ends by the page's own `useInvalidateWhenJobEnds('scoring', [leads])`,
 * once: invalidated here too, each read would start twice.
 */
export function useOwedScoringOfEveryLead(modelId: string): OwedScoringOfEveryLead {
  // Read live, with or without a run going: the activation owes the scoring before its run begins, and the run's end
  // settles it in the write that ends the run. One read of all, so the run seen running is the one owed: a run of
  // the model over every lead begun before it was owed (resumed after an update) is not it (`coversOwedScoring`).
  const read = useLiveValue(async () => {
    const scoring = await readJob('scoring');
    return { scoring, ...(await owedScoringSeenBy(scoring)) };
  });
  if (read === undefined) return { run: null, settled: false };
  const { scoring, owedModel, covers } = read;
  if (owedModel !== modelId) return { run: null, settled: true };
  return { run: scoring?.state === 'running' && covers ? scoring : { state: 'waiting' }, settled: false };
}

/**
 * How far a scoring of every stored lead with the model shown is, in the words of every part that
 * waits for it: "Scoring the stored leads with this model (2,500 of 100,000)", or "(waiting for its turn)".
 */
export function scoringEveryLeadProgress(run: JobProgress | OwedScoringWaiting): string {
  if (run.state === 'waiting') return 'Scoring the stored leads with this model (waiting for its turn)';
  return `Scoring the stored leads with this model (${run.done.toLocaleString('en-US')} of ${run.total.toLocaleString('en-US')})`;
}
