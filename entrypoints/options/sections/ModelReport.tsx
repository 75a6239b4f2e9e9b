import { useQuery } from '@tanstack/react-query';
import { memo, useMemo } from 'react';
import { BarsChart, CurveChart, FoldedNumberGrid, NumberGrid } from '@/components/Charts';
import { ShapePlot } from '@/components/ShapePlot';
import { ErrorState, Loading } from '@/components/StatusMessage';
import { TierLabel } from '@/components/TierLabel';
import { modelHasShapes } from '@/lib/ml/insights';
import type { Manifest } from '@/lib/ml/manifest';
import { heldOutRocAucStandardError, keptLeakageFlags, leakageCheckNotRunWarning } from '@/lib/ml/model-card';
import { reliabilityError } from '@/lib/ml/reliability-error';
import { clipWithEllipsis, shownLabel, visibleText } from '@/lib/ml/visible-text';
import { useActiveManifest } from '@/lib/ui/hooks';
import { scoringEveryLeadProgress, useOwedScoringOfEveryLead } from '@/lib/ui/owed-scoring';
import { confusionAt } from '@/lib/ml/train/metrics';
import { countedLabelled, precisionAt, recallAt } from '@/lib/ml/tier-policy';
import { describeModelOutcome, describeWhenOutcomeCounts, modelDateWords, modelSourceName, settledDaysOf } from '@/lib/ml/outcome-rule';
import { chanceNote, formatRate, formatThreshold, heldOutAucHeading, heldOutCurveDescription, plural, prAucHeading } from '@/lib/presentation';
import { labelledQuery } from '../policy-client';
import { LabelledLeadsNote, useAgesCountedTo } from './LabelledLeadsNote';
import { CalibrationError, NoSignalWarning, PrAucFigure } from './training/TrainingReport';

/** The most characters of a leakage reason shown: the guard's own run to a few hundred; an imported model's may be of any length. */
const MAX_REASON_CHARS = 600;
/**
 * A reason from the model's manifest as the report shows it: visible text (an imported model's may
 * hold direction controls that reorder the words around it), cut to MAX_REASON_CHARS. The manifest
 * keeps it as written, so models compare as they were trained.
 */
const shownReason = (reason: string) => clipWithEllipsis(visibleText(reason), MAX_REASON_CHARS);

const fixed3 = (value: number | undefined) => (value === undefined ? 'not given' : value.toFixed(3));
const ordinals = (count: number) => Array.from({ length: count }, (_, i) => String(i + 1));

/** How a model's probabilities were calibrated, in words: its likelihoods are only as good as that. */
const CALIBRATED_BY: Record<Manifest['calibration']['kind'], string> = {
  platt: 'probabilities calibrated by Platt scaling',
  isotonic: 'probabilities calibrated by isotonic regression',
  none: 'probabilities not calibrated',
};

/**
 * What the calibration chart's bins are, for its description: equal-count bins are the groups the
 * calibration error above is measured over; an older model's equal-width ones are its ECE's.
 */
function calibrationBinsAre(metrics: Manifest['metrics']): string {
  const { calibrationRanges, ece } = metrics;
  if (calibrationRanges) return ` of about equal lead counts${reliabilityError(metrics) ? ', the groups the calibration error above is measured over' : ''}`;
  return ece === undefined ? ' of equal width' : ` of equal width, expected calibration error (ECE) over them ${fixed3(ece)}`;
}

/** The calibration bins as rows: predicted and observed conversion, and how many leads each bin holds when the model says. */
function CalibrationTable({ bins, leads }: { bins: readonly (readonly [number, number])[]; leads: readonly number[] | undefined }) {
  return (
    <FoldedNumberGrid
      summary="Every bin as a table"
      caption="Calibration (predicted against observed conversion per bin)"
      corner="Bin"
      rowLabels={ordinals(bins.length)}
      columnLabels={leads ? ['Predicted', 'Observed', 'Leads'] : ['Predicted', 'Observed']}
      values={bins.map(([predicted, observed], bin) => (leads ? [predicted, observed, leads[bin]] : [predicted, observed]))}
      format={(value, column) => (column === 2 ? value.toLocaleString('en-US') : formatRate(value))}
    />
  );
}

