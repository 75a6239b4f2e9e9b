/**
 * Calibration: the map from the model's raw logit to the probability reps see. Fitted on
 * out-of-fold logits (never on logits of rows the model was trained on, which are
 * over-confident). The kinds and their formulas are the manifest's `Calibration`.
 */
import type { Calibration } from '../manifest';
import { trainValidSplit } from './splits';
import { assertSameLength, countPositives, logLoss, orderByScoreDescending, type Labels, type Scores } from './metrics';

/** 1 / (1 + e^−z), without overflow for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** log(1 + e^z), without overflow for large |z|. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

const PLATT_MAX_ITERATIONS = 100;
/** Stop when the Newton decrement says less than this much summed log loss is left to gain. */
const PLATT_TOLERANCE = 1e-20;
/**
 * Below this decrement Newton is in its quadratic regime: the full step is safe, and loss
 * differences are smaller than the rounding of the summed loss, so the line search is skipped.
 */
const PLATT_FULL_STEP_DECREMENT = 1e-8;

/**
 * Platt scaling: p = sigmoid(a · logit + b), fitted by Newton's method with a backtracking
 * line search (Lin, Lin & Weng 2007). Targets are Platt's smoothed labels (N₊+1)/(N₊+2) and
 * 1/(N₋+2) instead of 1 and 0, so a separable or tiny data set still gives finite a, b.
 *
 * The slope is constrained to a ≥ 0: a model with no real signal can have out-of-fold logits
 * slightly anti-correlated with the outcome by chance, and a < 0 would then turn its ranking
 * upside down on new leads. The loss is convex, so when the free fit has a < 0 the constrained
 * optimum has a = 0, and b is the log-odds of the mean smoothed target: every lead gets the
 * (smoothed) base rate.
 */
export function fitPlatt(labels: Labels, logits: Scores): { a: number; b: number } {
  assertSameLength(labels, logits);
  const positives = countPositives(labels);
  const negatives = labels.length - positives;
  const targetPositive = (positives + 1) / (positives + 2);
  const targetNegative = 1 / (negatives + 2);
  const target = (i: number) => (labels[i] ? targetPositive : targetNegative);
  // Cross-entropy against the smoothed targets: Σ softplus(z) − t·z with z = a·x + b.
  const loss = (a: number, b: number) => {
    let sum = 0;
    for (let i = 0; i < logits.length; i++) {
      const z = a * logits[i] + b;
      sum += softplus(z) - target(i) * z;
    }
    return sum;
  };

  let a = 0;
  let b = Math.log((positives + 1) / (negatives + 1));
  let currentLoss = loss(a, b);
  for (let iteration = 0; iteration < PLATT_MAX_ITERATIONS; iteration++) {
    let gradA = 0;
    let gradB = 0;
    let hessAA = 1e-12; // a tiny ridge keeps the 2×2 system solvable when all logits are equal
    let hessAB = 0;
    let hessBB = 1e-12;
    for (let i = 0; i < logits.length; i++) {
      const x = logits[i];
      const p = sigmoid(a * x + b);
      const residual = p - target(i);
      const weight = p * (1 - p);
      gradA += residual * x;
      gradB += residual;
      hessAA += weight * x * x;
      hessAB += weight * x;
      hessBB += weight;
    }
    const determinant = hessAA * hessBB - hessAB * hessAB;
    const stepA = -(hessBB * gradA - hessAB * gradB) / determinant;
    const stepB = -(hessAA * gradB - hessAB * gradA) / determinant;
    const slope = gradA * stepA + gradB * stepB; // = −(Newton decrement)², ≤ 0
    if (-slope / 2 < PLATT_TOLERANCE) break;
    let accepted = false;
    for (let fraction = 1; fraction >= 1e-10; fraction /= 2) {
      const candidateLoss = loss(a + fraction * stepA, b + fraction * stepB);
      const fullStepIsSafe = fraction === 1 && -slope < PLATT_FULL_STEP_DECREMENT;
      if (fullStepIsSafe || candidateLoss <= currentLoss + 1e-4 * fraction * slope) {
        a += fraction * stepA;
        b += fraction * stepB;
        currentLoss = candidateLoss;
        accepted = true;
        break;
      }
    }
    if (!accepted) break; // no further decrease is representable: converged to rounding
  }
  if (a < 0) {
    const meanTarget = (positives * targetPositive + negatives * targetNegative) / labels.length;
    return { a: 0, b: Math.log(meanTarget / (1 - meanTarget)) };
  }
  return { a, b };
}

