/**
 * The training pipeline: validate → featurize → cross-validate → fit → calibrate → thresholds
 * → manifest + ONNX bytes + model card. Pure, no Node APIs: the options page runs it in a Web
 * Worker, `lib/ml/cli.ts` runs it in Node. Deterministic: the same rows, options and seed
 * give byte-identical `model.onnx` and `manifest.json` (the creation time is the data's
 * reference time unless one is passed).
 */
import { describeSchemaIssues } from '../../schema-issues';
import { percentText, sentenceStart } from '../../presentation';
import { featurizeRecords, readRaw, type RawRecord, type SourceKind } from '../featurize';
import {
  DEFAULT_POLICY,
  DEFAULT_PROFIT_ASSUMPTIONS,
  MANIFEST_SCHEMA_VERSION,
  ManifestSchema,
  fieldSourcesOf,
  type Calibration,
  type Feature,
  type FeatureSpec,
  type Manifest,
  type TierPolicy,
} from '../manifest';
import { DERIVED_READING_VERSION, parseDate } from '../derive';
import type { ModelOutcomeRule } from '../outcome-rule';
import { calibratedProbabilityF32, exportOnnx } from '../onnx/export';
import { leakageCheckNotRunWarning, renderModelCard } from '../model-card';
import { MAX_CHECK_CELLS, MAX_CHECK_VALUES, trainedCheckBound } from '../check-model';
import { applyCalibration, calibratedLogOdds, chooseCalibration, ranksNoLeads } from './calibration';
import { crossFittedProbabilities, crossValidate, fitCalibration, trainRowsOf } from './cross-validation';
import { stratifiedKFold, trainValidSplit } from './splits';
import { DEFAULT_EBM_OPTIONS, fitEbm, fitShareDone, predictEbm, predictLogit, someFeatureVaries, type EbmData, type EbmModel, type EbmOptions, type EbmProgress } from './ebm';
import { countBounds } from './count-bounds';
import type { Table } from '../../csv/parse';
import { buildFeatures, buildLabels, checkFolds, featurizeAndPrune, inferFeatureSpecs } from './dataset';
import { TrainingDataError } from './errors';
import { warnQuotingCells } from './quoted-cells';
import { brier, calibrationCurve, confusionAt, ece, liftByDecile, logLoss, prCurve, rocAuc, rocAucStandardError, rocCurve } from './metrics';
import { outOfTimeCheck } from './out-of-time';
import { idealOf, termShape, wholeNumberFeatures } from './term-shapes';
import { capacityCuts, profitCurve, thresholdsOfCuts, tierThresholds } from './thresholds';
import { countedProbabilities, describeCapacityCuts } from '../tier-policy';
import { guardReasons, type StoredHistory } from './training-set';


const TRAINER_NAME = 'leadlens-ebm';
const TRAINER_VERSION = '1.0.0';

export type CalibrationChoiceOption = 'auto' | 'platt' | 'isotonic' | 'none';

export interface TrainOptions {
  /** Folds of stratified cross-validation for the metrics (and the calibration's out-of-fold logits); < 2: one 80/20 holdout. */
  cv: number;
  seed: number;
  ebm: Partial<EbmOptions>;
  calibration: CalibrationChoiceOption;
  policy: TierPolicy;
  /** Thresholds of a `fixed` policy. */
  fixedThresholds?: { hot: number; warm: number };
}


const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  cv: 5,
  seed: 42,
  ebm: {},
  calibration: 'auto',
  policy: DEFAULT_POLICY,
};

export interface TrainProgress {
  stage: 'validate' | 'featurize' | 'cv' | 'out-of-time' | 'fit' | 'calibrate' | 'export' | 'done';
  /** Cross-validation fold number, from 0. */
  fold?: number;
  /** The bag boosted, from 0, of `bags`: each fit boosts its bags in turn, and averages them. */
  bag?: number;
  bags?: number;
  /** Boosting sub-stage and round (none for 'interactions', the choice of pairs), with the early-stopping validation log loss. */
  boosting?: EbmProgress['stage'];
  round?: number;
  validationLoss?: number;
  /** Rough overall progress 0…1. */
  fraction: number;
}