/** Confusion matrices at the hot and warm thresholds, on the stored leads whose outcome is known. */
function ConfusionMatrices({ manifest }: { manifest: Manifest }) {
  const labelled = labelledQuery(manifest.modelId);
  // Until the activation's scoring of every stored lead ends, the model's scores are its first batches' (one source's): not read, and read again at its end.
  const scoring = useOwedScoringOfEveryLead(manifest.modelId);
  const data = useQuery({ ...labelled, enabled: scoring.settled });
  const countedTo = useAgesCountedTo(manifest);
  const { policy, hot, warm } = manifest.tiers;
  const { calibration } = manifest;
  // The leads it learnt from counted as its policy counts them (`countedLabelled`), as the model card does and the tier preview of that policy.
  const counted = useMemo(() => data.data && countedLabelled(data.data, policy, calibration), [data.data, policy, calibration]);
  const confusion = useMemo(
    () => data.data && counted && { hot: confusionAt(data.data.labels, counted.probabilities, hot), warm: confusionAt(data.data.labels, counted.probabilities, warm) },
    [data.data, counted, hot, warm],
  );
  if (scoring.run) return <p data-testid="confusion-scoring">{scoringEveryLeadProgress(scoring.run)}; the confusion matrices follow when it is done.</p>;
  if (!scoring.settled || data.isPending) return <Loading what="stored outcomes" />;
  if (data.isError) return <ErrorState message={data.error.message} />;
  const { labels } = data.data;
  if (labels.length === 0 || !confusion || !counted) return <p>Confusion matrices need stored leads with known outcomes (sync history, import a CSV, or load the demo data; {describeWhenOutcomeCounts(settledDaysOf(manifest.outcomeRule), true, countedTo)}).</p>;
  return (
    <div className="chart-grid">
      {(['hot', 'warm'] as const).map((tier) => {
        const c = confusion[tier];
        return (
          <div key={tier}>
            <p style={{ margin: 0 }}>
              At the <TierLabel tier={tier} /> threshold ({formatThreshold(manifest.tiers[tier])}): precision {precisionAt(c)}, recall {recallAt(c)}
            </p>
            <NumberGrid
              caption={`Called ${tier} or above vs. what happened`}
              rowLabels={['Converted', 'Did not convert']}
              columnLabels={[`${tier === 'hot' ? 'Hot' : 'Warm or hot'}`, 'Below']}
              values={[[c.tp, c.fn], [c.fp, c.tn]]}
              format={(v) => v.toLocaleString('en-US')}
            />
          </div>
        );
      })}
      <LabelledLeadsNote labelled={data.data} learntFromBy={counted.learntFromBy} outcomeRule={manifest.outcomeRule} agesCountedTo={countedTo} />
    </div>
  );
}

/**
 * The leakage guard's flags the admin kept when training this model: a feature that a lead's
 * outcome wrote makes the figures beside it better than the model does on new leads.
 */
