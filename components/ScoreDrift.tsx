import { useQuery } from '@tanstack/react-query';
import type { Manifest } from '@/lib/ml/manifest';
import { driftLevel, MIN_LEADS_FOR_DRIFT, populationStability, trainingDeciles, type DriftLevel } from '@/lib/ml/score-drift';
import { formatDistinctRates, plural } from '@/lib/presentation';
import { queryKeys } from '@/lib/query-keys';
import { scoringEveryLeadProgress, useOwedScoringOfEveryLead } from '@/lib/ui/owed-scoring';
import { scoresPerProbabilityBin } from '@/lib/ui/stored-data';
import { NumberGrid } from './Charts';

const MEANING: Record<DriftLevel, string> = {
  stable: 'stable: the leads scored now look like those the model learnt from.',
  moderate: 'a moderate shift: the leads scored now differ from those the model learnt from. Watch how the tiers convert, and consider training on recent history.',
  major: 'a major shift: the model is scoring leads unlike those it learnt from, so its probabilities may be off. Train it again on recent history.',
};

/** The probability range of each bin, in words: "below 3.2 %", "3.2 %–5.1 %", "41 % and above". */
function binLabels(cuts: readonly number[]): string[] {
  if (cuts.length === 0) return ['all'];
  const edges = formatDistinctRates(cuts);
  return [`below ${edges[0]}`, ...edges.slice(1).map((upper, i) => `${edges[i]}–${upper}`), `${edges[edges.length - 1]} and above`];
}

/**
 * Whether the stored leads, as the model scores them now, spread over its probabilities as
 * its training leads did (no outcome needed): the population stability index over the
 * training leads' deciles, and the share in each.
 */
export function ScoreDrift({ manifest }: { manifest: Manifest }) {
  const { modelId } = manifest;
  // While its activation's scoring of the stored leads is owed (running, or waiting for its turn), no verdict on its drift; a routine re-score is compared as ever.
  const scoringEveryLead = useOwedScoringOfEveryLead(modelId, [queryKeys.scoreDrift(modelId)]);
  const bins = trainingDeciles(manifest.reference.probabilityPercentiles);
  const counts = useQuery({
    queryKey: queryKeys.scoreDrift(modelId),
    queryFn: () => scoresPerProbabilityBin(modelId, bins.cuts, manifest.outcomeRule),
    enabled: scoringEveryLead.settled,
  });
  if (scoringEveryLead.run) {
    return (
      <p data-testid="score-drift" data-level="scoring">
        {scoringEveryLeadProgress(scoringEveryLead.run)}; the comparison follows when it is done.
      </p>
    );
  }
  if (counts.isPending) return <p>Reading the stored scores…</p>;
  if (counts.isError) return <p role="alert">{counts.error.message}</p>;
  const { counts: perBin, trainedOn } = counts.data;
  const total = perBin.reduce((sum, count) => sum + count, 0);
  const beyondTraining = trainedOn > 0 ? ` beyond the ${plural(trainedOn, 'lead', 'leads')} it was trained on` : '';
  if (total === 0) {
    return (
      <p data-testid="score-drift">
        No stored lead{beyondTraining} has a score from this model yet: sync or import {trainedOn > 0 ? 'newer ' : ''}leads to compare them with its training leads.
      </p>
    );
  }
  const psi = populationStability(bins.expected, perBin);
  const level = total < MIN_LEADS_FOR_DRIFT ? 'too-few' : driftLevel(psi);
  return (
    <>
      {level === 'too-few' ? (
        <p data-testid="score-drift" data-level={level}>
          Only {plural(total, 'stored lead', 'stored leads')}{beyondTraining} {total === 1 ? 'has' : 'have'} a score from this model: too few to tell a shift from
          chance. From {MIN_LEADS_FOR_DRIFT} on, their spread is compared with its training leads'.
        </p>
      ) : (
        <p data-testid="score-drift" data-level={level}>
          Over the {plural(total, 'stored lead', 'stored leads')} it scored{beyondTraining}, the population stability index against its training leads is{' '}
          {psi.toFixed(2)}, {MEANING[level]}
        </p>
      )}
      <NumberGrid
        className="score-drift"
        caption="Share of leads per probability range (the training leads' tenths)"
        corner="likely to convert"
        rowLabels={binLabels(bins.cuts)}
        columnLabels={['training leads', 'stored leads']}
        values={bins.expected.map((share, b) => [share, perBin[b] / total])}
        format={(share) => `${Math.round(share * 100)} %`}
      />
    </>
  );
}