export interface TrainInput {
  /** One record per lead: column/field name → raw value. */
  records: RawRecord[];
  /** Column names in file order (default: the first record's keys). */
  columns?: string[];
  target: string;
  /** The target value that means converted (default: 1 / yes / true when unambiguous). */
  positive?: string;
  /** The rule `target` was made from, when it is not a column of the data itself: recorded in the manifest. */
  outcomeRule?: ModelOutcomeRule;
  /** Feature specs; inferred from the columns when omitted. */
  specs?: FeatureSpec[];
  /** Columns never used as features. */
  exclude?: string[];
  /** Extra placeholders that mean missing, for every feature (beside a given spec's own). */
  missingValues?: string[];
  source?: SourceKind;
  /** Where the data came from, for provenance (e.g. the file name). */
  sourceName?: string;
  /**
   * What reading the file warned of before the trainer saw its table (the CLI: a report's footer
   * left out, dates read day first, decimal commas): first among the card's data warnings, as a
   * reader of the card, months on, has no stderr of the run. Worded for the card, so without the
   * file's cells (the card goes with the model). Not in `TrainResult.warnings`.
   */
  fileWarnings?: readonly string[];
  /** What "days since" is measured from; default: the latest date the "days since" features read (see `runTime`). */
  now?: Date;
  /**
   * Minutes ahead of UTC of the clock whose date at `now` a date alone (`2026-03-01`) counts
   * calendar days to (`daysSince`). Default 0: a `now` that is a day (`--now 2026-11-01`, a file's
   * latest date) is midnight UTC of that day, wherever the training runs. The browser's training
   * on a CRM's history as of now gives the browser's own, as its scoring counts.
   */
  nowUtcOffsetMinutes?: number;
  /**
   * When the training runs (the CLI's wall clock), when no `now` is given: a date more than a
   * day after it (a contract's end, a next follow-up) cannot be when the data was exported, so
   * "days since" is measured from the latest date up to it, with a warning naming the columns.
   * Without it, from the latest date read, whenever it is.
   */
  runTime?: Date;
  /** The manifest's creation time; default: the reference time (keeps builds reproducible). */
  createdAt?: Date;
  /**
   * A date (or sequential number) column for an out-of-time check: a model trained on the
   * earliest 70% of rows is scored on the latest 30% (`metrics.outOfTimeRocAuc`). The check
   * is asked for: data that cannot make it are an error.
   */
  timeColumn?: string;
  /**
   * Or each row's time [N] (epoch ms, NaN when unknown), `label` saying what it is ("created
   * date"): the check is made when the data allow it, else a warning says why not.
   */
  rowTimes?: { times: readonly number[]; label: string };
  /**
   * The rows are stored leads of a training window, read as they are today: the leakage guard
   * also flags what keeps changing after the outcome and "days since" features that read the
   * lead's age (`guardReasons`).
   */
  storedHistory?: StoredHistory;
  options?: Partial<TrainOptions>;
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
}

export interface TrainSummary {
  cv_roc_auc: number;
  cv_pr_auc: number;
  cv_log_loss: number;
  /** ROC-AUC of the pooled held-out predictions (every row scored by a model that did not see it). */
  holdout_roc_auc: number;
  /** Expected calibration error of the calibrated held-out probabilities (calibration cross-fitted). */
  ece: number;
  brier: number;
  /** ROC-AUC on the latest 30% of rows of a model trained on the earliest 70% (with `timeColumn` or `rowTimes`). */
  oot_roc_auc?: number;
  /** Its standard error (Hanley & McNeil): how far the latest rows' count lets it move by chance. */
  oot_roc_auc_se?: number;
  rows: number;
  positives: number;
  features: number;
  terms: number;
  interactions: number;
  calibration: Calibration['kind'];
  train_seconds: number;
  /** Fit time of the folds' models, each. */
  fold_fit_seconds: number[];
  final_fit_seconds: number;
}

export interface TrainResult {
  manifest: Manifest;
  onnx: Uint8Array;
  modelCard: string;
  summary: TrainSummary;
  warnings: string[];
  /**
   * The leakage guard's warnings (also in `warnings`): a model that reads such a feature fails on
   * new leads. When the guard could not run, the one warning that says so.
   */
  leakage: string[];
  model: EbmModel;
  /** The training matrix [N, F] and labels [N] (for checks such as the ONNX round trip). */
  X: Float32Array;
  labels: Uint8Array;
  /**
   * Each row's probability [N] from the model that did not train on it (its fold's logit, NaN
   * for the rows a single holdout trained on), through the shipped calibration: what the tier
   * thresholds were chosen on, so a policy previewed on these gives the thresholds the trainer gave.
   * Not for ranking figures: an isotonic map fitted on these same rows ties leads it found out of
   * order, which lifts any ROC-AUC read from them (`heldOutLogits` rank them honestly). Nor for a
   * value or fixed policy's tier counts: that map puts a step at or above a threshold only when its
   * own rows converted at that rate, so a tier's rate flatters it (the manifest's tier confusion
   * counts those tiers by `heldOutCrossFittedProbabilities`, `countedProbabilities`).
   */
  heldOutProbabilities: Float64Array;
  /**
   * Each row's held-out logit [N] through the same kind of calibration fitted again without the
   * row's fold (NaN for the rows a single holdout trained on): what a value or fixed policy's tiers
   * of these rows are counted by (`countedProbabilities`), as the manifest's tier confusion and
   * profit curve are, so the options page counts the leads a model learnt from as its card does.
   */
  heldOutCrossFittedProbabilities: Float64Array;
  /**
   * Each row's logit [N] from the model that did not train on it (NaN for the rows a single
   * holdout trained on): what the held-out ranking figures are read from, as `holdoutRocAuc` is.
   * One log-odds for every row when the calibration ranks no leads (`ranksNoLeads`), as the shipped model.
   */
  heldOutLogits: Float64Array;
}

