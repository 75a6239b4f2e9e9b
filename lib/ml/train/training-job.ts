/**
 * What the training worker does with one request, apart from the worker plumbing so tests
 * can run it: read the stored leads of the window, label them and keep what is read of them, then inspect or train.
 */
import { dayClockOf } from '../../presentation';
import { daysBetween } from '../derive';
import { localUtcOffsetMinutes, type RawRecord, type SourceKind } from '../featurize';
import { fieldsRead, type FeatureSpec } from '../manifest';
import { describeDataSize } from './data-size';
import { bareFieldName } from './leakage';
import { MIN_NEGATIVES, MIN_POSITIVES } from './dataset';
import { TrainingDataError } from './errors';
import { referenceTimeOf, trainModel, type TrainProgress, type TrainResult } from './index';
import {
  candidateFeatures,
  checkedSelection,
  fieldKeeper,
  fieldsKeptFor,
  forbiddenFields,
  inspectTrainingData,
  leadsInWindow,
  placeInWindow,
  trainingTableBuilder,
  windowCountedBackFrom,
  windowCountedFrom,
  OUTCOME_COLUMN,
  type HistoryLead,
  type TrainingWindow,
} from './training-set';
import { fieldsOfRule, MAX_SETTLED_DAYS, ruleValueLabels, trainedSourceName } from '../outcome-rule';
import { rocAucDifferenceStandardError, rocAucOfPlacements, rocAucPlacements, rocAucStandardError, type RocAucPlacements } from './metrics';
import type { HeldOutProbabilities, ModelComparison, TrainingData, TrainingEvent, TrainingRequest } from './worker-protocol';

/** Progress is posted at most this often (the trainer reports every boosting round). */
const PROGRESS_INTERVAL_MS = 100;

/** What the job reads of a source's history, as it is read (`TrainingHistory.leads`). */
export interface HistoryRead {
  /** The window to read, placed over the created date (epoch ms; 0 when unknown) of every lead of the history, before any lead is read. */
  window(createdDates: readonly number[]): TrainingWindow;
  /** Each lead inside the window, in the history's order, as it is read: what this keeps of it is all that is held of the lead. */
  add(lead: HistoryLead): void;
}

/**
 * A model's scores of the leads a new model trained on [N] (`TrainingHistory.probabilitiesOf`): held
 * out for the leads it learnt from, if it was trained in LeadLens, else its stored scores.
 */
export interface ActiveModelScores {
  /** [N] Its probability of each lead, NaN where it has none. */
  probabilities: Float64Array;
  /** Whether any of them is held out. */
  heldOut: boolean;
  /** [N] Its held-out logit of each lead it learnt from, NaN elsewhere; absent when it kept none (a model trained by an older LeadLens). */
  heldOutLogits?: Float64Array;
}

/** What the worker reads of the stored history. */
export interface TrainingHistory {
  /**
   * Reads `source`'s history for `read`. The worker's reads the leads' created dates, then only the
   * leads inside the window, a chunk at a time (`readLeadsForTraining`), and answers nothing. A
   * history held in memory (tests) may answer its leads instead, every one: the job places the
   * window over them and hands those inside it to `read` itself.
   */
  leads(source: SourceKind, read: HistoryRead): Promise<readonly HistoryLead[] | void>;
  /** The fields LeadLens wrote its scores to in that source: never features. */
  writtenBackFields(source: SourceKind): Promise<string[]>;
  /** A model's scores of the leads of `leadKeys` (`probabilitiesOf`). */
  probabilitiesOf(modelId: string, leadKeys: readonly string[]): Promise<ActiveModelScores>;
}

/** Every lead of a history, dated or not. */
const EVERY_LEAD: TrainingWindow = { createdAfter: null, createdBefore: null };

/**
 * Reads `source`'s history (`TrainingHistory.leads`): the window `place` chooses over its leads'
 * created dates, and each lead inside it handed to `add`. Answers what `place` answered.
 */
