import { CRM_LABEL } from '@/lib/crm/types';
import type { Manifest } from '@/lib/ml/manifest';
import { driftLevel, MIN_LEADS_FOR_DRIFT, populationStability, trainingDeciles, type DriftLevel } from '@/lib/ml/score-drift';
import { formatDistinctRates, percentText, plural } from '@/lib/presentation';
import type { ScoresPerBin } from '@/lib/ui/stored-data';
import { NumberGrid } from './Charts';

/** Where the read of the model's stored scores per probability bin stands, as the page that shows the drift reads it. */
export type ScoreDriftRead =
  /** Its activation's scoring of every stored lead is owed (running, or waiting for its turn): `progress` says how far, in words. */
  | { state: 'scoring'; progress: string }
  | { state: 'reading' }
  | { state: 'failed'; message: string }
  | { state: 'read'; scores: ScoresPerBin };

const MEANING: Record<DriftLevel, string> = {
  stable: 'stable: the leads scored now look like those the model learnt from.',
  moderate: 'a moderate shift: the leads scored now differ from those the model learnt from. Watch how the tiers convert, and consider training on recent history.',
  major: 'a major shift: the model is scoring leads unlike those it learnt from, so its probabilities may be off. Train it again on recent history.',
};

/** The probability range of each bin, in words: "below 3.2%", "3.2%–5.1%", "41% and above". */
function binLabels(cuts: readonly number[]): string[] {
  if (cuts.length === 0) return ['all'];
  const edges = formatDistinctRates(cuts);
  return [`below ${edges[0]}`, ...edges.slice(1).map((upper, i) => `${edges[i]}–${upper}`), `${edges[edges.length - 1]} and above`];
}

/** What the population stability index compares, in one plain clause (said beside its value). */
const INDEX_COMPARES = "which compares how these leads spread over the model's probability ranges with how its training leads did (0 when alike)";

/**
 * Whether the stored leads, as the model scores them now, spread over its probabilities as
 * its training leads did (no outcome needed): the population stability index over the
 * training leads' deciles, and the share in each. Of a model that learnt from one CRM's leads,
 * that CRM's leads alone (`scoresPerProbabilityBin`), which it says.
 */
export function ScoreDrift({ manifest, read }: { manifest: Manifest; read: ScoreDriftRead }) {
  // While its activation's scoring of the stored leads is owed, no verdict on its drift; a routine re-score is compared as ever.
  if (read.state === 'scoring') {
    return (
      <p data-testid="score-drift" data-level="scoring">
        {read.progress}; the comparison follows when it is done.
      </p>
    );
  }
  if (read.state === 'reading') return <p>Reading the stored scores…</p>;
  if (read.state === 'failed') return <p role="alert">{read.message}</p>;
  const { counts: perBin, trainedOn, crm } = read.scores;
  const bins = trainingDeciles(manifest.reference.probabilityPercentiles);
  const total = perBin.reduce((sum, count) => sum + count, 0);
  const beyondTraining = trainedOn > 0 ? ` beyond the ${plural(trainedOn, 'lead', 'leads')} it was trained on` : '';
  // "stored Salesforce leads": the leads compared, when they are one CRM's alone.
  const stored = crm ? `stored ${CRM_LABEL[crm]}` : 'stored';
  const otherSourcesLeftOut = crm ? ` It learnt from ${CRM_LABEL[crm]} leads alone: the other sources' leads it scores are not compared.` : '';
  if (total === 0) {
    return (
      <p data-testid="score-drift">
        No {stored} lead{beyondTraining} has a score from this model yet: {crm ? 'sync' : 'sync or import'} {trainedOn > 0 ? 'newer ' : ''}leads to compare them with
        its training leads.{otherSourcesLeftOut}
      </p>
    );
  }
  const psi = populationStability(bins.expected, perBin);
  const level = total < MIN_LEADS_FOR_DRIFT ? 'too-few' : driftLevel(psi);
  return (
    <>
      {level === 'too-few' ? (
        <p data-testid="score-drift" data-level={level}>
          Only {plural(total, `${stored} lead`, `${stored} leads`)}
          {beyondTraining} {total === 1 ? 'has' : 'have'} a score from this model: too few to tell a shift from chance. From {MIN_LEADS_FOR_DRIFT} on, their spread is
          compared with its training leads'.{otherSourcesLeftOut}
        </p>
      ) : (
        <p data-testid="score-drift" data-level={level}>
          Over the {plural(total, `${stored} lead`, `${stored} leads`)} it scored{beyondTraining}, the population stability index, {INDEX_COMPARES}, is {psi.toFixed(2)},{' '}
          {MEANING[level]}
          {otherSourcesLeftOut}
        </p>
      )}
      <NumberGrid
        className="score-drift"
        caption="Share of leads per probability range (the training leads' tenths)"
        corner="likely to convert"
        rowLabels={binLabels(bins.cuts)}
        columnLabels={['training leads', `${stored} leads`]}
        values={bins.expected.map((share, b) => [share, perBin[b] / total])}
        format={(share) => percentText(Math.round(share * 100))}
      />
    </>
  );
}
