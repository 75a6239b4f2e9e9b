/**
 * The stored scores the active model's drift check compares with its training leads
 * (components/ScoreDrift draws them): how many of its stored scores fall in each probability
 * bin of its training leads, read once its activation's scoring of every stored lead is no longer owed.
 */
import { useQuery } from '@tanstack/react-query';
import type { ScoreDriftRead } from '@/components/ScoreDrift';
import type { Manifest } from '@/lib/ml/manifest';
import { trainingDeciles } from '@/lib/ml/score-drift';
import { queryKeys } from '@/lib/query-keys';
import { scoringEveryLeadProgress, useOwedScoringOfEveryLead } from '@/lib/ui/owed-scoring';
import { scoresPerProbabilityBin } from '@/lib/ui/stored-data';

export function useScoreDrift(manifest: Manifest): ScoreDriftRead {
  const { modelId } = manifest;
  // While its activation's scoring of the stored leads is owed (running, or waiting for its turn), no verdict on its drift; a routine re-score is compared as ever.
  const scoringEveryLead = useOwedScoringOfEveryLead(modelId);
  const { cuts } = trainingDeciles(manifest.reference.probabilityPercentiles);
  const counts = useQuery({
    queryKey: queryKeys.scoreDrift(modelId),
    queryFn: () => scoresPerProbabilityBin(modelId, cuts, manifest),
    enabled: scoringEveryLead.settled,
  });
  if (scoringEveryLead.run) return { state: 'scoring', progress: scoringEveryLeadProgress(scoringEveryLead.run) };
  if (counts.isPending) return { state: 'reading' };
  if (counts.isError) return { state: 'failed', message: counts.error.message };
  return { state: 'read', scores: counts.data };
}
