import { fieldIdentity } from '@/lib/crm/types';
import { learntFromMadeUpLeads } from '@/lib/ml/bundled-model';
import type { SourceKind } from '@/lib/ml/featurize';
import { fieldsRead, type Manifest } from '@/lib/ml/manifest';
import { listInWords } from '@/lib/list-in-words';
import { heldOutConversions, heldOutRocAucStandardError } from '@/lib/ml/model-card';
import { crmFieldsNote } from '@/lib/ml/model-versions';
import { describeModelOutcome } from '@/lib/ml/outcome-rule';
import { CALIBRATION_ERROR_TERM, describeCalibrationError } from '@/lib/ml/reliability-error';
import { ranksNoLeads } from '@/lib/ml/train/calibration';
import { describeWindow, keepsChangingAfterOutcome } from '@/lib/ml/train/training-set';
import { chanceMargin } from '@/lib/ml/train/metrics';
import type { TrainingEvent } from '@/lib/ml/train/worker-protocol';
import { chanceNote, dayClockOf, MADE_UP_LEADS_MODEL_WORDS, heldOutAucHeading, percentText, plural, prAucHeading } from '@/lib/presentation';
import type { FlaggedLeftOut } from './use-data-check';

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

/** What the training knew of the model it is compared with as it began: its manifest, and the features its leakage guard left out. */
export interface ComparedWith {
  activeModel: Manifest;
  flaggedLeftOut: readonly FlaggedLeftOut[];
}

/**
 * Where the active model's figure comes from when no held-out score of it answers: its stored
 * scores, which flatter it if it learnt from these same leads. A model learnt from made-up leads
 * did not (`learntFromMadeUpLeads`): the default model's are generated apart from Demo mode's, and
 * one trained here on Demo mode's is compared on them only when this training read them too.
 */
function storedScoresFigure(active: Manifest | undefined, trainedOnDemoLeads: boolean): string {
  const learntFromTheseDemoLeads = active?.provenance.demoLeads === true && trainedOnDemoLeads;
  if (active && learntFromMadeUpLeads(active) && !learntFromTheseDemoLeads) return 'from its stored scores: it learnt from made-up demo leads, not from these';
  return 'from its stored scores, which flatter it if it learnt from these same leads';
}

/**
 * The features of `active` that read, on `source`, a field of a feature this training's leakage
 * guard left out (`flaggedLeftOut`) that the new model (`trained`) does not read either, by their
 * labels: those left out as changing after the outcome (on old leads they hold what came after
 * it, which flatters a figure resting on them), and the others.
 */
function activeReadsLeftOut(active: Manifest, flaggedLeftOut: readonly FlaggedLeftOut[], source: SourceKind, trained: Manifest): { keepsChanging: string[]; other: string[] } {
  const identity = (field: string) => (source === 'csv' ? field : fieldIdentity(source, field));
  const readByNew = new Set(fieldsRead(trained.features, source).map(identity));
  const reasonsByField = new Map<string, string[]>();
  for (const { spec, reason } of flaggedLeftOut) {
    for (const field of fieldsRead([spec], source).map(identity)) if (!readByNew.has(field)) reasonsByField.set(field, [...(reasonsByField.get(field) ?? []), reason]);
  }
  const keepsChanging: string[] = [];
  const other: string[] = [];
  for (const feature of active.features) {
    const reasons = fieldsRead([feature], source).flatMap((field) => reasonsByField.get(identity(field)) ?? []);
    if (reasons.length === 0) continue;
    (reasons.every(keepsChangingAfterOutcome) ? keepsChanging : other).push(feature.label);
  }
  return { keepsChanging, other };
}

/** The fields the model compared (`compared`, as the report names it) reads that this training left out (`activeReadsLeftOut`), named, where the two figures part; '' when it reads none. */
function leftOutFieldsNote({ keepsChanging, other }: { keepsChanging: string[]; other: string[] }, compared: string): string {
  const rests = keepsChanging.length > 0 ? `; ${compared}'s figure rests on ${listInWords(keepsChanging)}, which this training left out as changing after the outcome, and may flatter it` : '';
  const reads = other.length > 0 ? `; ${compared} ${rests ? 'also ' : ''}reads ${listInWords(other)}, which this training's leakage guard left out` : '';
  return rests + reads;
}