async function readHistory<Placed extends { window: TrainingWindow }>(
  history: TrainingHistory,
  source: SourceKind,
  place: (createdDates: readonly number[]) => Placed,
  add: (lead: HistoryLead) => void,
): Promise<Placed> {
  let placed = undefined as Placed | undefined;
  const window = (createdDates: readonly number[]) => (placed = place(createdDates)).window;
  const held = await history.leads(source, { window, add });
  if (held) for (const lead of leadsInWindow(held, window(held.map((lead) => lead.createdAt))).leads) add(lead);
  if (placed === undefined) throw new Error('the history was read without its window');
  return placed;
}

/**
 * `data`'s window over a history whose leads were created at `createdDates`, counted back from the
 * source's present (`countedFrom`), with how many leads the history holds and how many of them
 * the window leaves out for want of a created date.
 */
function placeWindow(data: TrainingData, createdDates: readonly number[]) {
  const now = new Date(data.now).getTime();
  // A file's window is counted back from its latest created date, not from today: a lead created
  // days before an export months ago had had days to convert, not months.
  const countedFrom = windowCountedFrom(data.source, createdDates, now);
  const window = windowCountedBackFrom(data.window, now, countedFrom);
  const withoutCreatedDate = createdDates.reduce((count, createdAt) => count + (placeInWindow(createdAt, window) === 'undated' ? 1 : 0), 0);
  return { window, countedFrom, stored: createdDates.length, withoutCreatedDate };
}

/**
 * The fields the "days since" features of `specs` read, of every lead of a file's history: the
 * latest of its dates is the file's present, wherever the window ends. Read again for them, keeping nothing else.
 */
async function fileDates(history: TrainingHistory, specs: readonly FeatureSpec[]): Promise<RawRecord[]> {
  const dates = fieldKeeper(fieldsRead(specs.filter((spec) => spec.derive.kind === 'daysSince'), 'csv'));
  const records: RawRecord[] = [];
  await readHistory(history, 'csv', () => ({ window: EVERY_LEAD }), (lead) => records.push(dates.keep(lead.fields)));
  return records;
}

const notCompared = (reason: string): ModelComparison => ({ kind: 'not-compared', reason });

/**
 * The ROC-AUC placements (`rocAucPlacements`) of `labels` [N] ranked by `scores` [N], a tie broken
 * by `tieBreaks` [N] between two rows that both have one (not NaN); other ties count half, as `rocAuc`'s do.
 */
function placementsTiesBrokenBy(labels: Uint8Array, scores: Float64Array, tieBreaks: Float64Array): RocAucPlacements {
  const placements = rocAucPlacements(labels, scores);
  const tied = new Map<number, number[]>(); // rows with a tie break, by score
  labels.forEach((_, row) => {
    if (Number.isNaN(tieBreaks[row])) return;
    const rows = tied.get(scores[row]);
    if (rows) rows.push(row);
    else tied.set(scores[row], [row]);
  });
  // Each tie's pairs of a converted and an unconverted row with a tie break: counted as it orders them, where the scores count them half.
  for (const rows of tied.values()) {
    const tieLabels = Uint8Array.from(rows, (row) => labels[row]);
    const byTieBreak = rocAucPlacements(tieLabels, Float64Array.from(rows, (row) => tieBreaks[row]));
    rows.forEach((row, k) => {
      const pairsInTie = tieLabels[k] ? byTieBreak.negatives : byTieBreak.positives;
      placements.pairsInOrder[row] += byTieBreak.pairsInOrder[k] - pairsInTie / 2;
    });
  }
  return placements;
}

/**
 * The new model (`heldOut` [N], its held-out scores, NaN where a row has none) and the active one
 * (`active`, NaN where it has no probability) on the rows both score, against `labels` [N];
 * not compared when those rows do not hold both outcomes. Only the scores' order counts. The
 * active model's held-out probabilities went through its shipped calibration, an isotonic one
 * fitted on them tying leads it found out of order: its held-out logits break those ties, so the
 * leads it learnt from are in their logits' order (its calibration never reverses it), while its
 * stored scores of other leads keep their place among them.
 */
