import type { Manifest } from '@/lib/ml/manifest';
import { heldOutConversions, heldOutRocAucStandardError } from '@/lib/ml/model-card';
import { crmFieldsNote } from '@/lib/ml/model-versions';
import { describeModelOutcome } from '@/lib/ml/outcome-rule';
import { CALIBRATION_ERROR_TERM, describeCalibrationError } from '@/lib/ml/reliability-error';
import { ranksNoLeads } from '@/lib/ml/train/calibration';
import { describeWindow } from '@/lib/ml/train/training-set';
import { chanceMargin } from '@/lib/ml/train/metrics';
import type { TrainingEvent } from '@/lib/ml/train/worker-protocol';
import { chanceNote, MADE_UP_LEADS_MODEL_WORDS, heldOutAucHeading, percentText, plural, prAucHeading } from '@/lib/presentation';

type Trained = Extract<TrainingEvent, { type: 'trained' }>;

const TOP_SIGNALS = 5;
/**
 * How far the out-of-time ranking quality may fall below the cross-validated one before the
 * report says the leads changed: at least this, and twice what chance alone moves their
 * difference by (a few hundred newest leads move the one by 0.05 and more, a couple of
 * thousand leads the other by 0.04).
 */
const OUT_OF_TIME_GAP = 0.05;

/**
 * Whether the newest leads rank worse than cross-validation says by more than chance explains:
 * chance moves both figures, so their difference by the two standard errors combined. Taken as
 * independent, unlike the comparison with the active model: DeLong's paired error is of two
 * scorings of the same leads, and these figures are of different models (the cross-validation
 * folds', each on its own fold; a model of the earliest 70% on the newest 30%) on leads that
 * only partly overlap. The overlap moves the two together, so taken as independent the margin is
 * if anything wide: towards no note.
 */
function outOfTimeFallsShort({ cvRocAuc, outOfTimeRocAuc, outOfTimeStandardError }: Trained['summary'], cvStandardError: number | undefined): boolean {
  if (outOfTimeRocAuc === undefined) return false;
  const differenceStandardError = Math.hypot(cvStandardError ?? 0, outOfTimeStandardError ?? 0);
  return cvRocAuc - outOfTimeRocAuc > Math.max(OUT_OF_TIME_GAP, chanceMargin(differenceStandardError));
}

/**
 * The new model beside the active one on the same leads, in words: better or less well only
 * when the difference is more than chance alone moves it by 95% of the time (`chanceMargin` of
 * its paired standard error: on the same leads chance moves both figures together). The new
 * model's figure pools the leads held out by every fold (the active model's scores are of leads,
 * not of folds), so it is not the mean over folds the report heads with: said so.
 */
export function describeComparison(comparison: Trained['comparison']): string {
  if (comparison.kind === 'not-compared') return `not compared: ${comparison.reason}`;
  const { activeModelId, rows, newRocAuc, activeRocAuc, differenceStandardError, activeHeldOut } = comparison;
  const margin = chanceMargin(differenceStandardError);
  const verdict =
    newRocAuc - activeRocAuc > margin ? 'ranks them better' : activeRocAuc - newRocAuc > margin ? 'ranks them less well' : 'ranks them about as well (the difference is within what chance moves it by)';
  const activeFigure = activeHeldOut ? 'its own held-out figure for the leads it learnt from' : 'from its stored scores, which flatter it if it learnt from these same leads';
  return (
    `on the ${plural(rows, 'lead', 'leads')} of this history the active model (${activeModelId}) has scored, ` +
    `this model ${verdict}: ROC-AUC ${newRocAuc.toFixed(3)} (its held-out scores of these leads pooled across the folds, not averaged over them) against ${activeRocAuc.toFixed(3)} (${activeFigure})`
  );
}

/**
 * A model's calibration error as a term and its description, in the training report and the
 * model report alike (and the model card): over its reliability bins of about equal lead counts,
 * not the equal-width ECE (`metrics.ece`), which at a low base rate puts nearly every lead in its first bin.
 */
export function CalibrationError({ metrics }: { metrics: Manifest['metrics'] }) {
  return (
    <>
      <dt>{CALIBRATION_ERROR_TERM}</dt>
      <dd data-metric="calibration-error">{describeCalibrationError(metrics)}</dd>
    </>
  );
}

/**
 * The precision–recall area with the held-out conversions it rests on: unlike ROC-AUC's, its
 * margin of chance has no formula to give, and it is wide on few conversions (on a dozen, chance
 * alone moves a 0.4 between about 0.19 and 0.66).
 */
export function PrAucFigure({ prAuc, metrics }: { prAuc: number; metrics: Manifest['metrics'] }) {
  const conversions = heldOutConversions(metrics);
  return (
    <>
      <span data-metric="pr-auc">{prAuc.toFixed(3)}</span>
      {conversions !== undefined && ` (on ${plural(conversions, 'conversion', 'conversions')} held out: the fewer they are, the more chance alone moves it)`}
    </>
  );
}

/**
 * Said of a model whose calibration gives every lead one probability, in full view above its
 * figures and signals (they rank nothing): in the training report before it is activated, and in
 * the model report once it is (`active`).
 */