/**
 * Isotonic knots never reach 0 or 1: a lead is never "certain", and one surprise in the
 * bottom or top plateau costs at most ln(1000) ≈ 6.9 in log loss instead of infinity.
 */
export const ISOTONIC_PROBABILITY_MARGIN = 1e-3;

/** A pooled run of adjacent distinct logits sharing one fitted probability. */
interface IsotonicBlock {
  firstLogit: number;
  lastLogit: number;
  rows: number;
  conversions: number;
}

/**
 * Isotonic regression of the label on the logit by pool-adjacent-violators, with rows of
 * equal logit pooled first (so each distinct logit weighs as many rows as it has).
 *
 * Knots: each pooled block contributes its first and last logit at the block's conversion
 * rate (same points as sklearn's IsotonicRegression X_thresholds_ / y_thresholds_), then
 * probabilities are clamped by {@link ISOTONIC_PROBABILITY_MARGIN} and knots inside a flat
 * run dropped. Logits strictly increase, probabilities never decrease, at least 2 knots.
 */
export function fitIsotonic(labels: Labels, logits: Scores): { logits: number[]; probabilities: number[] } {
  assertSameLength(labels, logits);
  if (logits.length === 0) throw new Error('isotonic calibration needs at least one row');
  const blocks: IsotonicBlock[] = [];
  for (const group of groupsOfEqualLogit(labels, logits)) {
    blocks.push(group);
    // Pool backwards while the order is violated. Equal rates pool too, so every block
    // boundary is a rise. Rates compare by cross-multiplying integer counts: no rounding.
    while (blocks.length >= 2) {
      const tail = blocks[blocks.length - 1];
      const before = blocks[blocks.length - 2];
      if (before.conversions * tail.rows < tail.conversions * before.rows) break;
      before.lastLogit = tail.lastLogit;
      before.rows += tail.rows;
      before.conversions += tail.conversions;
      blocks.pop();
    }
  }
  return isotonicKnots(blocks);
}

/** One block per distinct logit, ascending. */
function groupsOfEqualLogit(labels: Labels, logits: Scores): IsotonicBlock[] {
  const ascending = orderByScoreDescending(logits).reverse();
  const groups: IsotonicBlock[] = [];
  ascending.forEach((row) => {
    const last = groups[groups.length - 1];
    if (last !== undefined && last.firstLogit === logits[row]) {
      last.rows++;
      last.conversions += labels[row];
    } else {
      groups.push({ firstLogit: logits[row], lastLogit: logits[row], rows: 1, conversions: labels[row] });
    }
  });
  return groups;
}

function isotonicKnots(blocks: IsotonicBlock[]): { logits: number[]; probabilities: number[] } {
  const points: [number, number][] = [];
  for (const block of blocks) {
    const rate = block.conversions / block.rows;
    const probability = Math.min(1 - ISOTONIC_PROBABILITY_MARGIN, Math.max(ISOTONIC_PROBABILITY_MARGIN, rate));
    points.push([block.firstLogit, probability]);
    if (block.lastLogit > block.firstLogit) points.push([block.lastLogit, probability]);
  }
  if (points.length === 1) {
    // One distinct logit: a constant, stated over a unit interval so there are two knots.
    const [logit, probability] = points[0];
    points.splice(0, 1, [logit - 0.5, probability], [logit + 0.5, probability]);
  }
  // Clamping can flatten neighbouring blocks: keep only the ends of each flat run.
  const kept = points.filter(
    ([, p], i) => i === 0 || i === points.length - 1 || p !== points[i - 1][1] || p !== points[i + 1][1],
  );
  return { logits: kept.map(([x]) => x), probabilities: kept.map(([, p]) => p) };
}

/**
 * Whether `cal` maps every logit to one probability (Platt with a = 0, isotonic with one
 * plateau): the model then ranks no lead above another.
 */
export function ranksNoLeads(cal: Calibration): boolean {
  if (cal.kind === 'platt') return cal.a === 0;
  return cal.kind === 'isotonic' && cal.probabilities.every((p) => p === cal.probabilities[0]);
}

/** The calibrated probability of one raw logit, exactly as the exported ONNX graph computes it. */
export function applyCalibration(cal: Calibration, logit: number): number {
  return cal.kind === 'isotonic' ? interpolateKnots(cal.logits, cal.probabilities, logit) : sigmoid(calibratedLogOdds(cal, logit));
}