export function compareModels(activeModelId: string, labels: Uint8Array, heldOut: Float64Array, active: ActiveModelScores): ModelComparison {
  const rows = Int32Array.from(labels.keys()).filter((row) => !Number.isNaN(heldOut[row]) && !Number.isNaN(active.probabilities[row]));
  const on = (values: Float64Array) => Float64Array.from(rows, (row) => values[row]);
  const compared = Uint8Array.from(rows, (row) => labels[row]);
  const newPlacements = rocAucPlacements(compared, on(heldOut));
  // No logits (bundled, imported, or kept by an older LeadLens): by its probabilities, ties and all.
  const activePlacements = active.heldOutLogits
    ? placementsTiesBrokenBy(compared, on(active.probabilities), on(active.heldOutLogits))
    : rocAucPlacements(compared, on(active.probabilities));
  const newRocAuc = rocAucOfPlacements(newPlacements);
  const activeRocAuc = rocAucOfPlacements(activePlacements);
  if (Number.isNaN(newRocAuc) || Number.isNaN(activeRocAuc)) return notCompared('the active model has scored none of these leads, or not of both outcomes');
  // The same leads against the same outcomes: chance moves both figures together, so their difference
  // by DeLong's paired error, smaller than their own two taken as independent (several times when the
  // two rank alike). It is measured from the spread of the leads' placements, which few leads of an
  // outcome understate (2 converted leads ranked alike by each model: a spread of 0): two equally good
  // models were called different 21 % of the time with 2 converted leads, 9 % with 5, 5-6.5 % with 10
  // (simulated; the margin allows 4.6 %). Below the minimum training asks for, the two
  // errors taken as independent (Hanley & McNeil), which err towards "about as well".
  const { positives, negatives } = newPlacements;
  const standardError = (auc: number) => rocAucStandardError(auc, positives, negatives);
  const differenceStandardError =
    positives >= MIN_POSITIVES && negatives >= MIN_NEGATIVES
      ? rocAucDifferenceStandardError(newPlacements, activePlacements)
      : Math.hypot(standardError(newRocAuc), standardError(activeRocAuc));
  return { kind: 'compared', activeModelId, rows: rows.length, newRocAuc, activeRocAuc, differenceStandardError, activeHeldOut: active.heldOut };
}