export function NoSignalWarning({ calibration, active = false }: { calibration: Manifest['calibration']; active?: boolean }) {
  if (!ranksNoLeads(calibration)) return null;
  return (
    <p role="note" data-testid="no-signal-warning" style={{ border: '1px solid #b35900', borderRadius: 6, padding: 12, color: '#6b3500' }}>
      <strong>This model tells no lead apart.</strong> It found nothing in these fields that ranks leads better than chance, so it gives every
      lead the same likelihood, the same tier and no reasons. {active ? 'As the active model, it helps no rep' : 'Activating it would help no rep'}: add fields
      that differ between leads that convert and leads that do not, or train on more leads.
    </p>
  );
}

/**
 * The key metrics of a trained model, in words an admin can judge before activating it: what it
 * was trained on (the form may have changed since), the leakage guard's warnings in full view,
 * and the CRM whose leads it cannot score (as Model versions says of it), whose badges would say
 * none of their fields could be read.
 */
export function TrainingReport({ trained }: { trained: Trained }) {
  const { summary, manifest, warnings, leakage, data } = trained;
  const signals = [...manifest.terms].sort((a, b) => b.importance - a.importance).slice(0, TOP_SIGNALS);
  const cvStandardError = heldOutRocAucStandardError(summary.cvRocAuc, manifest.metrics);
  const unreadCrmNote = crmFieldsNote(manifest);
  return (
    <div className="card" data-testid="training-report">
      <h3 style={{ marginTop: 0 }}>Model {manifest.modelId}</h3>
      {/* Before Activate: an admin trying the form on the demo data could take the model for one of their own leads. */}
      {manifest.provenance.demoLeads && (
        <p role="note" data-testid="demo-leads-note">
          <strong>These were Demo mode's made-up leads, not yours.</strong> The figures below show how training works, not which of your
          leads convert. Made active, it is named in badges, the side panel and Options as {MADE_UP_LEADS_MODEL_WORDS}.
        </p>
      )}
      {leakage.length > 0 && (
        <div role="note" data-testid="leakage-warning" style={{ border: '1px solid #b35900', borderRadius: 6, padding: 12, color: '#6b3500' }}>
          <strong>Check these features before you activate the model.</strong> A model that reads what a lead's outcome wrote (a field filled
          after it converted or was lost, a count that kept growing, its age) looks brilliant in testing and fails on new leads: leave them
          out and train again unless you know a new lead has them as your history does.
          <ul>
            {leakage.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </div>
      )}
      <NoSignalWarning calibration={manifest.calibration} />
      {unreadCrmNote && (
        <p role="note" data-testid="crm-fields-note">
          {unreadCrmNote}
        </p>
      )}
      <dl>
        <dt>Converted means</dt>
        {/* As the model recorded its rule: by the labels the CRM's pages show for its values. */}
        <dd data-testid="trained-outcome">{describeModelOutcome(manifest.outcomeRule ?? { ...data.outcome, source: data.source })}</dd>
        <dt>Leads trained on</dt>
        <dd>
          <span data-testid="trained-rows">{summary.rows.toLocaleString('en-US')}</span> ({summary.positives.toLocaleString('en-US')} converted),{' '}
          <span data-testid="trained-window">{describeWindow(data.window)}</span>
        </dd>
        <dt>{heldOutAucHeading(manifest.metrics)}</dt>
        <dd>
          <span data-metric="roc-auc">{summary.cvRocAuc.toFixed(3)}</span>
          {cvStandardError !== undefined && ` ${chanceNote(cvStandardError)}`}
        </dd>
        <dt>Ranking quality on the newest leads (ROC-AUC of a model of the earliest 70% by created date, on the newest 30%)</dt>
        <dd>
          <span data-metric="out-of-time-roc-auc">{summary.outOfTimeRocAuc === undefined ? 'not measured (see the trainer notes)' : summary.outOfTimeRocAuc.toFixed(3)}</span>
          {summary.outOfTimeStandardError !== undefined && ` ${chanceNote(summary.outOfTimeStandardError)}`}
          {outOfTimeFallsShort(summary, cvStandardError) && (
            <p role="note" data-testid="out-of-time-gap" style={{ margin: '4px 0 0' }}>
              The newest leads are ranked less well than cross-validation says, by more than chance explains: what makes a lead convert
              has changed over the window, or the newest leads have not had time to convert yet. A shorter window (the most recent months)
              may train a model that holds up better; so may leaving out younger leads (a larger "at least … days ago").
            </p>
          )}
        </dd>
        <dt>Compared with the active model</dt>
        <dd data-testid="model-comparison">{describeComparison(trained.comparison)}</dd>
        <dt>{prAucHeading(summary.positives / summary.rows)}</dt>
        <dd>
          <PrAucFigure prAuc={summary.cvPrAuc} metrics={manifest.metrics} />
        </dd>
        <CalibrationError metrics={manifest.metrics} />
        <dt>Features used</dt>
        <dd>{summary.features}</dd>
      </dl>
      <h4>Strongest signals</h4>
      <ol>
        {signals.map((term) => (
          <li key={term.label}>
            {term.label} ({percentText(Math.round(term.importance * 100))})
          </li>
        ))}
      </ol>
      {warnings.length > 0 && (
        <details>
          <summary>Trainer notes ({warnings.length})</summary>
          <ul>
            {warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
