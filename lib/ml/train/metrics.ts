/**
 * Evaluation metrics for binary lead conversion, pure and deterministic (they run in the
 * training Web Worker). Scalar metrics match scikit-learn's definitions; curves are the
 * point lists the manifest stores (`MetricsSchema` in ../manifest.ts).
 *
 * Conventions: `labels` [N] are 0/1; `scores` / `probs` [N] are finite numbers (scores may
 * be logits or probabilities, only their order matters). Rank-based metrics need both
 * classes: without them scalars are NaN and curves empty.
 */

export type Scores = Float64Array | Float32Array | number[];
export type Labels = Uint8Array | number[];
/** One point of a curve: [x, y]. */
export type CurvePoint = [number, number];

/** Curves stored in the manifest are downsampled to at most this many points. */
export const MAX_CURVE_POINTS = 200;

/** Labels and scores of different lengths are always a caller bug: fail loudly. */
export function assertSameLength(labels: ArrayLike<number>, values: ArrayLike<number>): void {
  if (labels.length !== values.length) {
    throw new Error(`labels has ${labels.length} rows but the scores have ${values.length}`);
  }
}

export function countPositives(labels: Labels): number {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i];
  return positives;
}

/** Row indices [N] ordered by score, highest first; ties keep row order so results never depend on sort stability. */
export function orderByScoreDescending(scores: Scores): Int32Array {
  const order = new Int32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((i, j) => scores[j] - scores[i] || i - j);
}

/**
 * Cumulative counts when the decision threshold walks down through each distinct score
 * (scikit-learn's `_binary_clf_curve`): at step d every row with score ≥ thresholds[d] is
 * called positive. Every curve and rank metric below is read off these steps.
 */
export interface ThresholdSteps {
  /** [D] distinct scores, highest first. */
  thresholds: Float64Array;
  /** [D] positives with score ≥ thresholds[d]. */
  truePositives: Int32Array;
  /** [D] negatives with score ≥ thresholds[d]. */
  falsePositives: Int32Array;
  positives: number;
  negatives: number;
}

export function thresholdSteps(labels: Labels, scores: Scores): ThresholdSteps {
  assertSameLength(labels, scores);
  const order = orderByScoreDescending(scores);
  const thresholds: number[] = [];
  const truePositives: number[] = [];
  const falsePositives: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let r = 0; r < order.length; r++) {
    const row = order[r];
    if (labels[row]) tp++;
    else fp++;
    // Close a step only after the last row of a run of equal scores: ties move together.
    const next = r + 1 < order.length ? scores[order[r + 1]] : Number.NaN;
    if (next !== scores[row]) {
      thresholds.push(scores[row]);
      truePositives.push(tp);
      falsePositives.push(fp);
    }
  }
  return {
    thresholds: Float64Array.from(thresholds),
    truePositives: Int32Array.from(truePositives),
    falsePositives: Int32Array.from(falsePositives),
    positives: tp,
    negatives: fp,
  };
}

/**
 * The standard error of a ROC-AUC of `auc` measured on `positives` and `negatives` rows
 * (Hanley & McNeil, 1982): how far it could move by chance, so a smaller test set's figure is
 * not read as a change it cannot show.
 */
export function rocAucStandardError(auc: number, positives: number, negatives: number): number {
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) / (positives * negatives);
  return Math.sqrt(variance);
}

/** How far chance alone moves a figure of this standard error, 95 % of the time: twice it (a normal's 1.96, rounded). */
export const chanceMargin = (standardError: number): number => 2 * standardError;

/**
 * Area under the ROC curve. The trapezoid over the threshold steps gives tied scores half
 * credit, which equals the average-rank (Mann–Whitney) AUC and `sklearn.metrics.roc_auc_score`.
 */
export function rocAuc(labels: Labels, scores: Scores): number {
  const steps = thresholdSteps(labels, scores);
  if (steps.positives === 0 || steps.negatives === 0) return Number.NaN;
  // Twice the area in (fp, tp) count units, summed as integers, divided once at the end.
  let doubleArea = 0;
  let previousTp = 0;
  let previousFp = 0;
  for (let d = 0; d < steps.thresholds.length; d++) {
    const tp = steps.truePositives[d];
    const fp = steps.falsePositives[d];
    doubleArea += (fp - previousFp) * (tp + previousTp);
    previousTp = tp;
    previousFp = fp;
  }
  return doubleArea / (2 * steps.positives * steps.negatives);
}

/**
 * DeLong's placements of each row of one scoring (DeLong, DeLong & Clarke-Pearson, 1988): what
 * a ROC-AUC is the mean of, and what its chance moves are read from, row by row.
 */
