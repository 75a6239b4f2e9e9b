/** Whether the stored scores of a model being activated are ground for figures yet (the tier policy, the model report, score drift). */
import { useQuery, type QueryKey } from '@tanstack/react-query';
import { owedScoringModel, type JobProgress } from '../jobs/progress';
import { useInvalidateWhenJobEnds } from './hooks';

/** Where a scoring of every stored lead with a model that its activation owes stands, as `useOwedScoringOfEveryLead` reads it. */
export interface OwedScoringOfEveryLead {
  /** The run, while one scores every stored lead with the model and that scoring is owed; else null. */
  run: JobProgress | null;
  /** Whether the model's stored scores are ground for figures: no such run, and that known (the scoring job's row, and whether a run over every lead is owed, read). */
  settled: boolean;
}

/**
 * The run scoring every stored lead with `modelId` that its activation (a roll back's too) owes.
 * Activation makes a model active before it scores the stored leads: until that run ends (its
 * scoring still owed), the model's stored scores are none or the first batches' (in key order:
 * one source's leads before another's), no ground for figures read from them. A routine re-score
 * of every lead (daily, a retry) keeps the scores it replaces: not such a run. `keys` are
 * invalidated when a scoring run ends, for what was read from the scores to be read again.
 */
export function useOwedScoringOfEveryLead(modelId: string, keys: readonly QueryKey[]): OwedScoringOfEveryLead {
  const scoring = useInvalidateWhenJobEnds('scoring', keys);
  const runningOverEveryLead = scoring?.state === 'running' && scoring.source === undefined && scoring.modelId === modelId ? scoring : null;
  // Read for each run: the activation owes it before the run begins, and its end settles it.
  const owed = useQuery({ queryKey: ['scoring-owed', modelId, runningOverEveryLead?.startedAt], queryFn: owedScoringModel, enabled: runningOverEveryLead !== null });
  const run = runningOverEveryLead && owed.data === modelId ? runningOverEveryLead : null;
  const undecided = scoring === undefined || (runningOverEveryLead !== null && !owed.isSuccess);
  return { run, settled: run === null && !undecided };
}

/** How far a scoring of every stored lead with the model shown is, in the words of every part that waits for it: "Scoring the stored leads with this model (2,500 of 100,000)". */
export const scoringEveryLeadProgress = ({ done, total }: JobProgress) =>
  `Scoring the stored leads with this model (${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')})`;