/**
 * Whether the model compared (`comparedId`, the one active as the training began) is no longer the
 * active one (`activeNowId`; undefined while it is read): another was activated meanwhile (Model
 * versions, another options page, a roll back), or this model was.
 */
function comparedNoLongerActive(comparedId: string, activeNowId: string | undefined): boolean {
  return activeNowId !== undefined && activeNowId !== comparedId;
}

/**
 * The model compared (`comparedId`) as the comparison names it: the active model while it is; else
 * the one active when training began, and the one active now, which was not compared, unless it is
 * this model (`trainedId`), activated since.
 */
function comparedModelWords(comparedId: string, activeNowId: string | undefined, trainedId: string): string {
  if (!comparedNoLongerActive(comparedId, activeNowId)) return `the active model (${comparedId})`;
  const activeNow = activeNowId === trainedId ? '' : ` (${activeNowId} is active now, and was not compared)`;
  return `${comparedId}, which was active when training began${activeNow},`;
}

/**
 * The new model beside the active one on the same leads, in words: better or less well only
 * when the difference is more than chance alone moves it by 95% of the time (`chanceMargin` of
 * its paired standard error: on the same leads chance moves both figures together). The new
 * model's figure pools the leads held out by every fold (the active model's scores are of leads,
 * not of folds), so it is not the mean over folds the report heads with: said so. What the
 * training knew of the active model (`comparedWith`, of the model compared) says whether its figure
 * may be of leads it learnt from, and names the fields it reads that this training left out. The
 * model compared is the one active when training began: when another is active now (`activeNowId`),
 * the comparison says so, and that the one active now was not compared, beside Activate, which replaces it.
 */
export function describeComparison(
  { comparison, data, manifest }: Pick<Trained, 'comparison' | 'data' | 'manifest'>,
  comparedWith?: ComparedWith,
  activeNowId?: string,
): string {
  if (comparison.kind === 'not-compared') return `not compared: ${comparison.reason}`;
  const { activeModelId, rows, newRocAuc, activeRocAuc, differenceStandardError, activeHeldOut } = comparison;
  const margin = chanceMargin(differenceStandardError);
  const verdict =
    newRocAuc - activeRocAuc > margin ? 'ranks them better' : activeRocAuc - newRocAuc > margin ? 'ranks them less well' : 'ranks them about as well (the difference is within what chance moves it by)';
  const known = comparedWith?.activeModel.modelId === activeModelId ? comparedWith : undefined;
  const activeFigure = activeHeldOut ? 'its own held-out figure for the leads it learnt from' : storedScoresFigure(known?.activeModel, data.demo === true);
  const compared = comparedNoLongerActive(activeModelId, activeNowId) ? activeModelId : 'the active model';
  const leftOutNote = known ? leftOutFieldsNote(activeReadsLeftOut(known.activeModel, known.flaggedLeftOut, data.source, manifest), compared) : '';
  return (
    `on the ${plural(rows, 'lead', 'leads')} of this history ${comparedModelWords(activeModelId, activeNowId, manifest.modelId)} has scored, ` +
    `this model ${verdict}: ROC-AUC ${newRocAuc.toFixed(3)} (its held-out scores of these leads pooled across the folds, not averaged over them) against ${activeRocAuc.toFixed(3)} (${activeFigure})${leftOutNote}`
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
 * none of their fields could be read. `activeNowId`: the model active now, which may not be the one compared.
 */
export function TrainingReport({ trained, comparedWith, activeNowId }: { trained: Trained; comparedWith?: ComparedWith; activeNowId?: string }) {
  const { summary, manifest, warnings, leakage, data } = trained;
  const signals = [...manifest.terms].sort((a, b) => b.importance - a.importance).slice(0, TOP_SIGNALS);
  const cvStandardError = heldOutRocAucStandardError(summary.cvRocAuc, manifest.metrics);
  const unreadCrmNote = crmFieldsNote(manifest);
  const comparedGone = trained.comparison.kind === 'compared' && comparedNoLongerActive(trained.comparison.activeModelId, activeNowId);
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
          <span data-testid="trained-window">{describeWindow(data.window, dayClockOf(data.source))}</span>
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
        <dt>Compared with {comparedGone ? 'the model active when training began' : 'the active model'}</dt>
        <dd data-testid="model-comparison">{describeComparison(trained, comparedWith, activeNowId)}</dd>
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