/** FNV-1a 32-bit hash → 8 hex digits (model ids). */
function fnv1a(bytes: Uint8Array, seed = 0x811c9dc5): string {
  let h = seed >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** EbmData for features + matrix. */
export function ebmData(features: Feature[], X: Float32Array, labels: Uint8Array): EbmData {
  return {
    X,
    F: features.length,
    y: labels,
    categorical: features.map((f) => f.type === 'categorical'),
    levels: features.map((f) => f.vocabulary?.length ?? 0),
  };
}

function percentiles99(values: Float64Array | Float32Array): number[] {
  const s = Float64Array.from(values).sort();
  const out: number[] = [];
  for (let q = 1; q <= 99; q++) {
    const pos = (q / 100) * (s.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(s.length - 1, lo + 1);
    out.push(Math.min(1, Math.max(0, s[lo] + (s[hi] - s[lo]) * (pos - lo))));
  }
  return out;
}

/**
 * How far after the run a date may be and still be the data's present: a timestamp written in a
 * time zone ahead of UTC reads as UTC up to 14 hours later.
 */
const RUN_TIME_SLACK_MS = 86_400_000;

/**
 * What "days since" features are measured from when no `now` is given (see `runTime`): the
 * latest date they read up to a day after `runTime`, or `runTime` when every date is after it;
 * null when they read no date. Warns of the dates passed over, naming their columns, with the
 * warning's wording without the lead's date in `warningsWithoutValues` (for the model card).
 */
export function referenceTimeOf(
  specs: readonly FeatureSpec[],
  records: RawRecord[],
  source: SourceKind,
  runTime: Date | undefined,
  warnings: string[],
  warningsWithoutValues?: Map<string, string>,
): number | null {
  const latestPossible = runTime === undefined ? Infinity : runTime.getTime() + RUN_TIME_SLACK_MS;
  let latest: number | null = null;
  let latestAfter = -Infinity;
  const columnsAfter = new Set<string>();
  for (const s of specs) {
    if (s.derive.kind !== 'daysSince') continue;
    for (const r of records) {
      const t = parseDate(readRaw(r, s.derive.from, source), s.missingValues);
      if (t > latestPossible) {
        columnsAfter.add(s.derive.from[source]!);
        latestAfter = Math.max(latestAfter, t);
      } else if (Number.isFinite(t) && (latest === null || t > latest)) latest = t;
    }
  }
  if (columnsAfter.size === 0) return latest;
  const day = (time: number) => new Date(time).toISOString().slice(0, 10);
  const trainingDay = day(runTime!.getTime());
  const columns = [...columnsAfter].map((column) => `"${column}"`).join(', ');
  warnQuotingCells(
    warnings,
    warningsWithoutValues,
    (cells) =>
      `${columns} ${columnsAfter.size === 1 ? 'has' : 'have'} dates after the day of training (${trainingDay})${cells(`, such as ${day(latestAfter)}`)}, which cannot be when the data was exported: ` +
      `"days since" features are measured from ${latest === null ? `${trainingDay}, the day of training` : `${day(latest)}, the latest date up to that day`}. ` +
      'Pass --now to choose the date yourself: without it, training on this file again after those dates gives another model.',
  );
  return latest ?? runTime!.getTime();
}

/** The date of a model trained with no date to go by (no date column, no --now): fixed, so that the same file trains the same bytes. */
const NO_DATE = Date.UTC(2000, 0, 1);

/**
 * A model whose engine check (check-model.ts) would be refused could never be activated: say so
 * before minutes of training, from each feature's number of distinct values. X: [N, F].
 */
function assertTrainedModelCheckable(X: Float32Array, N: number, F: number, opts: Pick<EbmOptions, 'maxBins' | 'maxPairBins' | 'interactions'>): void {
  const distinct = Array.from({ length: F }, (_, f) => {
    const seen = new Set<number>();
    for (let i = 0; i < N && seen.size <= opts.maxBins; i++) {
      const v = X[i * F + f];
      if (v === v) seen.add(v);
    }
    return seen.size;
  });
  const bound = trainedCheckBound(distinct, Math.min(opts.interactions, (F * (F - 1)) / 2), opts.maxBins, opts.maxPairBins);
  if (bound.cells <= MAX_CHECK_CELLS && bound.values <= MAX_CHECK_VALUES) return;
  throw new TrainingDataError(
    `${F} features are too many for one model: its shape functions could need ${bound.cells.toLocaleString('en-US')} bins, and the engine checks a model of at most ` +
      `${MAX_CHECK_CELLS.toLocaleString('en-US')} bins and ${MAX_CHECK_VALUES.toLocaleString('en-US')} check values before it can be activated. Leave some features out.`,
  );
}

/** Rows holding feature `f`'s most common value in X [N, F] (missing counts as one value). */
function mostCommonValueRows(X: Float32Array, F: number, f: number): number {
  const rows = new Map<number, number>(); // value → rows; NaN is one key
  let most = 0;
  for (let i = f; i < X.length; i += F) {
    const n = (rows.get(X[i]) ?? 0) + 1;
    rows.set(X[i], n);
    most = Math.max(most, n);
  }
  return most;
}

/** One model fitted in a training run: what it is, for a message ("the model of cross-validation fold 2"), and the rows it trains on. */
interface PlannedFit {
  name: string;
  trainRows: Int32Array;
}

/**
 * Throws `TrainingDataError` unless some feature varies among the rows `fit` trains on
 * (`someFeatureVaries`): a feature that varies in a few rows only can have all of them among the
 * rows a fit leaves out, and that model then has nothing to learn from. Says in how few rows
 * the features vary, and what is needed.
 */
function assertSomeFeatureVaries(data: EbmData, features: readonly Feature[], fit: PlannedFit, maxBins: number): void {
  if (someFeatureVaries(data, fit.trainRows, maxBins)) return;
  const N = data.y.length;
  const leftOut = N - fit.trainRows.length;
  const varying = features
    .map((feature, f) => ({ label: feature.label, rows: N - mostCommonValueRows(data.X, data.F, f) }))
    .sort((a, b) => a.rows - b.rows);
  const listed = varying
    .slice(0, 3)
    .map(({ label, rows }, i) => (i === 0 ? `"${label}" differs from its most common value in ${rows} row${rows === 1 ? '' : 's'}` : `"${label}" in ${rows}`))
    .join(', ');
  const name = sentenceStart(fit.name);
  throw new TrainingDataError(
    `${name} trains on ${fit.trainRows.length} of the ${N} rows, and no feature varies among them, so it has nothing to learn from: ` +
      `every feature has one value in nearly every row (${listed}${varying.length > 3 ? ', …' : ''}). ` +
      `Training needs a feature that differs from its most common value in more rows${leftOut > 0 ? ` than that model leaves out (${leftOut})` : ''}: add a column that tells more of the leads apart.`,
  );
}

/**
 * The features to train: `input.specs` without those reading an excluded column, the target or a
 * column not in the data (each dropped with a warning), else specs inferred from the columns. Also
 * the warnings that quote values of the data, each worded without them (`inferFeatureSpecs`).
 */
function featureSpecsOf(input: TrainInput, table: Table, source: SourceKind, warnings: string[]): { specs: FeatureSpec[]; warningsWithoutValues: ReadonlyMap<string, string> } {
  const exclude = input.exclude ?? [];
  const missingValues = input.missingValues ?? [];
  if (input.specs) {
    const specs = input.specs.filter((s) => {
      const names = fieldSourcesOf(s.derive).map((from) => from[source]);
      if (names.some((n) => n !== undefined && (exclude.includes(n) || n === input.target))) {
        warnings.push(`"${s.label}" reads an excluded column or the target: dropped.`);
        return false;
      }
      if (names.some((n) => n === undefined || !table.columns.includes(n))) {
        warnings.push(`"${s.label}" reads ${names.filter((n) => n === undefined || !table.columns.includes(n)).map((n) => (n === undefined ? `no ${source} field` : `column "${n}", in which no row has a value`)).join(', ')}: dropped.`);
        return false;
      }
      return true;
    });
    // the run's placeholders (--missing) join each spec's own, in the manifest too: scoring reads them alike
    return { specs: specs.map((spec) => ({ ...spec, missingValues: [...new Set([...(spec.missingValues ?? []), ...missingValues])] })), warningsWithoutValues: new Map() };
  }
  const inferred = inferFeatureSpecs(table, input.target, exclude, missingValues);
  warnings.push(...inferred.warnings);
  return { specs: inferred.specs, warningsWithoutValues: inferred.warningsWithoutValues };
}

/**
 * The manifest's terms (label, importance: the share of the mean absolute contribution, shape)
 * and each feature's reference (missing share, ideal value, count bounds, training rows per bin),
 * from the final model's `contributions` [N, T] to its training rows X [N, F].
 */
function describeTerms(model: EbmModel, features: Feature[], X: Float32Array, N: number, contributions: Float32Array) {
  const F = features.length;
  const T = model.terms.length;
  const wholeNumbers = wholeNumberFeatures(X, F);
  const meanAbs = new Float64Array(T);
  for (let i = 0; i < N; i++) for (let t = 0; t < T; t++) meanAbs[t] += Math.abs(contributions[i * T + t]) / N;
  const totalImp = meanAbs.reduce((a, b) => a + b, 0) || 1;
  const terms = model.terms.map((term, t) => ({
    features: term.features.slice(),
    label: term.features.map((f) => features[f].label).join(' × '),
    importance: meanAbs[t] / totalImp,
    shape: termShape(model, term, features, wholeNumbers),
  }));
  const bounds = countBounds(features, X, N);
  const referenceFeatures = features.map((feature, f) => {
    let missing = 0;
    for (let i = 0; i < N; i++) if (X[i * F + f] !== X[i * F + f]) missing++;
    const t = model.terms.findIndex((term) => term.features.length === 1 && term.features[0] === f);
    const atMost = bounds[f].length > 0 ? { atMost: bounds[f] } : {};
    if (t < 0) return { key: feature.key, missingShare: missing / N, idealValue: '', idealContribution: 0, ...atMost };
    // shape value bin s ↔ the model's fine bin s + 1; the shape's last bin ("missing") ↔ fine bin 0
    const { axes: [axis], scores } = terms[t].shape;
    const valueBins = scores.length - 1;
    const binRows = Array.from({ length: scores.length }, (_, s) => model.counts[t][s === valueBins ? 0 : s + 1]);
    const ideal = idealOf(feature, axis, scores.slice(0, valueBins), binRows.slice(0, valueBins), wholeNumbers[f]);
    return { key: feature.key, missingShare: missing / N, ...ideal, ...atMost, binRows };
  });
  return { terms, referenceFeatures };
}

/** The held-out leads' scores the manifest's metrics are read from, [held-out rows] each. */
interface HeldOutScores {
  labels: Uint8Array;
  /** The models' raw logits. */
  logits: Float64Array;
  /** What ranks them as the shipped model does (see `rankingLogits` in `trainModel`). */
  rankingLogits: Float64Array;
  /** What the tiers' held-out counts are read from (`countedProbabilities`): the profit curve and the tier confusion. */
  countedProbs: Float64Array;
  /** Calibration cross-fitted over the folds: what judges the calibration. */
  crossFittedProbs: Float64Array;
}

/** The out-of-time check's split and ROC-AUC, when it was made. */
interface OutOfTimeResult {
  split: { by: string; train: Int32Array; test: Int32Array; undated: number } | null;
  rocAuc: number | undefined;
  standardError: number | undefined;
}

/** The manifest's `metrics`: the summary's figures, and the curves, tiers' confusion and calibration of the held-out leads. */
function manifestMetrics(summary: TrainSummary, heldOut: HeldOutScores, outOfTime: OutOfTimeResult, policy: TierPolicy, tiers: { hot: number; warm: number }, folds: number) {
  const { labels: hoLabels, rankingLogits, countedProbs, crossFittedProbs: hoProbs } = heldOut;
  const { split: timeSplit, rocAuc: outOfTimeRocAuc, standardError: outOfTimeStandardError } = outOfTime;
  const rawProbs = Float64Array.from(heldOut.logits, (z) => 1 / (1 + Math.exp(-z)));
  const profitAssumptions =
    policy.kind === 'value'
      ? { revenuePerConversion: policy.revenuePerConversion, costPerContact: policy.costPerContact, source: 'policy' as const }
      : { ...DEFAULT_PROFIT_ASSUMPTIONS, source: 'default' as const };
  const confusionAtThreshold = (threshold: number) => ({ threshold, ...confusionAt(hoLabels, countedProbs, threshold) });
  // Bins of equal lead counts: at a low base rate equal widths put nearly every lead in the first, and the
  // side panel's band (the bin whose range holds a lead's probability) would speak of them all for a lead at 9%.
  const reliability = calibrationCurve(hoLabels, hoProbs, 10, 'quantile');
  return {
    cvRocAuc: summary.cv_roc_auc,
    cvPrAuc: summary.cv_pr_auc,
    cvLogLoss: summary.cv_log_loss,
    holdoutRocAuc: summary.holdout_roc_auc,
    ece: summary.ece,
    ...(timeSplit && outOfTimeRocAuc !== undefined
      ? {
          outOfTimeRocAuc,
          outOfTime: {
            column: timeSplit.by,
            trainRows: timeSplit.train.length,
            testRows: timeSplit.test.length,
            undatedRows: timeSplit.undated,
            ...(outOfTimeStandardError !== undefined && { standardError: outOfTimeStandardError }),
          },
        }
      : {}),
    // Ranked by the held-out logits, as holdoutRocAuc: through the shipped calibration an isotonic
    // map's ties, fitted on these rows, would bow the curves out. A capacity tier's cut is a cut of the
    // logits, so its confusion is a point of these curves all the same.
    roc: rocCurve(hoLabels, rankingLogits),
    pr: prCurve(hoLabels, rankingLogits),
    // Counted as the tiers are, so the profit at a tier's threshold is its confusion's: a count, not a ranking figure.
    profit: profitCurve(hoLabels, countedProbs, profitAssumptions.revenuePerConversion, profitAssumptions.costPerContact),
    profitAssumptions,
    tierConfusion: { hot: confusionAtThreshold(tiers.hot), warm: confusionAtThreshold(tiers.warm) },
    calibration: reliability.curve,
    calibrationLeads: reliability.leads,
    calibrationRanges: reliability.ranges,
    liftByDecile: liftByDecile(hoLabels, hoProbs),
    brier: summary.brier,
    uncalibratedLogLoss: logLoss(hoLabels, rawProbs),
    folds,
  };
}

/** The whole pipeline. Throws `TrainingDataError` (a clear message) on bad input. */
export function trainModel(input: TrainInput): TrainResult {
  const t0 = performance.now();
  const opts: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, ...input.options };
  const ebmOpts: Partial<EbmOptions> = { ...opts.ebm, seed: opts.ebm.seed ?? opts.seed };
  const source = input.source ?? 'csv';
  const progress = (p: TrainProgress) => input.onProgress?.(p);
  const signal = input.signal;
  const warnings: string[] = [];
  const leakage: string[] = [];

  // --- validate
  progress({ stage: 'validate', fraction: 0 });
  if (input.records.length === 0) throw new TrainingDataError('The data has no rows.');
  const table: Table = { columns: input.columns ?? Object.keys(input.records[0]), records: input.records };
  const { labels, positive } = buildLabels(table, input.target, input.positive);
  const k = Math.floor(opts.cv); // < 2: one holdout
  if (k >= 2) checkFolds(labels, k);
  const { specs, warningsWithoutValues: specNotesWithoutValues } = featureSpecsOf(input, table, source, warnings);
  // The card's wording of each warning quoting the data: the feature specs' notes, the reference time's below.
  const warningsWithoutValues = new Map(specNotesWithoutValues);
  if (specs.length === 0) {
    // The notes say why each column went: thrown, the run prints none of them.
    const why = warnings.length === 0 ? '' : ` Why: ${warnings.join(' ')}`;
    throw new TrainingDataError(`No feature is left to train on (all columns are excluded, empty, constant, identifiers or personal data).${why}`);
  }
  let timeSplit = outOfTimeCheck(input, table.columns, labels, warnings);
  const latestDate = input.now === undefined ? referenceTimeOf(specs, input.records, source, input.runTime, warnings, warningsWithoutValues) : null;
  if (input.now === undefined && latestDate === null && input.createdAt === undefined) {
    warnings.push(
      'No column read as a date and no --now: the model is dated 2000-01-01, so that training on this file again gives the same bytes. ' +
        'Pass --now with the day the data was exported (2026-11-01) to date it.',
    );
  }
  const now = input.now ?? new Date(latestDate ?? NO_DATE);
  signal?.throwIfAborted();

  // --- featurize
  progress({ stage: 'featurize', fraction: 0.02 });
  const built = buildFeatures(specs, input.records, source, now, warnings, input.nowUtcOffsetMinutes);
  const { features, X } = featurizeAndPrune(built, input.records, source, now, warnings, input.nowUtcOffsetMinutes);
  const F = features.length;
  const N = labels.length;
  assertTrainedModelCheckable(X, N, F, { ...DEFAULT_EBM_OPTIONS, ...ebmOpts });
  let positives = 0;
  for (const v of labels) positives += v;
  const data = ebmData(features, X, labels);

  // leakage guard: warn, never drop (the admin decides, and a flag overridden is named in the report, the manifest and the model card)
  const leakageFlagsKept: { key: string; reason: string }[] = [];
  let leakageCheckNotRun: { reason: string } | undefined;
  let guardVerdicts: (string | null)[] = [];
  try {
    guardVerdicts = guardReasons(features, X, labels, source, now, input.storedHistory ?? null);
  } catch (error) {
    // Advisory, so training goes on; but said, and recorded with the model: unsaid, it reads as "checked, nothing found".
    leakageCheckNotRun = { reason: error instanceof Error ? error.message : String(error) };
    leakage.push(leakageCheckNotRunWarning(leakageCheckNotRun.reason));
  }
  guardVerdicts.forEach((reason, k) => {
    if (reason === null) return;
    leakageFlagsKept.push({ key: features[k].key, reason });
    leakage.push(`Possible leakage in "${features[k].label}": ${reason}.`);
  });
  warnings.push(...leakage);
  signal?.throwIfAborted();

  // --- cross-validation (or one holdout)
  const folds = k >= 2 ? stratifiedKFold(labels, k, opts.seed) : [trainValidSplit(labels, 0.2, opts.seed).valid];
  // Every model needs a feature that varies among its training rows: said before minutes of training, not when a fit fails halfway.
  const maxBins = ebmOpts.maxBins ?? DEFAULT_EBM_OPTIONS.maxBins;
  const heldOutFits = folds.map((test, fold) => ({ name: k >= 2 ? `the model of cross-validation fold ${fold + 1}` : 'the model of the 80/20 holdout', trainRows: trainRowsOf(test, N) }));
  for (const fit of [...heldOutFits, { name: 'the final model', trainRows: trainRowsOf(new Int32Array(0), N) /* every row */ }]) assertSomeFeatureVaries(data, features, fit, maxBins);
  if (timeSplit) {
    const by = input.timeColumn !== undefined ? `"${timeSplit.by}"` : timeSplit.by;
    try {
      assertSomeFeatureVaries(data, features, { name: `the model of the out-of-time check by ${by}`, trainRows: timeSplit.train }, maxBins);
    } catch (error) {
      // asked for (`timeColumn`): an error; made when the data allow it (`rowTimes`): left out, as outOfTimeCheck does
      if (input.timeColumn !== undefined || !(error instanceof TrainingDataError)) throw error;
      warnings.push(`${error.message} The model is reported without the out-of-time check.`);
      timeSplit = null;
    }
  }
  const outerBags = ebmOpts.outerBags ?? DEFAULT_EBM_OPTIONS.outerBags;
  // Overall shares: cross-validation 0.05–0.75, the out-of-time fit to 0.8, the final fit 0.82–0.97.
  const boosting = (stage: 'cv' | 'out-of-time' | 'fit', p: EbmProgress, from: number, span: number): TrainProgress =>
    ({
      stage,
      boosting: p.stage,
      ...(p.stage !== 'interactions' && { bag: p.bag, bags: outerBags, round: p.round, validationLoss: p.validationLoss }),
      fraction: from + span * fitShareDone(p, outerBags),
    });
  const cv = crossValidate(data, folds, ebmOpts, {
    signal,
    onProgress: (fold, p) => progress({ ...boosting('cv', p, 0.05 + (0.7 * fold) / folds.length, 0.7 / folds.length), fold }),
  });
  let outOfTimeRocAuc: number | undefined;
  let outOfTimeStandardError: number | undefined;
  if (timeSplit) {
    progress({ stage: 'out-of-time', fraction: 0.75 });
    const ootModel = fitEbm(data, timeSplit.train, ebmOpts, { signal, onProgress: (p) => progress(boosting('out-of-time', p, 0.75, 0.05)) });
    const testLabels = Uint8Array.from(timeSplit.test, (r) => labels[r]);
    outOfTimeRocAuc = rocAuc(testLabels, predictLogit(ootModel, X, F, timeSplit.test));
    const testPositives = testLabels.reduce((sum, label) => sum + label, 0);
    outOfTimeStandardError = rocAucStandardError(outOfTimeRocAuc, testPositives, testLabels.length - testPositives);
  }
  const heldOutRows = k >= 2 ? null : folds[0];
  const hoLabels = heldOutRows ? Uint8Array.from(heldOutRows, (r) => labels[r]) : labels;
  const hoLogits = heldOutRows ? Float64Array.from(heldOutRows, (r) => cv.oofLogits[r]) : cv.oofLogits;

  // --- calibration on the held-out logits
  progress({ stage: 'calibrate', fraction: 0.8 });
  let calibration: Calibration;
  if (opts.calibration === 'auto') calibration = chooseCalibration(hoLabels, hoLogits, opts.seed).calibration;
  else calibration = fitCalibration(opts.calibration, hoLabels, hoLogits);
  if (ranksNoLeads(calibration)) {
    const everyLead = applyCalibration(calibration, 0);
    warnings.push(
      `The model found no signal in these fields that ranks leads: every lead gets the average conversion rate (${percentText((everyLead * 100).toFixed(1))}), ` +
        'so scores, tiers and reasons tell no lead apart. Add fields that differ between leads that convert and leads that do not, or train on more leads.',
    );
  }
  // honest calibrated probabilities: cross-fitted over the folds (holdout: 2 halves)
  const calFolds = k >= 2 ? folds.map((f) => Int32Array.from(f)) : stratifiedKFold(hoLabels, 2, opts.seed);
  const hoProbs = crossFittedProbabilities(calibration.kind, hoLabels, hoLogits, calFolds);
  // What the tiers are cut on: each held-out logit through the shipped calibration, in float32 as
  // the ONNX graph computes it. Not the cross-fitted probabilities (those judge the calibration and
  // count a value or fixed policy's tiers, `countedProbabilities`): each fold has its own isotonic
  // map, and a cut between two steps of the shipped map would hold another share of scored leads
  // than the policy asked, a tier even none. Ranks are the held-out logits':
  // the shipped map was fitted on these same logits, and an isotonic one pools the leads it found
  // out of order into ties, which would lift any ROC or PR area read from these probabilities.
  const tierProbs = Float64Array.from(calibratedProbabilityF32(Float32Array.from(hoLogits), calibration));
  const everyRow = (heldOut: Float64Array) => {
    if (!heldOutRows) return heldOut;
    const rows = new Float64Array(N).fill(NaN);
    heldOutRows.forEach((r, i) => (rows[r] = heldOut[i]));
    return rows;
  };
  // What ranks the held-out leads as the shipped model does: their logits, unless its calibration
  // gives every lead one probability, when none ranks above another and curves read from the
  // logits would show a ranking the model never makes (its one log-odds then, for every lead).
  const rankingLogits = ranksNoLeads(calibration) ? new Float64Array(hoLogits.length).fill(calibratedLogOdds(calibration, 0)) : hoLogits;
  const heldOutProbabilities = everyRow(tierProbs);
  const heldOutCrossFittedProbabilities = everyRow(hoProbs);
  const heldOutLogits = everyRow(rankingLogits);

  // --- final fit on all rows
  progress({ stage: 'fit', fraction: 0.82 });
  const tf = performance.now();
  const model = fitEbm(data, null, ebmOpts, { signal, onProgress: (p) => progress(boosting('fit', p, 0.82, 0.15)) });
  const finalFitSeconds = (performance.now() - tf) / 1000;

  // --- terms, importance, ideal values
  const { contributions, logit: trainingLogits } = predictEbm(model, X, F);
  const T = model.terms.length;
  const { terms, referenceFeatures } = describeTerms(model, features, X, N, contributions);

  // --- thresholds on the held-out leads as the shipped model's calibration scores them
  const cuts = opts.policy.kind === 'capacity' ? capacityCuts(tierProbs, opts.policy) : null;
  const tiers = { policy: opts.policy, ...(cuts ? thresholdsOfCuts(cuts) : tierThresholds(opts.policy, hoLabels, tierProbs, opts.fixedThresholds)) };
  // A capacity policy's shares are not exact: leads of one calibrated probability share a tier, and a tie at a cut moves it
  // (a share off only by its rounding to whole leads, the model card's table does not count as off: nor does this).
  const tiedAtCut = cuts !== null && [cuts.hot, cuts.worked].some((cut) => cut !== null && cut.tied > 0);
  const sharesOff = tiedAtCut && opts.policy.kind === 'capacity' ? describeCapacityCuts(cuts, opts.policy) : [];
  if (sharesOff.length > 0) {
    warnings.push(
      `On the ${hoLabels.length.toLocaleString('en-US')} held-out leads the tier thresholds were chosen on, the tiers do not hold the shares asked. ${sharesOff.join(' ')}` +
        (calibration.kind === 'isotonic' ? ' The calibration (isotonic) gives every lead on one of its steps the same probability, so new leads will share tiers the same way.' : ''),
    );
  }
  // The reference percentiles (the 1–99 score, score drift): the training leads scored as stored
  // leads will be, by the final model and its calibration in float32, no outcome read. Not the
  // cross-fitted probabilities: each fold has its own isotonic map, whose plateaus the deployed map lacks.
  const percentiles = percentiles99(calibratedProbabilityF32(trainingLogits, calibration));
  const foldMean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const summary: TrainSummary = {
    cv_roc_auc: foldMean(cv.foldRocAuc),
    cv_pr_auc: foldMean(cv.foldPrAuc),
    cv_log_loss: logLoss(hoLabels, hoProbs),
    holdout_roc_auc: rocAuc(hoLabels, hoLogits),
    ece: ece(hoLabels, hoProbs),
    brier: brier(hoLabels, hoProbs),
    ...(outOfTimeRocAuc === undefined ? {} : { oot_roc_auc: outOfTimeRocAuc, oot_roc_auc_se: outOfTimeStandardError }),
    rows: N,
    positives,
    features: F,
    terms: T,
    interactions: model.terms.filter((t) => t.features.length === 2).length,
    calibration: calibration.kind,
    train_seconds: 0,
    fold_fit_seconds: cv.foldFitSeconds,
    final_fit_seconds: finalFitSeconds,
  };

  // --- export
  progress({ stage: 'export', fraction: 0.97 });
  const createdAt = (input.createdAt ?? now).toISOString();
  const onnxDraft = exportOnnx(model, { nFeatures: F, calibration, producerVersion: TRAINER_VERSION });
  const modelId = `ebm-${fnv1a(onnxDraft)}${fnv1a(new TextEncoder().encode(JSON.stringify({ features, calibration, tiers })))}`;
  const onnx = exportOnnx(model, { nFeatures: F, calibration, producerVersion: TRAINER_VERSION, docString: `LeadLens explainable boosting model ${modelId}` });
  const metrics = manifestMetrics(
    summary,
    { labels: hoLabels, logits: hoLogits, rankingLogits, countedProbs: countedProbabilities(opts.policy, calibration, tierProbs, hoProbs), crossFittedProbs: hoProbs },
    { split: timeSplit, rocAuc: outOfTimeRocAuc, standardError: outOfTimeStandardError },
    opts.policy,
    tiers,
    folds.length,
  );
  const manifestDraft = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    modelId,
    createdAt,
    trainer: { name: TRAINER_NAME, version: TRAINER_VERSION },
    derivedReadingVersion: DERIVED_READING_VERSION,
    target: { column: input.target, positive },
    ...(input.outcomeRule && { outcomeRule: input.outcomeRule }),
    features,
    terms,
    intercept: model.intercept,
    calibration,
    tiers,
    reference: { baseRate: positives / N, probabilityPercentiles: percentiles, features: referenceFeatures },
    metrics,
    // The flags kept go with the model: the model report names them once it is imported or activated, long after this run's warnings.
    provenance: { rows: N, positives, source: input.sourceName ?? source, referenceTime: now.toISOString(), ...(leakageFlagsKept.length > 0 && { leakageFlagsKept }), ...(leakageCheckNotRun && { leakageCheckNotRun }) },
  };
  const parsed = ManifestSchema.safeParse(manifestDraft);
  if (!parsed.success) {
    throw new Error(`internal error: the trainer built an invalid manifest: ${describeSchemaIssues(parsed.error)}`);
  }
  const manifest = parsed.data;
  summary.train_seconds = (performance.now() - t0) / 1000;
  // The card is shared beyond the admin (it goes with the model): its warnings count a column's odd values, they do not quote them.
  const cardWarnings = warnings.filter((warning) => !leakage.includes(warning)).map((warning) => warningsWithoutValues.get(warning) ?? warning);
  const modelCard = renderModelCard(manifest, { summary, warnings: [...(input.fileWarnings ?? []), ...cardWarnings], model, ebm: { ...DEFAULT_EBM_OPTIONS, ...ebmOpts } });
  progress({ stage: 'done', fraction: 1 });
  return { manifest, onnx, modelCard, summary, warnings, leakage, model, X, labels, heldOutProbabilities, heldOutCrossFittedProbabilities, heldOutLogits };
}

export { featurizeRecords };