/** The new model beside the active one (`activeModelId`) on the leads of `leadKeys` [N], or why not; never fails the training it reports on. */
async function comparedWithActive(
  activeModelId: string | undefined,
  trained: { modelId: string; labels: Uint8Array; heldOut: Float64Array },
  leadKeys: readonly string[],
  history: TrainingHistory,
): Promise<ModelComparison> {
  if (activeModelId === undefined) return notCompared('there is no active model to compare it with');
  if (activeModelId === trained.modelId) return notCompared('it is the active model, trained again on the same history with the same settings');
  try {
    return compareModels(activeModelId, trained.labels, trained.heldOut, await history.probabilitiesOf(activeModelId, leadKeys));
  } catch (error) {
    return notCompared(`the active model's scores could not be read (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** The leads that have a held-out probability (a single holdout gives none to the rows it trained on), with it, their held-out logit and cross-fitted probability. */
function heldOutOf(
  leadKeys: readonly string[],
  { heldOutProbabilities: probabilities, heldOutLogits: logits, heldOutCrossFittedProbabilities: crossFitted }: Pick<TrainResult, 'heldOutProbabilities' | 'heldOutLogits' | 'heldOutCrossFittedProbabilities'>,
): HeldOutProbabilities {
  const kept = Int32Array.from(leadKeys.keys()).filter((row) => !Number.isNaN(probabilities[row]));
  return {
    leadKeys: Array.from(kept, (row) => leadKeys[row]),
    probabilities: Float64Array.from(kept, (row) => probabilities[row]),
    logits: Float64Array.from(kept, (row) => logits[row]),
    crossFittedProbabilities: Float64Array.from(kept, (row) => crossFitted[row]),
  };
}

export async function runTrainingRequest(request: TrainingRequest, history: TrainingHistory, post: (event: TrainingEvent) => void): Promise<void> {
  try {
    const { data } = request;
    if (request.type === 'train') post({ type: 'progress', stage: 'read', fraction: 0 });
    const now = new Date(data.now);
    // Only the window is read, and of each lead only what the table reads: a check of the data
    // offers every field as a feature; a training or a feature check reads its features' fields.
    const builder = trainingTableBuilder(data.outcome, request.type === 'inspect' ? 'every' : fieldsKeptFor(request.specs, data.source, data.outcome));
    const placed = await readHistory(history, data.source, (createdDates) => placeWindow(data, createdDates), builder.add);
    const { window: trainingWindow, countedFrom } = placed;
    const { table, leadKeys, createdAt, ...leftOut } = checkedSelection(builder.result(), placed, data.outcome, dayClockOf(data.source));
    // Left out under any spelling: Salesforce takes a field's name in any case, and an export heads it with its label ("LeadLens Tier").
    const written = new Set((await history.writtenBackFields(data.source)).map(bareFieldName));
    const writtenBack = table.columns.filter((column) => written.has(bareFieldName(column)));
    // The youngest history the window lets in, as old as it was when its outcomes were recorded
    // (a file's at its export); new leads are scored younger than that.
    const minAgeDays = trainingWindow.createdBefore === null ? 0 : daysBetween(trainingWindow.createdBefore, countedFrom);
    const storedHistory = { minAgeDays, createdAt };
    // Recorded with the model's rule: a lead's outcome counts once it is that many days old, as the
    // youngest lead trained on was when its outcome was recorded. The figures on stored leads count
    // a younger lead's outcome as not known yet, as this window did.
    const settledAfterDays = Math.min(Math.max(minAgeDays, 0), MAX_SETTLED_DAYS);
    // A file's history is as of its export, maybe months ago: "days since" are measured from its
    // latest date up to today (as the CLI does), or every lead of it would be that much older than
    // the leads scored today. (Dates after today cannot be the export's and are passed over.) The
    // latest of the whole file: its window leaves its newest leads out. A CRM's synced history is as of now.
    const measuredFrom = async (specs: readonly FeatureSpec[]) =>
      data.source === 'csv' && specs.some((spec) => spec.derive.kind === 'daysSince')
        ? new Date(referenceTimeOf(specs, await fileDates(history, specs), data.source, now, []) ?? now.getTime())
        : now;
    // A date alone counts calendar days to the date of that time (`daysSince`): a file's latest date
    // is a day, read as midnight UTC, so on UTC's clock, as the CLI counts; a CRM's history is as of
    // now, so on this browser's clock, as its scoring counts.
    const nowUtcOffsetMinutes = data.source === 'csv' ? 0 : localUtcOffsetMinutes(now);
    const guard = (specs: FeatureSpec[], measured: Date) =>
      inspectTrainingData(table, specs, data.source, measured, storedHistory, forbiddenFields(data.outcome, writtenBack), nowUtcOffsetMinutes);

    if (request.type === 'check-features') {
      post({ type: 'features-checked', leakage: guard(request.specs, await measuredFrom(request.specs)).leakage });
      return;
    }

    if (request.type === 'inspect') {
      // Too little data is an answer too: the counts, said plainly by the form, not an error.
      const rows = table.records.length;
      const conversions = table.records.filter((record) => record[OUTCOME_COLUMN] === '1').length;
      if (describeDataSize(rows, conversions).level === 'too-little') {
        post({ type: 'inspected', rows, conversions, ...leftOut, candidates: [], leakage: [], fieldNotes: [] });
        return;
      }
      const { candidates, notes } = candidateFeatures(request.catalogue, table, data.source, fieldsOfRule(data.outcome), writtenBack);
      const specs = candidates.map((c) => c.spec);
      const inspection = guard(specs, await measuredFrom(specs));
      post({ type: 'inspected', ...inspection, ...leftOut, candidates, fieldNotes: notes });
      return;
    }

    let lastPost = 0;
    let lastPart: string | null = null;
    const onProgress = (progress: TrainProgress) => {
      const time = Date.now();
      const { stage, fraction, fold, bag, bags, boosting, round, validationLoss } = progress;
      // The trainer's 'done' is not the job's: the comparison follows, then the 'trained' event.
      if (stage === 'done') return;
      // Every stage, fold and part of a fit's boosting (mains, the choice of pairs, pairs) is shown as it begins (a fast
      // one would pass unseen); its rounds at most every PROGRESS_INTERVAL_MS.
      const part = `${stage} ${fold} ${boosting}`;
      if (part === lastPart && time - lastPost < PROGRESS_INTERVAL_MS) return;
      lastPost = time;
      lastPart = part;
      // The first rounds have no validation loss yet (NaN): leave it out rather than show "NaN".
      post({ type: 'progress', stage, fraction, fold, bag, bags, boosting, round, validationLoss: Number.isFinite(validationLoss) ? validationLoss : undefined });
    };
    const specsMeasuredFrom = await measuredFrom(request.specs);
    // The rule is described by the labels the CRM's pages show (a portal's stage 1234567 is "Product Qualified Lead"), long after this form.
    const valueLabels = request.valueLabelsByField && ruleValueLabels(data.outcome, request.valueLabelsByField);
    const result = trainModel({
      records: table.records,
      columns: table.columns,
      target: OUTCOME_COLUMN,
      positive: '1',
      outcomeRule: { ...data.outcome, source: data.source, settledAfterDays, ...(valueLabels && { valueLabels }) },
      specs: request.specs,
      exclude: [...fieldsOfRule(data.outcome), ...writtenBack],
      source: data.source,
      // As the pages name the source: the Active model section and the Model report show it.
      sourceName: trainedSourceName(data.source, data.demo),
      now: specsMeasuredFrom,
      nowUtcOffsetMinutes,
      // Honest about drift: the leads created last, held out from a model of the earlier ones.
      rowTimes: { times: createdAt, label: 'created date' },
      storedHistory,
      options: {
        cv: request.cv,
        ...(request.tiers && {
          policy: request.tiers.policy,
          fixedThresholds: request.tiers.policy.kind === 'fixed' ? { hot: request.tiers.hot, warm: request.tiers.warm } : undefined,
        }),
      },
      onProgress,
    });
    const { summary, leakage } = result;
    // Dated when it was made, not by `data.now`, the check of the data, which "days since" are still
    // measured from: every model trained after one check read alike under Model versions. (The CLI's
    // stays its reference time, so that the same file trains the same bytes.)
    const made = { ...result.manifest, createdAt: new Date().toISOString() };
    // The trainer records the guard's flags on the features it reads (the admin kept them: the feature
    // picker leaves a flagged feature out unless ticked) in the manifest, as a CLI model's. Demo mode's
    // made-up leads go with the model too: once activated, it is told apart from one of the company's leads.
    const manifest = data.demo ? { ...made, provenance: { ...made.provenance, demoLeads: true as const } } : made;
    // Ranked by its held-out logits: its held-out probabilities went through an isotonic map fitted on them, whose ties lift a ROC-AUC.
    const trained = { modelId: manifest.modelId, labels: result.labels, heldOut: result.heldOutLogits };
    post({ type: 'progress', stage: 'compare', fraction: 0.98 });
    const comparison = await comparedWithActive(request.activeModelId, trained, leadKeys, history);
    post({
      type: 'trained',
      // With the window it read (a file's counted back from its latest created date), for the report.
      data: { ...data, window: trainingWindow },
      manifest,
      onnx: result.onnx,
      summary: {
        rows: summary.rows,
        positives: summary.positives,
        cvRocAuc: summary.cv_roc_auc,
        cvPrAuc: summary.cv_pr_auc,
        ece: summary.ece,
        ...(summary.oot_roc_auc !== undefined && { outOfTimeRocAuc: summary.oot_roc_auc, outOfTimeStandardError: summary.oot_roc_auc_se }),
        features: summary.features,
        trainSeconds: summary.train_seconds,
      },
      leakage,
      warnings: result.warnings.filter((warning) => !leakage.includes(warning)),
      heldOut: heldOutOf(leadKeys, result),
      comparison,
      ...leftOut,
    });
  } catch (error) {
    // The trainer's data errors are written for people; anything else is a bug, said as such.
    const message = error instanceof TrainingDataError ? error.message : `Training failed: ${error instanceof Error ? error.message : String(error)}`;
    post({ type: 'failed', error: message });
  }
}
