/**
 * The training pipeline: validate → featurize → cross-validate → fit → calibrate → thresholds
 * → manifest + ONNX bytes + model card. Pure, no Node APIs: the options page runs it in a Web
 * Worker, `lib/ml/cli.ts` runs it in Node. Deterministic: the same rows, options and seed
 * give byte-identical `model.onnx` and `manifest.json` (the creation time is the data's
 * reference time unless one is passed).
 */
import { describeSchemaIssues } from '../../schema-issues';
import { digitsTellingApart, featurizeRecords, formatNumber, formatNumberRange, readRaw, type RawRecord, type SourceKind } from '../featurize';
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
  type TermShape,
  type TierPolicy,
} from '../manifest';
import { parseDate, parseNumber } from '../derive';
import type { ModelOutcomeRule } from '../outcome-rule';
import { calibratedProbabilityF32, exportOnnx } from '../onnx/export';
import { renderModelCard } from '../model-card';
import { MAX_CHECK_CELLS, MAX_CHECK_VALUES, trainedCheckBound } from '../check-model';
import { bestSupportedRange } from '../shape';
import { applyCalibration, calibratedLogOdds, chooseCalibration, fitIsotonic, fitPlatt, ranksNoLeads } from './calibration';
import { stratifiedKFold, trainValidSplit } from './cv';
import { DEFAULT_EBM_OPTIONS, fitEbm, fitShareDone, predictEbm, predictLogit, someFeatureVaries, type EbmData, type EbmModel, type EbmOptions, type EbmProgress, type EbmTerm } from './ebm';
import { countBounds } from './count-bounds';
import {
  buildFeatures,
  buildLabels,
  checkFolds,
  featurizeAndPrune,
  inferFeatureSpecs,
  TrainingDataError,
  type Table,
} from './dataset';
import { brier, calibrationCurve, confusionAt, ece, liftByDecile, logLoss, prAuc, prCurve, rocAuc, rocAucStandardError, rocCurve } from './metrics';
import { profitCurve, tierThresholds } from './thresholds';
import { guardReasons, type StoredHistory } from './training-set';

export { TooManyFoldsError, TrainingDataError } from './dataset';

export const TRAINER_NAME = 'leadlens-ebm';
export const TRAINER_VERSION = '1.0.0';

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


export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  cv: 5,
  seed: 42,
  ebm: {},
  calibration: 'auto',
  policy: DEFAULT_POLICY,
};

export interface TrainProgress {
  stage: 'validate' | 'featurize' | 'cv' | 'out-of-time' | 'fit' | 'calibrate' | 'export' | 'done';
  /** Fold (cv) or bag (fit) number, from 0. */
  fold?: number;
  bag?: number;
  /** Boosting sub-stage and round, with the early-stopping validation log loss. */
  boosting?: 'mains' | 'interactions' | 'pairs';
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
   * reader of the card, months on, has no stderr of the run. Not in `TrainResult.warnings`.
   */
  fileWarnings?: readonly string[];
  /** What "days since" is measured from; default: the latest date the "days since" features read (see `runTime`). */
  now?: Date;
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
   * earliest 70 % of rows is scored on the latest 30 % (`metrics.outOfTimeRocAuc`). The check
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
  /** ROC-AUC on the latest 30 % of rows of a model trained on the earliest 70 % (with `timeColumn` or `rowTimes`). */
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
  /** The leakage guard's warnings (also in `warnings`): a model that reads such a feature fails on new leads. */
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
   * order, which lifts any ROC-AUC read from them (`heldOutLogits` rank them honestly).
   */
  heldOutProbabilities: Float64Array;
  /**
   * Each row's logit [N] from the model that did not train on it (NaN for the rows a single
   * holdout trained on): what the held-out ranking figures are read from, as `holdoutRocAuc` is.
   * One log-odds for every row when the calibration ranks no leads (`ranksNoLeads`), as the shipped model.
   */
  heldOutLogits: Float64Array;
}