export interface RocAucPlacements {
  /** [N] The 0/1 outcomes the placements are counted against. */
  labels: Labels;
  /**
   * [N] Of each row's pairs with a row of the other outcome, how many the scores put in order
   * (the converted one above), a tie counting half: a converted row's count of unconverted rows
   * below it, an unconverted row's count of converted rows above it. Whole or half numbers.
   */
  pairsInOrder: Float64Array;
  positives: number;
  negatives: number;
}

/**
 * The placements of `scores` [N] against `labels` [N]: one sort, then a walk down the runs of
 * equal scores, which gives each row its midrank count (Sun & Xu's fast DeLong), O(N log N).
 * Defined with one outcome absent too: every count is then 0.
 */
export function rocAucPlacements(labels: Labels, scores: Scores): RocAucPlacements {
  assertSameLength(labels, scores);
  const order = orderByScoreDescending(scores);
  const positives = countPositives(labels);
  const negatives = labels.length - positives;
  const pairsInOrder = new Float64Array(labels.length);
  let positivesAbove = 0;
  let negativesAbove = 0;
  for (let runStart = 0; runStart < order.length; ) {
    let runEnd = runStart;
    while (runEnd < order.length && scores[order[runEnd]] === scores[order[runStart]]) runEnd++;
    let runPositives = 0;
    for (let r = runStart; r < runEnd; r++) runPositives += labels[order[r]];
    const runNegatives = runEnd - runStart - runPositives;
    for (let r = runStart; r < runEnd; r++) {
      const row = order[r];
      // A converted row is above the unconverted rows below its run, an unconverted one below the converted rows above it; its run's rows of the other outcome count half.
      pairsInOrder[row] = labels[row] ? negatives - negativesAbove - runNegatives / 2 : positivesAbove + runPositives / 2;
    }
    positivesAbove += runPositives;
    negativesAbove += runNegatives;
    runStart = runEnd;
  }
  return { labels, pairsInOrder, positives, negatives };
}

/** The ROC-AUC the placements are of; NaN without both outcomes. Equals `rocAuc` of their scores exactly (the counts sum exactly). */
export function rocAucOfPlacements({ labels, pairsInOrder, positives, negatives }: RocAucPlacements): number {
  let inOrder = 0;
  for (let row = 0; row < labels.length; row++) if (labels[row]) inOrder += pairsInOrder[row];
  return inOrder / (positives * negatives);
}

/**
 * The standard error of the difference of two ROC-AUCs of the same rows against the same
 * outcomes (DeLong's paired test): their chance moves go together, which taking the two as
 * independent ignores, overstating the error several times when the two rank alike. The spread
 * over converted rows of the difference of their placements (each a share of the unconverted
 * rows), and over unconverted rows likewise: Var = S₁₀/positives + S₀₁/negatives. NaN with fewer
 * than two rows of either outcome, whose spread cannot be measured; with under about ten, the
 * spread measured is often too small (two rows placed alike: 0), and two equally good scorings
 * come out different more often than `chanceMargin` allows.
 */
export function rocAucDifferenceStandardError(first: RocAucPlacements, second: RocAucPlacements): number {
  const { labels, positives, negatives } = first;
  assertSameLength(labels, second.labels);
  for (let row = 0; row < labels.length; row++) {
    if (labels[row] !== second.labels[row]) throw new Error(`the two scorings are counted against different outcomes (row ${row})`);
  }
  if (positives < 2 || negatives < 2) return Number.NaN;
  // [N] each row's difference of placements, as a share of the rows of the other outcome.
  const differences = Float64Array.from(labels, (label, row) => (first.pairsInOrder[row] - second.pairsInOrder[row]) / (label ? negatives : positives));
  const sampleVariance = (outcome: number, count: number) => {
    let mean = 0;
    for (let row = 0; row < labels.length; row++) if (labels[row] === outcome) mean += differences[row] / count;
    let sumOfSquares = 0;
    for (let row = 0; row < labels.length; row++) if (labels[row] === outcome) sumOfSquares += (differences[row] - mean) ** 2;
    return sumOfSquares / (count - 1);
  };
  return Math.sqrt(sampleVariance(1, positives) / positives + sampleVariance(0, negatives) / negatives);
}

/**
 * Average precision, Σ (recallₙ − recallₙ₋₁) · precisionₙ over the threshold steps, as
 * `sklearn.metrics.average_precision_score` (a step function, not a trapezoid).
 */
export function prAuc(labels: Labels, scores: Scores): number {
  const steps = thresholdSteps(labels, scores);
  if (steps.positives === 0) return Number.NaN;
  let sum = 0;
  let previousTp = 0;
  for (let d = 0; d < steps.thresholds.length; d++) {
    const tp = steps.truePositives[d];
    sum += ((tp - previousTp) * tp) / (tp + steps.falsePositives[d]);
    previousTp = tp;
  }
  return sum / steps.positives;
}

const LOG_LOSS_CLIP = 1e-15;