/**
 * The log-odds of the calibrated probability of one raw logit: the odds a rep reads. Exact and
 * linear for Platt (a · logit + b) and none (the logit); for isotonic the log-odds of its
 * probability, finite where that is 0 or 1.
 */
export function calibratedLogOdds(cal: Calibration, logit: number): number {
  switch (cal.kind) {
    case 'none':
      return logit;
    case 'platt':
      return cal.a * logit + cal.b;
    case 'isotonic': {
      const p = Math.min(1 - 1e-9, Math.max(1e-9, applyCalibration(cal, logit)));
      return Math.log(p / (1 - p));
    }
  }
}

/**
 * What adding `change` to the raw logit `logit` adds to the calibrated log-odds
 * (`calibratedLogOdds`): for Platt a · change and for none the change itself, at any logit.
 */
export function calibratedChange(cal: Calibration, logit: number, change: number): number {
  if (cal.kind === 'isotonic') return calibratedLogOdds(cal, logit + change) - calibratedLogOdds(cal, logit);
  return cal.kind === 'platt' ? cal.a * change : change;
}

/** Piecewise-linear through (knotX[i], knotY[i]), flat beyond the first and last knot. */
function interpolateKnots(knotX: readonly number[], knotY: readonly number[], x: number): number {
  const last = knotX.length - 1;
  if (x <= knotX[0]) return knotY[0];
  if (x >= knotX[last]) return knotY[last];
  // Binary search for the segment knotX[low] ≤ x < knotX[low + 1].
  let low = 0;
  let high = last;
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    if (knotX[mid] <= x) low = mid;
    else high = mid;
  }
  const t = (x - knotX[low]) / (knotX[low + 1] - knotX[low]);
  return knotY[low] + t * (knotY[low + 1] - knotY[low]);
}

function calibrateAll(cal: Calibration, logits: Scores): Float64Array {
  return Float64Array.from(logits, (logit) => applyCalibration(cal, logit));
}

export interface CalibrationChoice {
  calibration: Calibration;
  /** Mean log loss of each candidate on rows it was not fitted on (see {@link chooseCalibration}). */
  heldOutLogLoss: { platt: number; isotonic: number };
}

/**
 * Picks Platt or isotonic calibration for out-of-fold logits [N].
 *
 * Rule: split the rows into two stratified halves (seeded); fit both candidates on one half
 * and score their log loss on the other, then swap the halves, so every row is scored once
 * by a map that did not see it. The candidate with the lower mean held-out log loss wins;
 * a tie goes to Platt (two parameters, smooth, overfits less). The winner is then refitted on
 * all rows. Isotonic wins when the logit→probability relation is not a logistic curve and
 * there are enough rows to see it; Platt wins on small or already well-shaped data. Neither
 * candidate ever decreases with the logit: where the logits do not rank the outcome, Platt is
 * the base rate (a = 0) and isotonic pools into few steps, and the base rate wins unless the
 * steps predict the other half better.
 */
export function chooseCalibration(labels: Labels, oofLogits: Scores, seed = 0): CalibrationChoice {
  assertSameLength(labels, oofLogits);
  const fitters = {
    platt: (y: Labels, x: Scores): Calibration => ({ kind: 'platt', ...fitPlatt(y, x) }),
    isotonic: (y: Labels, x: Scores): Calibration => ({ kind: 'isotonic', ...fitIsotonic(y, x) }),
  };
  const { train, valid } = trainValidSplit(labels, 0.5, seed);
  const [first, second] = [train, valid].map((rows) => ({
    labels: Uint8Array.from(rows, (row) => labels[row]),
    logits: Float64Array.from(rows, (row) => oofLogits[row]),
  }));
  if (first.labels.length === 0 || second.labels.length === 0) {
    throw new Error('too few rows to choose a calibration: each half of the split needs at least one');
  }
  const heldOut = { platt: 0, isotonic: 0 };
  for (const kind of ['platt', 'isotonic'] as const) {
    for (const [fitOn, scoreOn] of [[first, second], [second, first]]) {
      const cal = fitters[kind](fitOn.labels, fitOn.logits);
      // Weighted by half size so the sum over both halves is the mean over all rows.
      heldOut[kind] += (logLoss(scoreOn.labels, calibrateAll(cal, scoreOn.logits)) * scoreOn.labels.length) / labels.length;
    }
  }
  const winner = heldOut.isotonic < heldOut.platt ? 'isotonic' : 'platt';
  return { calibration: fitters[winner](labels, oofLogits), heldOutLogLoss: heldOut };
}