/** FNV-1a 32-bit hash → 8 hex digits (model ids). */
export function fnv1a(bytes: Uint8Array, seed = 0x811c9dc5): string {
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

export interface CrossValidation {
  /** Out-of-fold raw logits [N]. */
  oofLogits: Float64Array;
  /** Test rows per fold. */
  folds: Int32Array[];
  foldRocAuc: number[];
  foldPrAuc: number[];
  foldFitSeconds: number[];
}

/** The complement of `test` in 0…n−1, ascending. */
export function trainRowsOf(test: Int32Array, n: number): Int32Array {
  const inTest = new Uint8Array(n);
  for (const r of test) inTest[r] = 1;
  const out = new Int32Array(n - test.length);
  let k = 0;
  for (let i = 0; i < n; i++) if (!inTest[i]) out[k++] = i;
  return out;
}

/** Fit one model per fold on the other folds; predict its fold. */
export function crossValidate(
  data: EbmData,
  folds: Int32Array[],
  ebm: Partial<EbmOptions>,
  hooks: { onProgress?: (fold: number, p: EbmProgress) => void; signal?: AbortSignal } = {},
): CrossValidation {
  const n = data.y.length;
  const oofLogits = new Float64Array(n);
  const foldRocAuc: number[] = [];
  const foldPrAuc: number[] = [];
  const foldFitSeconds: number[] = [];
  folds.forEach((test, k) => {
    const train = trainRowsOf(test, n);
    const t0 = performance.now();
    const model = fitEbm(data, train, ebm, { signal: hooks.signal, onProgress: (p) => hooks.onProgress?.(k, p) });
    foldFitSeconds.push((performance.now() - t0) / 1000);
    const logit = predictLogit(model, data.X, data.F, test);
    const y = Uint8Array.from(test, (r) => data.y[r]);
    test.forEach((r, i) => (oofLogits[r] = logit[i]));
    foldRocAuc.push(rocAuc(y, logit));
    foldPrAuc.push(prAuc(y, logit));
  });
  return { oofLogits, folds, foldRocAuc, foldPrAuc, foldFitSeconds };
}

function fitCalibration(kind: Exclude<CalibrationChoiceOption, 'auto'>, labels: Uint8Array, logits: Float64Array): Calibration {
  if (kind === 'platt') return { kind: 'platt', ...fitPlatt(labels, logits) };
  if (kind === 'isotonic') return { kind: 'isotonic', ...fitIsotonic(labels, logits) };
  return { kind: 'none' };
}

/**
 * Calibrated held-out probabilities [N] where each fold's map was fitted on the other folds'
 * out-of-fold logits: an honest ECE / log loss of the calibrated model.
 */
export function crossFittedProbabilities(kind: Calibration['kind'], labels: Uint8Array, oof: Float64Array, folds: Int32Array[]): Float64Array {
  const out = new Float64Array(labels.length);
  const n = labels.length;
  for (const test of folds) {
    const train = trainRowsOf(test, n);
    const cal = fitCalibration(kind, Uint8Array.from(train, (r) => labels[r]), Float64Array.from(train, (r) => oof[r]));
    for (const r of test) out[r] = applyCalibration(cal, oof[r]);
  }
  return out;
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

/** Label of the missing bin, the last bin of every shape axis. */
export const MISSING_BIN_LABEL = 'missing';

/**
 * Labels of an axis's bins as a rep reads them, the missing bin last: a categorical feature's
 * levels; Yes / No; or numeric ranges "≤ 3", "3 – 7", "> 7" between `edges` (value ≤ edge).
 * For a feature whose values are all whole numbers (counts, days) the ranges name the whole
 * numbers inside them: edges 2.5, 5.5, 6.5 read "≤ 2", "3 – 5", "6", "≥ 7"; a range of a
 * hundred whole numbers or more (money) reads by its edges: "$1,000 – $2,000".
 */
const EXACT_WHOLE_RANGE = 100;
export function binLabels(feature: Feature, edges: readonly number[], wholeNumbers = false): string[] {
  if (feature.type === 'categorical') return [...(feature.vocabulary ?? []), MISSING_BIN_LABEL];
  if (feature.type === 'boolean' && edges.length === 1 && edges[0] > 0 && edges[0] < 1) return ['No', 'Yes', MISSING_BIN_LABEL];
  if (edges.length === 0) return ['any', MISSING_BIN_LABEL];
  // Edges are float32: show the number they stand for (2,249,999,872 → 2,250,000,000).
  const tidy = (v: number) => Number(v.toPrecision(6));
  // One number of digits for the axis: an edge reads the same in the two labels it bounds.
  const extra = digitsTellingApart(edges.map(tidy));
  const fmt = (v: number) => formatNumber(tidy(v), feature.unit, extra);
  const range = (low: number, high: number): string => {
    if (wholeNumbers) {
      const first = Math.floor(low) + 1; // the smallest whole number in (low, high]
      const last = Math.floor(high);
      // Counts and days read exactly ("3 – 5"); a wide range (money) reads by its edges, but a
      // half-way edge by the whole number on this side of it: 2,317.5 would print as 2,318,
      // which is in the next bin.
      if (first <= last && last - first < EXACT_WHOLE_RANGE) return first === last ? fmt(first) : formatNumberRange(first, last, feature.unit);
      if (first <= last) return formatNumberRange(Number.isInteger(tidy(low)) ? tidy(low) : first, Number.isInteger(tidy(high)) ? tidy(high) : last, feature.unit);
    }
    return formatNumberRange(tidy(low), tidy(high), feature.unit, extra);
  };
  const top = edges[edges.length - 1];
  const ranges = [`≤ ${fmt(wholeNumbers ? Math.floor(edges[0]) : edges[0])}`];
  for (let i = 1; i < edges.length; i++) ranges.push(range(edges[i - 1], edges[i]));
  ranges.push(wholeNumbers && !Number.isInteger(top) ? `≥ ${fmt(Math.floor(top) + 1)}` : `> ${fmt(top)}`);
  return [...ranges, MISSING_BIN_LABEL];
}

/** Per feature [F]: whether every known value in X [N, F] is a whole number. */
export function wholeNumberFeatures(X: Float32Array, F: number): boolean[] {
  const whole = new Array<boolean>(F).fill(true);
  for (let i = 0; i < X.length; i++) {
    const v = X[i];
    if (v === v && !Number.isInteger(v)) whole[i % F] = false;
  }
  return whole;
}

/**
 * One axis of a term's shape in the manifest's bin order (value bins, then missing), built from
 * the model's fine bins (0 = missing, 1…B) and the term's map of fine bin → the term's own bin
 * (identity for mains, the coarse grid for pairs). Numeric axes get one bin per run of fine bins
 * the term does not tell apart; categorical axes one bin per level (`edges` empty, bin = code).
 */
function shapeAxis(feature: Feature, wholeNumbers: boolean, cuts: Float32Array, fineToTermBin: ArrayLike<number>): { labels: string[]; edges: number[]; termBins: number[] } {
  const B = cuts.length + 1;
  const firstFineBins: number[] = []; // [value bins] the first fine bin of each axis bin
  const edges: number[] = [];
  for (let k = 1; k <= B; k++) {
    if (feature.type === 'categorical' || k === 1 || fineToTermBin[k] !== fineToTermBin[k - 1]) {
      firstFineBins.push(k);
      if (feature.type !== 'categorical' && k > 1) edges.push(cuts[k - 2]); // upper edge of the previous run: x <= cuts[k − 2] ⇔ fine bin < k
    }
  }
  const termBins = [...firstFineBins, 0].map((k) => fineToTermBin[k]);
  return { labels: binLabels(feature, edges, wholeNumbers), edges, termBins };
}

/**
 * The term's shape function for the manifest: the exact float32 contributions the model (and
 * its ONNX trees) adds per bin, after centring and purification.
 */
export function termShape(model: EbmModel, term: EbmTerm, features: Feature[], wholeNumbers: readonly boolean[]): TermShape {
  const identity = (f: number) => Uint16Array.from({ length: model.cuts[f].length + 2 }, (_, k) => k);
  const axes = term.features.map((f, a) => shapeAxis(features[f], wholeNumbers[f], model.cuts[f], term.maps ? term.maps[a] : identity(f)));
  const scores: number[] = [];
  if (axes.length === 1) for (const t of axes[0].termBins) scores.push(term.values[t]);
  else {
    const nB = term.shape![1];
    for (const ta of axes[0].termBins) for (const tb of axes[1].termBins) scores.push(term.values[ta * nB + tb]);
  }
  return { axes: axes.map(({ labels, edges }) => ({ labels, edges })), scores };
}

/**
 * A feature's ideal for the manifest's reference: the value bins with the highest mean
 * contribution over their training rows, among those enough rows hold (`bestSupportedRange`,
 * shared with the side panel's ideal), labelled as one bin (a number's range: "995 – 4,622
 * employees", not "2,318 – 2,362"); its contribution their mean. Never a category's pooled "(other)"
 * (`otherCode`). Empty when nothing holds enough.
 * `scores` and `rows` [value bins]: the shape's contribution and training rows per value bin of
 * `axis` ("missing" left out).
 */
export function idealOf(
  feature: Feature,
  axis: Pick<TermShape['axes'][number], 'edges'>,
  scores: readonly number[],
  rows: readonly number[],
  wholeNumbers: boolean,
): { idealValue: string; idealContribution: number } {
  // The pooled "(other)" is no ideal: no one value (the values too rare to learn), none a rep could name; the side panel's is the same.
  const levelRows = rows.map((n, bin) => (bin === feature.otherCode ? 0 : n));
  const best = bestSupportedRange(scores, levelRows, feature.type === 'numeric');
  if (!best) return { idealValue: '', idealContribution: 0 };
  // The range is one bin of the axis without the edges inside it, labelled as any bin is.
  const edges = [...axis.edges.slice(0, best.first), ...axis.edges.slice(best.last)];
  return { idealValue: binLabels(feature, edges, wholeNumbers)[best.first], idealContribution: best.mean };
}

/**
 * How far after the run a date may be and still be the data's present: a timestamp written in a
 * time zone ahead of UTC reads as UTC up to 14 hours later.
 */
const RUN_TIME_SLACK_MS = 86_400_000;

/**
 * What "days since" features are measured from when no `now` is given (see `runTime`): the
 * latest date they read up to a day after `runTime`, or `runTime` when every date is after it;
 * null when they read no date. Warns of the dates passed over, naming their columns.
 */
export function referenceTimeOf(specs: readonly FeatureSpec[], records: RawRecord[], source: SourceKind, runTime: Date | undefined, warnings: string[]): number | null {
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
  warnings.push(
    `${columns} ${columnsAfter.size === 1 ? 'has' : 'have'} dates after the day of training (${trainingDay}), such as ${day(latestAfter)}, which cannot be when the data was exported: ` +
      `"days since" features are measured from ${latest === null ? `${trainingDay}, the day of training` : `${day(latest)}, the latest date up to that day`}. ` +
      'Pass --now to choose the date yourself: without it, training on this file again after those dates gives another model.',
  );
  return latest ?? runTime!.getTime();
}

/** The date of a model trained with no date to go by (no date column, no --now): fixed, so that the same file trains the same bytes. */
const NO_DATE = Date.UTC(2000, 0, 1);

/** Share of rows, earliest first, an out-of-time check trains on; it tests on the rest. */
export const OUT_OF_TIME_TRAIN_SHARE = 0.7;
/**
 * Converted and unconverted leads each needed among the latest rows when the check is made only
 * if the data allow it (`rowTimes`): fewer rank by chance (one conversion scores 0 or 1).
 */
export const OUT_OF_TIME_MIN_PER_OUTCOME = 10;
/** Converted and unconverted leads each needed among the earliest rows: a model of one conversion has learnt nothing to rank by. */
export const OUT_OF_TIME_MIN_TRAIN_PER_OUTCOME = 2;

/**
 * Each row's time [N] read from `column`: dates, or numbers such as a sequential lead id
 * (whichever reads more cells); NaN where the cell reads as neither.
 */
export function timeKeys(records: RawRecord[], columns: string[], column: string): number[] {
  if (!columns.includes(column)) throw new TrainingDataError(`The time column "${column}" is not in the data.`);
  const asDates = records.map((r) => parseDate(r[column]));
  const asNumbers = records.map((r) => parseNumber(r[column]));
  const readable = (a: number[]) => a.filter(Number.isFinite).length;
  return readable(asDates) >= readable(asNumbers) ? asDates : asNumbers;
}

/**
 * The cut nearest `target` in `sorted` times (`dated` [M] ordered by `keys`) that no run of equal
 * times crosses (a bulk import gives many leads one created date: cutting through it would split
 * them by row order, not time); null when every dated row has one time.
 */
function cutBetweenTimes(dated: Int32Array, keys: readonly number[], target: number): number | null {
  const splitsTies = (cut: number) => keys[dated[cut - 1]] === keys[dated[cut]];
  for (let step = 0; step < dated.length; step++) {
    for (const cut of [target + step, target - step]) if (cut > 0 && cut < dated.length && !splitsTies(cut)) return cut;
  }
  return null;
}

/**
 * Rows in time order (`keys` [N]; NaN rows left out) split into the earliest ~70 % and the latest
 * ~30 %, cut between two times. Throws `TrainingDataError` unless the earliest part holds at
 * least OUT_OF_TIME_MIN_TRAIN_PER_OUTCOME converted and unconverted leads and the latest at least
 * `minPerOutcome` of each; `what` names the time in that message.
 */
export function outOfTimeSplit(keys: readonly number[], labels: Uint8Array, what: string, minPerOutcome = 1): { train: Int32Array; test: Int32Array; undated: number } {
  const dated = Int32Array.from(keys.flatMap((k, i) => (Number.isFinite(k) ? [i] : [])));
  dated.sort((a, b) => keys[a] - keys[b] || a - b);
  const undated = keys.length - dated.length;
  const undatedNote = undated > 0 ? ` (${undated} rows have no readable date or number there)` : '';
  if (dated.length === 0) throw new TrainingDataError(`The out-of-time check by ${what} needs rows that have one; none of the ${keys.length} rows has a readable date or number there.`);
  const cut = cutBetweenTimes(dated, keys, Math.round(dated.length * OUT_OF_TIME_TRAIN_SHARE));
  if (cut === null) throw new TrainingDataError(`The out-of-time check by ${what} needs rows of more than one time; every row${undatedNote} has the same.`);
  const train = dated.slice(0, cut);
  const test = dated.slice(cut);
  for (const [part, rows, least] of [['earliest 70 %', train, OUT_OF_TIME_MIN_TRAIN_PER_OUTCOME], ['latest 30 %', test, minPerOutcome]] as const) {
    let positives = 0;
    for (const r of rows) positives += labels[r];
    if (positives < least || rows.length - positives < least) {
      const needs = least === 1 ? 'converted and unconverted leads' : `at least ${least} converted and ${least} unconverted leads`;
      throw new TrainingDataError(`The out-of-time check by ${what} needs ${needs} in the ${part} of the rows; it has ${positives} converted of ${rows.length}${undatedNote}.`);
    }
  }
  return { train, test, undated };
}

/** The out-of-time split `input` asks for (see `timeColumn`, `rowTimes`), with what it splits by; null when none is asked for or can be made. */
function outOfTimeCheck(input: TrainInput, columns: string[], labels: Uint8Array, warnings: string[]): (ReturnType<typeof outOfTimeSplit> & { by: string }) | null {
  if (input.timeColumn !== undefined) {
    return { ...outOfTimeSplit(timeKeys(input.records, columns, input.timeColumn), labels, `"${input.timeColumn}"`), by: input.timeColumn };
  }
  if (input.rowTimes === undefined) return null;
  try {
    return { ...outOfTimeSplit(input.rowTimes.times, labels, input.rowTimes.label, OUT_OF_TIME_MIN_PER_OUTCOME), by: input.rowTimes.label };
  } catch (error) {
    if (!(error instanceof TrainingDataError)) throw error;
    warnings.push(`${error.message} The model is reported without it.`);
    return null;
  }
}

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
  const name = fit.name.charAt(0).toUpperCase() + fit.name.slice(1);
  throw new TrainingDataError(
    `${name} trains on ${fit.trainRows.length} of the ${N} rows, and no feature varies among them, so it has nothing to learn from: ` +
      `every feature has one value in nearly every row (${listed}${varying.length > 3 ? ', …' : ''}). ` +
      `Training needs a feature that differs from its most common value in more rows${leftOut > 0 ? ` than that model leaves out (${leftOut})` : ''}: add a column that tells more of the leads apart.`,
  );
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
  let specs: FeatureSpec[];
  const exclude = input.exclude ?? [];
  const missingValues = input.missingValues ?? [];
  if (input.specs) {
    specs = input.specs.filter((s) => {
      const names = fieldSourcesOf(s.derive).map((from) => from[source]);
      if (names.some((n) => n !== undefined && (exclude.includes(n) || n === input.target))) {
        warnings.push(`"${s.label}" reads an excluded column or the target: dropped.`);
        return false;
      }
      if (names.some((n) => n === undefined || !table.columns.includes(n))) {
        warnings.push(`"${s.label}" reads ${names.filter((n) => n === undefined || !table.columns.includes(n)).map((n) => (n === undefined ? `no ${source} field` : `column "${n}", which is not in the data`)).join(', ')}: dropped.`);
        return false;
      }
      return true;
    });
    // the run's placeholders (--missing) join each spec's own, in the manifest too: scoring reads them alike
    specs = specs.map((spec) => ({ ...spec, missingValues: [...new Set([...(spec.missingValues ?? []), ...missingValues])] }));
  } else {
    const inferred = inferFeatureSpecs(table, input.target, exclude, missingValues);
    specs = inferred.specs;
    warnings.push(...inferred.warnings);
  }
  if (specs.length === 0) throw new TrainingDataError('No feature is left to train on (all columns are excluded, empty, constant or identifiers).');
  let timeSplit = outOfTimeCheck(input, table.columns, labels, warnings);
  const latestDate = input.now === undefined ? referenceTimeOf(specs, input.records, source, input.runTime, warnings) : null;
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
  const built = buildFeatures(specs, input.records, source, now, warnings);
  const { features, X } = featurizeAndPrune(built, input.records, source, now, warnings);
  const F = features.length;
  const N = labels.length;
  assertTrainedModelCheckable(X, N, F, { ...DEFAULT_EBM_OPTIONS, ...ebmOpts });
  let positives = 0;
  for (const v of labels) positives += v;
  const data = ebmData(features, X, labels);

  // leakage guard: warn, never drop (the admin decides, and a flag overridden is named in the report and the model card)
  try {
    guardReasons(features, X, labels, source, now, input.storedHistory ?? null).forEach((reason, k) => {
      if (reason !== null) leakage.push(`Possible leakage in "${features[k].label}": ${reason}.`);
    });
    warnings.push(...leakage);
  } catch {
    /* the guard is advisory */
  }
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
    ({ stage, bag: p.bag, boosting: p.stage, round: p.round, validationLoss: p.validationLoss, fraction: from + span * fitShareDone(p, outerBags) });
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
      `The model found no signal in these fields that ranks leads: every lead gets the average conversion rate (${(everyLead * 100).toFixed(1)} %), ` +
        'so scores, tiers and reasons tell no lead apart. Add fields that differ between leads that convert and leads that do not, or train on more leads.',
    );
  }
  // honest calibrated probabilities: cross-fitted over the folds (holdout: 2 halves)
  const calFolds = k >= 2 ? folds.map((f) => Int32Array.from(f)) : stratifiedKFold(hoLabels, 2, opts.seed);
  const hoProbs = crossFittedProbabilities(calibration.kind, hoLabels, hoLogits, calFolds);
  // What the tiers are read from: each held-out logit through the shipped calibration, in float32 as
  // the ONNX graph computes it. Not the cross-fitted probabilities (those judge the calibration): each
  // fold has its own isotonic map, and a cut between two steps of the shipped map would hold another
  // share of scored leads than the policy asked, a tier even none. Ranks are the held-out logits':
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
  const heldOutLogits = everyRow(rankingLogits);
  const rawProbs = Float64Array.from(hoLogits, (z) => 1 / (1 + Math.exp(-z)));

  // --- final fit on all rows
  progress({ stage: 'fit', fraction: 0.82 });
  const tf = performance.now();
  const model = fitEbm(data, null, ebmOpts, { signal, onProgress: (p) => progress(boosting('fit', p, 0.82, 0.15)) });
  const finalFitSeconds = (performance.now() - tf) / 1000;

  // --- terms, importance, ideal values
  const { contributions, logit: trainingLogits } = predictEbm(model, X, F);
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

  // --- thresholds on the held-out leads as the shipped model's calibration scores them
  const tiers = { policy: opts.policy, ...tierThresholds(opts.policy, hoLabels, tierProbs, opts.fixedThresholds) };
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
  const profitAssumptions =
    opts.policy.kind === 'value'
      ? { revenuePerConversion: opts.policy.revenuePerConversion, costPerContact: opts.policy.costPerContact, source: 'policy' as const }
      : { ...DEFAULT_PROFIT_ASSUMPTIONS, source: 'default' as const };
  const confusionAtThreshold = (threshold: number) => ({ threshold, ...confusionAt(hoLabels, tierProbs, threshold) });
  // Bins of equal lead counts: at a low base rate equal widths put nearly every lead in the first, and the
  // side panel's band (the bin whose range holds a lead's probability) would speak of them all for a lead at 9 %.
  const reliability = calibrationCurve(hoLabels, hoProbs, 10, 'quantile');
  const metrics = {
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
    // map's ties, fitted on these rows, would bow the curves out. A tier's cut is a cut of the logits,
    // so its confusion is a point of these curves all the same.
    roc: rocCurve(hoLabels, rankingLogits),
    pr: prCurve(hoLabels, rankingLogits),
    // In the shipped calibration's units, as the thresholds: the profit at each cut is a count, not a ranking figure.
    profit: profitCurve(hoLabels, tierProbs, profitAssumptions.revenuePerConversion, profitAssumptions.costPerContact),
    profitAssumptions,
    tierConfusion: { hot: confusionAtThreshold(tiers.hot), warm: confusionAtThreshold(tiers.warm) },
    calibration: reliability.curve,
    calibrationLeads: reliability.leads,
    calibrationRanges: reliability.ranges,
    liftByDecile: liftByDecile(hoLabels, hoProbs),
    brier: summary.brier,
    uncalibratedLogLoss: logLoss(hoLabels, rawProbs),
    folds: folds.length,
  };
  const manifestDraft = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    modelId,
    createdAt,
    trainer: { name: TRAINER_NAME, version: TRAINER_VERSION },
    target: { column: input.target, positive },
    ...(input.outcomeRule && { outcomeRule: input.outcomeRule }),
    features,
    terms,
    intercept: model.intercept,
    calibration,
    tiers,
    reference: { baseRate: positives / N, probabilityPercentiles: percentiles, features: referenceFeatures },
    metrics,
    provenance: { rows: N, positives, source: input.sourceName ?? source, referenceTime: now.toISOString() },
  };
  const parsed = ManifestSchema.safeParse(manifestDraft);
  if (!parsed.success) {
    throw new Error(`internal error: the trainer built an invalid manifest: ${describeSchemaIssues(parsed.error)}`);
  }
  const manifest = parsed.data;
  summary.train_seconds = (performance.now() - t0) / 1000;
  const modelCard = renderModelCard(manifest, { summary, leakage, warnings: [...(input.fileWarnings ?? []), ...warnings.filter((warning) => !leakage.includes(warning))], model, ebm: { ...DEFAULT_EBM_OPTIONS, ...ebmOpts } });
  progress({ stage: 'done', fraction: 1 });
  return { manifest, onnx, modelCard, summary, warnings, leakage, model, X, labels, heldOutProbabilities, heldOutLogits };
}

/** The trainer's own calibrated probabilities [N] and contributions [N, T], computed as the ONNX graph does (float32). */
export function predictManifestModel(model: EbmModel, calibration: Calibration, X: Float32Array, F: number): { probability: Float32Array; contributions: Float32Array; logit: Float32Array } {
  const { contributions, logit } = predictEbm(model, X, F);
  return { probability: calibratedProbabilityF32(logit, calibration), contributions, logit };
}

export { featurizeRecords };