/** Mean negative log-likelihood, probabilities clipped to [1e-15, 1 − 1e-15] so one confident miss stays finite. */
export function logLoss(labels: Labels, probs: Scores): number {
  assertSameLength(labels, probs);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    // Clip the probability given to what happened, so both ends clip at exactly 1e-15.
    const probabilityOfOutcome = labels[i] ? probs[i] : 1 - probs[i];
    sum -= Math.log(Math.max(LOG_LOSS_CLIP, probabilityOfOutcome));
  }
  return sum / labels.length;
}

/** Mean squared error between probability and outcome. */
export function brier(labels: Labels, probs: Scores): number {
  assertSameLength(labels, probs);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += (probs[i] - labels[i]) ** 2;
  return sum / labels.length;
}

/** Per-bin sums over probability bins (equal-width bins are [k/B, (k+1)/B), the last one closed at 1). */
interface ProbabilityBins {
  /** [B] rows per bin. */
  count: Float64Array;
  /** [B] Σ predicted probability per bin. */
  predicted: Float64Array;
  /** [B] Σ label (conversions) per bin. */
  observed: Float64Array;
  /** [B] lowest probability per bin (Infinity when empty). */
  lowest: Float64Array;
  /** [B] highest probability per bin (−Infinity when empty). */
  highest: Float64Array;
}

/**
 * Rows per probability bin: `uniform`, `bins` equal-width bins of [0, 1]; `quantile`, bins
 * between the probabilities' quantiles (numpy's linear percentiles, as scikit-learn's
 * `calibration_curve(strategy="quantile")`), so each holds about as many leads: at a 5 % base
 * rate equal widths put nearly every lead in the first bin. A probability on an edge goes to
 * the lower bin; equal probabilities always share one.
 */
function binByProbability(labels: Labels, probs: Scores, bins: number, strategy: BinStrategy = 'uniform'): ProbabilityBins {
  assertSameLength(labels, probs);
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`bins must be a positive integer, got ${bins}`);
  const result = { count: new Float64Array(bins), predicted: new Float64Array(bins), observed: new Float64Array(bins), lowest: new Float64Array(bins).fill(Infinity), highest: new Float64Array(bins).fill(-Infinity) };
  const binOf = strategy === 'uniform' ? (p: number) => Math.min(bins - 1, Math.max(0, Math.floor(p * bins))) : quantileBinOf(probs, bins);
  for (let i = 0; i < labels.length; i++) {
    const bin = binOf(probs[i]);
    result.count[bin]++;
    result.predicted[bin] += probs[i];
    result.observed[bin] += labels[i];
    result.lowest[bin] = Math.min(result.lowest[bin], probs[i]);
    result.highest[bin] = Math.max(result.highest[bin], probs[i]);
  }
  return result;
}

/** How probabilities are put in bins: equal widths of [0, 1], or equal counts of leads. */
export type BinStrategy = 'uniform' | 'quantile';

/** The quantile bin of a probability among `probs`: how many of the `bins − 1` inner quantile edges lie strictly below it. */
function quantileBinOf(probs: Scores, bins: number): (p: number) => number {
  const sorted = Float64Array.from(probs).sort();
  const n = sorted.length;
  // [bins − 1] inner edges: the (k / bins)-th percentile, linearly interpolated.
  const edges = Array.from({ length: bins - 1 }, (_, j) => {
    const at = ((j + 1) / bins) * (n - 1);
    const below = Math.floor(at);
    return below + 1 < n ? sorted[below] + (at - below) * (sorted[below + 1] - sorted[below]) : sorted[below];
  });
  return (p) => edges.filter((edge) => edge < p).length;
}

/**
 * Expected calibration error: Σ over equal-width bins of (rows in bin / N) · |mean predicted − observed rate|.
 */
export function ece(labels: Labels, probs: Scores, bins = 10): number {
  const { predicted, observed } = binByProbability(labels, probs, bins);
  // (n_b / N) · |Σp/n_b − Σy/n_b| = |Σp − Σy| / N
  let sum = 0;
  for (let b = 0; b < bins; b++) sum += Math.abs(predicted[b] - observed[b]);
  return sum / labels.length;
}

/** The lowest and the highest probability of the leads in a bin: [lowest, highest]. */
export type ProbabilityRange = [number, number];

/**
 * Reliability diagram: [mean predicted, observed rate] for each non-empty bin (`strategy`: equal
 * widths, or equal counts of leads), low to high, how many leads each holds (`leads[i]` for
 * `curve[i]`) and the probabilities it spans (`ranges[i]`): an equal-count top bin can span
 * 22 %–80 % around a mean of 34 %, and a lead at 73 % is in it, not off it by half.
 */