function KeptLeakageNote({ manifest }: { manifest: Manifest }) {
  const flags = keptLeakageFlags(manifest);
  if (flags.length === 0) return null;
  return (
    <div role="note" data-testid="kept-leakage">
      These figures may be better than the model does on new leads: it reads features the leakage guard flagged when it was trained, kept all the
      same. If a new lead does not have one as your history does, train again without it.
      <ul>
        {flags.map(({ label, reason }) => (
          <li key={label}>
            {label}: {shownReason(reason)}.
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Said of a model whose leakage guard could not run when it was trained: its figures were never checked for such fields. */
function LeakageCheckNotRunNote({ manifest }: { manifest: Manifest }) {
  const notRun = manifest.provenance.leakageCheckNotRun;
  if (!notRun) return null;
  return (
    <p role="note" data-testid="leakage-check-not-run">
      {leakageCheckNotRunWarning(shownReason(notRun.reason))}
    </p>
  );
}

/** Shape plots are the report's heaviest part: redraw them only when their term changes, not when the tiers do. */
const MemoShapePlot = memo(ShapePlot);

/** The curves and bars of the report; redrawn only when the metrics or terms change, not the tiers. */
const ReportCharts = memo(function ReportCharts({ metrics, terms }: { metrics: Manifest['metrics']; terms: Manifest['terms'] }) {
  return (
    <>
      <div className="chart-grid">
        {metrics.roc && (
          <CurveChart title="ROC curve" description={heldOutCurveDescription(metrics.folds, 'ROC-AUC', metrics.cvRocAuc)} points={metrics.roc} xLabel="False-positive rate %" yLabel="True-positive rate %" diagonal />
        )}
        {metrics.pr && <CurveChart title="Precision–recall" description={heldOutCurveDescription(metrics.folds, 'PR-AUC', metrics.cvPrAuc)} points={metrics.pr} xLabel="Recall %" yLabel="Precision %" />}
        {metrics.calibration && (
          <CurveChart
            title="Calibration"
            description={`observed conversion against predicted probability in ${metrics.calibration.length} bins${calibrationBinsAre(metrics)}; the dashed diagonal is perfect`}
            points={metrics.calibration}
            xLabel="Predicted %"
            yLabel="Observed %"
            diagonal
            zoomed
            textAlternative={<CalibrationTable bins={metrics.calibration} leads={metrics.calibrationLeads} />}
          />
        )}
        {metrics.liftByDecile && (
          <BarsChart
            title="Conversion by score decile"
            description={`best decile converts ${formatRate(metrics.liftByDecile[0])}, worst ${formatRate(metrics.liftByDecile[metrics.liftByDecile.length - 1])}`}
            bars={metrics.liftByDecile.map((rate, i) => ({ label: String(i + 1), value: rate }))}
            format={(rate) => formatRate(rate)}
            labelAxisTitle="Score decile (1 = highest scores)"
            valueAxisTitle="Conversion rate"
            textAlternative={
              <FoldedNumberGrid
                summary="Every decile as a table"
                caption="Conversion rate per score decile, best first (a decile is a tenth of the leads, ranked by score)"
                corner="Decile"
                rowLabels={ordinals(metrics.liftByDecile.length)}
                columnLabels={['Conversion rate']}
                values={metrics.liftByDecile.map((rate) => [rate])}
                format={(rate) => formatRate(rate)}
              />
            }
          />
        )}
      </div>
      <BarsChart
        title="Term importance"
        description={`strongest: ${terms.slice(0, 3).map((t) => t.label).join(', ')}`}
        bars={terms.map((term) => ({ label: term.label, value: term.importance }))}
        horizontal
        format={(rate) => formatRate(rate)}
        valueAxisTitle="Share of mean absolute effect on score"
        textAlternative={
          <FoldedNumberGrid
            summary="Every term as a table"
            caption="Term importance (each term's share of the model's effect on scores), strongest first"
            corner="Term"
            rowLabels={terms.map((term) => term.label)}
            columnLabels={['Importance']}
            values={terms.map((term) => [term.importance])}
            format={(rate) => formatRate(rate)}
          />
        }
      />
    </>
  );
});

function Report({ manifest }: { manifest: Manifest }) {
  const { metrics, provenance } = manifest;
  // Kept across a refetch that changed only the tiers (the query shares unchanged parts), so the charts do not redraw.
  const terms = useMemo(() => [...manifest.terms].sort((a, b) => b.importance - a.importance), [manifest.terms]);
  const hasShapes = modelHasShapes(manifest);
  const cvStandardError = metrics.cvRocAuc === undefined ? undefined : heldOutRocAucStandardError(metrics.cvRocAuc, metrics);
  return (
    <>
      {/* Above the figures, signals and shapes, which rank nothing for such a model. */}
      <NoSignalWarning calibration={manifest.calibration} active />
      <dl className="model-summary">
        <dt>Data</dt>
        <dd>
          {plural(provenance.rows, 'lead', 'leads')}, {plural(provenance.positives, 'conversion', 'conversions')}, from {shownLabel(modelSourceName(provenance.source))};{' '}
          {modelDateWords(manifest)}; {CALIBRATED_BY[manifest.calibration.kind]}
          {manifest.outcomeRule && `. Converted means: ${describeModelOutcome(manifest.outcomeRule)}`}
        </dd>
        <dt>{heldOutAucHeading(metrics)}</dt>
        <dd>
          {fixed3(metrics.cvRocAuc)}
          {cvStandardError !== undefined && ` ${chanceNote(cvStandardError)}`}
        </dd>
        <dt>{prAucHeading(provenance.positives / provenance.rows)}</dt>
        <dd>{metrics.cvPrAuc === undefined ? fixed3(metrics.cvPrAuc) : <PrAucFigure prAuc={metrics.cvPrAuc} metrics={metrics} />}</dd>
        <dt>Out-of-time ROC-AUC (newest leads, held out)</dt>
        <dd>
          {metrics.outOfTimeRocAuc === undefined ? 'not measured for this model' : metrics.outOfTimeRocAuc.toFixed(3)}
          {metrics.outOfTime?.standardError !== undefined && ` ${chanceNote(metrics.outOfTime.standardError)}`}
        </dd>
        <CalibrationError metrics={metrics} />
      </dl>
      <KeptLeakageNote manifest={manifest} />
      <LeakageCheckNotRunNote manifest={manifest} />
      <ReportCharts metrics={metrics} terms={terms} />
      <h3 style={{ fontSize: 15 }}>Confusion matrix at each tier threshold</h3>
      <ConfusionMatrices manifest={manifest} />
      <h3 style={{ fontSize: 15 }}>Shape functions</h3>
      {hasShapes ? (
        <div className="chart-grid">
          {terms.map((term) => (
            <MemoShapePlot key={term.label} term={term} features={manifest.features} />
          ))}
        </div>
      ) : (
        <p className="no-shapes">This model's manifest does not include its shape functions, so they cannot be drawn. Models trained in LeadLens include them.</p>
      )}
    </>
  );
}

/** How good the active model is, and what it learned. */
export function ModelReportSection() {
  const manifest = useActiveManifest();
  if (manifest.isPending) return <Loading what="the model report" />;
  if (manifest.isError) return <ErrorState message={manifest.error.message} />;
  return <Report key={manifest.data.modelId} manifest={manifest.data} />;
}