export function calibrationCurve(labels: Labels, probs: Scores, bins: number, strategy: BinStrategy): { curve: CurvePoint[]; leads: number[]; ranges: ProbabilityRange[] } {
  const { count, predicted, observed, lowest, highest } = binByProbability(labels, probs, bins, strategy);
  const curve: CurvePoint[] = [];
  const leads: number[] = [];
  const ranges: ProbabilityRange[] = [];
  for (let b = 0; b < bins; b++) {
    if (count[b] === 0) continue;
    curve.push([predicted[b] / count[b], observed[b] / count[b]]);
    leads.push(count[b]);
    ranges.push([lowest[b], highest[b]]);
  }
  return { curve, leads, ranges };
}

/** At most `maxPoints` points spread evenly along the curve, always keeping the first and the last. */
export function downsampleCurve<T>(points: T[], maxPoints = MAX_CURVE_POINTS): T[] {
  if (points.length <= maxPoints) return points;
  if (maxPoints < 2) throw new Error(`maxPoints must be at least 2, got ${maxPoints}`);
  const kept: T[] = [];
  for (let k = 0; k < maxPoints; k++) kept.push(points[Math.round((k * (points.length - 1)) / (maxPoints - 1))]);
  return kept;
}

/** ROC curve [fpr, tpr] from (0, 0) through every distinct threshold to (1, 1), downsampled. */
export function rocCurve(labels: Labels, scores: Scores, maxPoints = MAX_CURVE_POINTS): CurvePoint[] {
  const steps = thresholdSteps(labels, scores);
  if (steps.positives === 0 || steps.negatives === 0) return [];
  const curve: CurvePoint[] = [[0, 0]];
  for (let d = 0; d < steps.thresholds.length; d++) {
    curve.push([steps.falsePositives[d] / steps.negatives, steps.truePositives[d] / steps.positives]);
  }
  return downsampleCurve(curve, maxPoints);
}

/**
 * Precision–recall curve [recall, precision] from (0, 1) through every distinct threshold,
 * as `sklearn.metrics.precision_recall_curve` read from high threshold to low, downsampled.
 */
export function prCurve(labels: Labels, scores: Scores, maxPoints = MAX_CURVE_POINTS): CurvePoint[] {
  const steps = thresholdSteps(labels, scores);
  if (steps.positives === 0 || steps.negatives === 0) return [];
  const curve: CurvePoint[] = [[0, 1]];
  for (let d = 0; d < steps.thresholds.length; d++) {
    const tp = steps.truePositives[d];
    curve.push([tp / steps.positives, tp / (tp + steps.falsePositives[d])]);
  }
  return downsampleCurve(curve, maxPoints);
}

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  /** tp / (tp + fp); 0 when nothing is called positive (scikit-learn's zero_division=0). */
  precision: number;
  /** tp / (tp + fn); 0 when there are no positives. */
  recall: number;
}

/** Confusion counts when every lead with probability ≥ threshold is called a conversion. */
export function confusionAt(labels: Labels, probs: Scores, threshold: number): Confusion {
  assertSameLength(labels, probs);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const calledPositive = probs[i] >= threshold;
    if (labels[i]) {
      if (calledPositive) tp++;
      else fn++;
    } else if (calledPositive) fp++;
    else tn++;
  }
  return {
    tp,
    fp,
    tn,
    fn,
    precision: tp + fp > 0 ? tp / (tp + fp) : 0,
    recall: tp + fn > 0 ? tp / (tp + fn) : 0,
  };
}

/**
 * Conversion rate in each score decile, best first: [10] numbers.
 *
 * Decile k holds ranks [k·N/10, (k+1)·N/10) of the leads sorted by score. A run of tied
 * scores that straddles a decile boundary is split pro rata, each part converting at the
 * run's rate, so plateaus (e.g. from isotonic calibration) never depend on row order; the
 * same rule makes fractional deciles work when N < 10.
 */
export function liftByDecile(labels: Labels, scores: Scores): number[] {
  const steps = thresholdSteps(labels, scores);
  const rows = labels.length;
  if (rows === 0) return [];
  const decileSize = rows / 10;
  const conversions = new Float64Array(10);
  let start = 0;
  let previousTp = 0;
  for (let d = 0; d < steps.thresholds.length; d++) {
    const end = steps.truePositives[d] + steps.falsePositives[d];
    const runRate = (steps.truePositives[d] - previousTp) / (end - start);
    for (let k = Math.floor(start / decileSize); k < 10 && k * decileSize < end; k++) {
      const overlap = Math.min(end, (k + 1) * decileSize) - Math.max(start, k * decileSize);
      if (overlap > 0) conversions[k] += overlap * runRate;
    }
    start = end;
    previousTp = steps.truePositives[d];
  }
  // Overlaps of fractional deciles sum with rounding: a decile of converted leads only can come to 1.0000000000000004.
  return Array.from(conversions, (c) => Math.min(1, c / decileSize));
}
