import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import {
  brier,
  calibrationCurve,
  confusionAt,
  downsampleCurve,
  ece,
  liftByDecile,
  logLoss,
  orderByScoreDescending,
  prAuc,
  prCurve,
  rocAuc,
  rocAucDifferenceStandardError,
  rocAucOfPlacements,
  rocAucPlacements,
  rocAucStandardError,
  rocCurve,
  thresholdSteps,
  type CurvePoint,
} from './metrics';

// 16 leads with tied scores. Reference values from scikit-learn 1.2.1 on these vectors.
const labels = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0];
const scores = [0.92, 0.81, 0.81, 0.73, 0.64, 0.64, 0.64, 0.42, 0.37, 0.37, 0.21, 0.18, 0.12, 0.12, 0.05, 0.03];
const SKLEARN = {
  rocAuc: 0.6507936507936508,
  averagePrecision: 0.6363945578231293,
  logLoss: 0.7495330052288751,
  brier: 0.25495,
  // roc_curve(drop_intermediate=False): [fpr, tpr]
  roc: [
    [0, 0], [0, 0.14285714285714285], [0.1111111111111111, 0.2857142857142857], [0.1111111111111111, 0.42857142857142855],
    [0.3333333333333333, 0.5714285714285714], [0.4444444444444444, 0.5714285714285714],
    [0.5555555555555556, 0.7142857142857143], [0.6666666666666666, 0.7142857142857143],
    [0.6666666666666666, 0.8571428571428571], [0.8888888888888888, 0.8571428571428571],
    [0.8888888888888888, 1], [1, 1],
  ],
  // precision_recall_curve, reversed: [recall, precision]
  pr: [
    [0, 1], [0.14285714285714285, 1], [0.2857142857142857, 0.6666666666666666], [0.42857142857142855, 0.75],
    [0.5714285714285714, 0.5714285714285714], [0.5714285714285714, 0.5], [0.7142857142857143, 0.5],
    [0.7142857142857143, 0.45454545454545453], [0.8571428571428571, 0.5], [0.8571428571428571, 0.42857142857142855],
    [1, 0.4666666666666667], [1, 0.4375],
  ],
  // calibration_curve(n_bins=4): [prob_pred, prob_true]
  calibration4: [
    [0.11833333333333335, 0.3333333333333333], [0.38666666666666667, 0.3333333333333333],
    [0.6625000000000001, 0.5], [0.8466666666666667, 0.6666666666666666],
  ],
  // calibration_curve(n_bins=4, strategy="quantile")
  calibrationQuantile4: [[0.08, 0.25], [0.2825, 0.5], [0.585, 0.25], [0.8175, 0.75]],
};

function expectCurveClose(actual: CurvePoint[], expected: number[][]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach(([x, y], i) => {
    expect(x).toBeCloseTo(expected[i][0], 12);
    expect(y).toBeCloseTo(expected[i][1], 12);
  });
}

describe('ranking metrics', () => {
  it('matches the scikit-learn documentation example by hand', () => {
    // Pairs (pos, neg): 0.35>0.1 ✓, 0.35<0.4 ✗, 0.8>0.1 ✓, 0.8>0.4 ✓ → 3/4.
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    // Ranks: 0.8 (pos, P=1), 0.4 (neg), 0.35 (pos, P=2/3) → (1 + 2/3) / 2.
    expect(prAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(5 / 6, 15);
  });

  it('gives ties half credit, equal to sklearn roc_auc_score', () => {
    expect(rocAuc(labels, scores)).toBeCloseTo(SKLEARN.rocAuc, 14);
    expect(rocAuc([1, 0], [0.5, 0.5])).toBe(0.5);
  });

  it('equals sklearn average_precision_score', () => {
    expect(prAuc(labels, scores)).toBeCloseTo(SKLEARN.averagePrecision, 14);
  });

  it('accepts typed arrays and depends only on order', () => {
    const typedLabels = Uint8Array.from(labels);
    const logits = Float32Array.from(scores, (p) => Math.log(p / (1 - p)));
    expect(rocAuc(typedLabels, logits)).toBeCloseTo(SKLEARN.rocAuc, 14);
    expect(prAuc(typedLabels, Float64Array.from(scores))).toBeCloseTo(SKLEARN.averagePrecision, 14);
  });

  it('is NaN without both classes and rejects mismatched lengths', () => {
    expect(rocAuc([1, 1], [0.2, 0.4])).toBeNaN();
    expect(prAuc([0, 0], [0.2, 0.4])).toBeNaN();
    expect(() => rocAuc([1, 0], [0.2])).toThrow(/2 rows/);
  });

  it('groups tied scores into one threshold step', () => {
    const steps = thresholdSteps([1, 0, 1, 0], [0.5, 0.5, 0.9, 0.1]);
    expect(Array.from(steps.thresholds)).toEqual([0.9, 0.5, 0.1]);
    expect(Array.from(steps.truePositives)).toEqual([1, 2, 2]);
    expect(Array.from(steps.falsePositives)).toEqual([0, 1, 2]);
    expect(Array.from(orderByScoreDescending([0.5, 0.5, 0.9, 0.1]))).toEqual([2, 0, 1, 3]);
  });
});

describe('probability metrics', () => {
  it('equals sklearn log_loss and brier_score_loss', () => {
    expect(logLoss(labels, scores)).toBeCloseTo(SKLEARN.logLoss, 14);
    expect(brier(labels, scores)).toBeCloseTo(SKLEARN.brier, 14);
  });

  it('clips log loss at 1e-15', () => {
    expect(logLoss([1, 0], [0, 1])).toBeCloseTo(-Math.log(1e-15), 6);
    expect(Number.isFinite(logLoss([1], [0]))).toBe(true);
  });

  it('computes ECE by hand', () => {
    // Bins of 0.1: {0.05 | y 0}, {0.15, 0.15 | 0, 1}, {0.85 | 1}, {0.95 | 1}
    // (1·0.05 + 2·|0.15 − 0.5| + 1·0.15 + 1·0.05) / 5 = 0.19
    const probs = [0.05, 0.15, 0.15, 0.85, 0.95];
    const outcome = [0, 0, 1, 1, 1];
    expect(ece(outcome, probs)).toBeCloseTo(0.19, 14);
    expect(calibrationCurve(outcome, probs, 10, 'uniform')).toEqual({
      curve: [
        [0.05, 0],
        [0.15, 0.5],
        [0.85, 1],
        [0.95, 1],
      ],
      leads: [1, 2, 1, 1],
      ranges: [
        [0.05, 0.05],
        [0.15, 0.15],
        [0.85, 0.85],
        [0.95, 0.95],
      ],
    });
    // Two bins: [0, 0.5) mean p 0.35/3 vs 1/3; [0.5, 1] mean p 0.9 vs 1 → (|0.35 − 1| + |1.8 − 2|) / 5
    expect(ece(outcome, probs, 2)).toBeCloseTo(0.17, 14);
  });

  it('is zero for a perfectly calibrated bin and puts p = 1 in the last bin', () => {
    expect(ece([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0);
    expect(calibrationCurve([1, 1], [1, 1], 10, 'uniform')).toEqual({ curve: [[1, 1]], leads: [2], ranges: [[1, 1]] });
  });

  it('equals sklearn calibration_curve (uniform bins)', () => {
    expectCurveClose(calibrationCurve(labels, scores, 4, 'uniform').curve, SKLEARN.calibration4);
  });

  it('equals sklearn calibration_curve (quantile bins), tied scores in one bin', () => {
    expectCurveClose(calibrationCurve(labels, scores, 4, 'quantile').curve, SKLEARN.calibrationQuantile4);
    expect(calibrationCurve(labels, scores, 4, 'quantile').leads).toEqual([4, 4, 4, 4]);
    // Three bins by hand: edges at the 1/3 and 2/3 percentiles, 0.21 and 0.64 exactly, each in the bin below it
    // (scikit-learn's percentile of 33.33… % falls a rounding error below 0.21 and moves it up).
    expectCurveClose(calibrationCurve(labels, scores, 3, 'quantile').curve, [[0.71 / 6, 2 / 6], [3.08 / 6, 2 / 6], [0.8175, 0.75]]);
    expect(calibrationCurve(labels, scores, 3, 'quantile').leads).toEqual([6, 6, 4]);
  });

  it("records each quantile bin's lowest and highest probability, edges in the bin below them", () => {
    // Four bins of four sorted scores: 0.03–0.12 | 0.18–0.37 | 0.42–0.64 | 0.73–0.92.
    expect(calibrationCurve(labels, scores, 4, 'quantile').ranges).toEqual([[0.03, 0.12], [0.18, 0.37], [0.42, 0.64], [0.73, 0.92]]);
    // Three bins, edges 0.21 and 0.64 each closing the bin below: {0.03 … 0.21}, {0.37, 0.37, 0.42, 0.64 ×3}, {0.73 … 0.92}.
    expect(calibrationCurve(labels, scores, 3, 'quantile').ranges).toEqual([[0.03, 0.21], [0.37, 0.64], [0.73, 0.92]]);
    // A wide top bin: its mean (0.34) lies far below its highest lead (0.8), which the range keeps.
    const { curve, ranges } = calibrationCurve([0, 0, 0, 1], [0.1, 0.1, 0.22, 0.8], 2, 'quantile');
    expectCurveClose(curve, [[0.1, 0], [0.51, 0.5]]);
    expect(ranges).toEqual([[0.1, 0.1], [0.22, 0.8]]);
    // Uniform bins too: [0, 0.5) and [0.5, 1].
    expect(calibrationCurve([0, 1, 1], [0.05, 0.3, 0.6], 2, 'uniform').ranges).toEqual([[0.05, 0.3], [0.6, 0.6]]);
  });

  it('spreads leads over quantile bins at a low base rate, where equal widths put them all in one', () => {
    // 1,000 leads scored 1 % that convert at 9 % and 1,000 scored 9 % that convert at 1 %: reversed.
    const probs = [...Array(1000).fill(0.01), ...Array(1000).fill(0.09)];
    const outcome = [...Array.from({ length: 1000 }, (_, i) => (i < 90 ? 1 : 0)), ...Array.from({ length: 1000 }, (_, i) => (i < 10 ? 1 : 0))];
    expect(calibrationCurve(outcome, probs, 10, 'uniform').curve).toHaveLength(1);
    const { curve, leads } = calibrationCurve(outcome, probs, 10, 'quantile');
    expect(leads).toEqual([1000, 1000]);
    expectCurveClose(curve, [[0.01, 0.09], [0.09, 0.01]]);
    expect(calibrationCurve(outcome, probs, 10, 'quantile').ranges).toEqual([[0.01, 0.01], [0.09, 0.09]]);
  });
});

describe('curves', () => {
  it('ROC curve equals sklearn roc_curve without dropped points', () => {
    expectCurveClose(rocCurve(labels, scores), SKLEARN.roc);
  });

  it('PR curve equals sklearn precision_recall_curve', () => {
    expectCurveClose(prCurve(labels, scores), SKLEARN.pr);
  });

  it('downsamples to at most 200 points, keeping both ends', () => {
    const rand = mulberry32(3);
    const n = 5000;
    const y = Uint8Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0));
    const s = Float64Array.from(y, (label) => rand() + 0.5 * label);
    const roc = rocCurve(y, s);
    expect(roc).toHaveLength(200);
    expect(roc[0]).toEqual([0, 0]);
    expect(roc[199]).toEqual([1, 1]);
    for (let i = 1; i < roc.length; i++) {
      expect(roc[i][0]).toBeGreaterThanOrEqual(roc[i - 1][0]);
      expect(roc[i][1]).toBeGreaterThanOrEqual(roc[i - 1][1]);
    }
    const pr = prCurve(y, s, 50);
    expect(pr).toHaveLength(50);
    expect(pr[0]).toEqual([0, 1]);
    expect(pr[49][0]).toBe(1);
    expect(pr[49][1]).toBeCloseTo(y.reduce((a, b) => a + b, 0) / n, 14);
  });

  it('downsampleCurve spreads kept points evenly', () => {
    const points = Array.from({ length: 10 }, (_, i): CurvePoint => [i, i]);
    expect(downsampleCurve(points, 4).map(([x]) => x)).toEqual([0, 3, 6, 9]);
    expect(downsampleCurve(points, 20)).toBe(points);
  });

  it('returns empty curves without both classes', () => {
    expect(rocCurve([0, 0], [0.1, 0.2])).toEqual([]);
    expect(prCurve([1, 1], [0.1, 0.2])).toEqual([]);
  });
});

describe('confusionAt', () => {
  it('counts p ≥ threshold as called positive', () => {
    // ≥ 0.64: labels 1,0,1,1,0,0,1 → tp 4, fp 3; 7 positives, 9 negatives in all.
    expect(confusionAt(labels, scores, 0.64)).toEqual({ tp: 4, fp: 3, tn: 6, fn: 3, precision: 4 / 7, recall: 4 / 7 });
  });

  it('reports zero precision when nothing is called positive', () => {
    expect(confusionAt([1, 0], [0.2, 0.1], 0.5)).toEqual({ tp: 0, fp: 0, tn: 1, fn: 1, precision: 0, recall: 0 });
  });
});

describe('liftByDecile', () => {
  it('gives each decile its conversion rate, best first', () => {
    // 20 leads, distinct scores descending; deciles are consecutive pairs.
    const y = [1, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    const s = y.map((_, i) => 1 - i / 20);
    expect(liftByDecile(y, s)).toEqual([1, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0, 0]);
  });

  it('splits a tied run across deciles at the run rate', () => {
    // 10 leads: one top lead (converted), then 9 tied leads with 3 conversions → rate 1/3 each.
    const y = [1, 1, 0, 0, 1, 0, 0, 1, 0, 0];
    const s = [0.9, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
    const lift = liftByDecile(y, s);
    expect(lift[0]).toBe(1);
    lift.slice(1).forEach((rate) => expect(rate).toBeCloseTo(1 / 3, 14));
  });

  it('gives no decile a rate above 1 where fractional deciles of converted leads only sum with rounding', () => {
    // 11 leads, the best 7 converted: decile 6 spans leads 5.5–6.6, all converted (its overlaps summed to 1.0000000000000004).
    const y = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0];
    const lift = liftByDecile(y, y.map((_, i) => 1 - i / 11));
    expect(lift.slice(0, 6)).toEqual([1, 1, 1, 1, expect.closeTo(1, 14), 1]);
    expect(Math.max(...lift)).toBeLessThanOrEqual(1);
  });

  it('handles fewer than 10 leads with fractional deciles', () => {
    // 5 leads → deciles of half a lead: each lead fills two deciles.
    expect(liftByDecile([1, 0, 1, 0, 0], [0.9, 0.8, 0.7, 0.6, 0.5])).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0]);
  });

  it('is the base rate everywhere when all scores tie', () => {
    liftByDecile([1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1], new Float64Array(12)).forEach((rate) =>
      expect(rate).toBeCloseTo(0.25, 14),
    );
  });
});

describe('rocAucStandardError', () => {
  it('matches Hanley & McNeil (1982), computed by hand', () => {
    // Q1 = A / (2 − A), Q2 = 2A² / (1 + A), SE² = (A(1 − A) + (n1 − 1)(Q1 − A²) + (n2 − 1)(Q2 − A²)) / (n1 n2).
    expect(rocAucStandardError(0.7, 20, 165)).toBeCloseTo(0.06811742468609555, 12);
    expect(rocAucStandardError(0.9, 100, 400)).toBeCloseTo(0.021160103969498828, 12);
    expect(rocAucStandardError(0.5, 1, 1)).toBeCloseTo(0.5, 12);
  });

  it('shrinks as the test set grows', () => {
    expect(rocAucStandardError(0.8, 400, 1600)).toBeLessThan(rocAucStandardError(0.8, 100, 400) / 1.9);
  });
});

describe('rocAucPlacements', () => {
  it('counts, for each row, its pairs with the other outcome that the scores put in order, a tie counting half', () => {
    // Converted rows 0 and 1, unconverted rows 2 and 3: row 0 (4) is above both unconverted rows, row 1 (2) above row 3 (1) only;
    // row 2 (3) has row 0 above it, row 3 (1) both. Ties: row 1 and row 2 both at 3 count half each.
    expect(Array.from(rocAucPlacements([1, 1, 0, 0], [4, 2, 3, 1]).pairsInOrder)).toEqual([2, 1, 1, 2]);
    expect(Array.from(rocAucPlacements([1, 1, 0, 0], [4, 3, 3, 1]).pairsInOrder)).toEqual([2, 1.5, 1.5, 2]);
    expect(rocAucPlacements([1, 1, 0, 0], [4, 2, 3, 1])).toMatchObject({ positives: 2, negatives: 2 });
  });

  it('gives every pair as a count over all pairs would, and a ROC-AUC equal to rocAuc’s to the last digit', () => {
    const random = mulberry32(7);
    const rows = 300;
    const randomLabels = Array.from({ length: rows }, () => (random() < 0.2 ? 1 : 0));
    // Scores on a coarse grid, so runs of ties mix both outcomes.
    const randomScores = randomLabels.map((label) => Math.round((random() + 0.3 * label) * 20) / 20);
    const { pairsInOrder } = rocAucPlacements(randomLabels, randomScores);
    randomLabels.forEach((label, row) => {
      let pairs = 0;
      randomLabels.forEach((other, column) => {
        if (other === label) return;
        const [converted, unconverted] = label ? [row, column] : [column, row];
        pairs += randomScores[converted] > randomScores[unconverted] ? 1 : randomScores[converted] === randomScores[unconverted] ? 0.5 : 0;
      });
      expect(pairsInOrder[row]).toBe(pairs);
    });
    expect(rocAucOfPlacements(rocAucPlacements(randomLabels, randomScores))).toBe(rocAuc(randomLabels, randomScores));
    expect(rocAucOfPlacements(rocAucPlacements(labels, scores))).toBe(SKLEARN.rocAuc);
  });

  it('counts nothing, and has no ROC-AUC, without both outcomes', () => {
    const placements = rocAucPlacements([1, 1, 1], [0.3, 0.2, 0.3]);
    expect(Array.from(placements.pairsInOrder)).toEqual([0, 0, 0]);
    expect(rocAucOfPlacements(placements)).toBeNaN();
  });
});

describe('rocAucDifferenceStandardError', () => {
  // 14 leads, two scorings with ties within and across outcomes. DeLong's covariance computed with
  // numpy from its definition over every pair, and again by scipy's midranks (Sun & Xu):
  // ROC-AUCs [0.71875, 0.6666666666666666], covariance [[0.02008308531746032, 0.00458829365079365], [·, 0.02730654761904762]].
  const delongLabels = [1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0];
  const first = rocAucPlacements(delongLabels, [0.9, 0.8, 0.7, 0.7, 0.7, 0.3, 0.6, 0.2, 0.6, 0.5, 0.1, 0.5, 0.4, 0.4]);
  const second = rocAucPlacements(delongLabels, [0.8, 0.4, 0.9, 0.3, 0.5, 0.5, 0.7, 0.1, 0.2, 0.6, 0.3, 0.6, 0.2, 0.9]);
  // A scoring that ties every lead: its placements never move, so the difference moves as the other figure alone.
  const tiesAll = rocAucPlacements(delongLabels, new Float64Array(delongLabels.length));

  it('matches DeLong’s covariance computed independently', () => {
    expect(rocAucOfPlacements(first)).toBe(0.71875);
    expect(rocAucOfPlacements(second)).toBeCloseTo(0.6666666666666666, 15);
    // √(0.02008… + 0.02730… − 2 · 0.00458…)
    expect(rocAucDifferenceStandardError(first, second)).toBeCloseTo(0.19548157364549892, 12);
    expect(rocAucDifferenceStandardError(second, first)).toBeCloseTo(0.19548157364549892, 12);
    // √0.02008… and √0.02730…: each figure's own DeLong standard error.
    expect(rocAucDifferenceStandardError(first, tiesAll)).toBeCloseTo(0.14171480274643264, 12);
    expect(rocAucDifferenceStandardError(tiesAll, second)).toBeCloseTo(0.16524692922728584, 12);
  });

  it('is √(1/8) on four leads, by hand', () => {
    // Placements as shares: the first scoring's converted rows 1 and ½, unconverted ½ and 1; the second's all 1.
    // Differences 0 and −½ on either side: sample variance ⅛, over 2 rows each: ⅛ / 2 + ⅛ / 2.
    const fourLabels = [1, 1, 0, 0];
    expect(rocAucDifferenceStandardError(rocAucPlacements(fourLabels, [4, 2, 3, 1]), rocAucPlacements(fourLabels, [4, 3, 2, 1]))).toBeCloseTo(Math.sqrt(1 / 8), 15);
  });

  it('is 0 between two scorings in the same order', () => {
    expect(rocAucDifferenceStandardError(first, rocAucPlacements(delongLabels, [9, 8, 7, 7, 7, 3, 6, 2, 6, 5, 1, 5, 4, 4]))).toBe(0);
  });

  it('is far below the two figures’ errors taken as independent when the scorings rank alike', () => {
    const random = mulberry32(11);
    const rows = 2000;
    const outcomes = Array.from({ length: rows }, () => (random() < 0.3 ? 1 : 0));
    const shared = outcomes.map((label) => label + 1.5 * (random() - 0.5) * 2);
    const active = rocAucPlacements(outcomes, shared);
    const better = rocAucPlacements(outcomes, shared.map((score, row) => score + 0.2 * outcomes[row] + 0.2 * (random() - 0.5)));
    // Each figure's own error, against a scoring that ties every lead; about 0.015 combined, against 0.002 paired.
    const tied = rocAucPlacements(outcomes, new Float64Array(rows));
    const independent = Math.hypot(rocAucDifferenceStandardError(active, tied), rocAucDifferenceStandardError(better, tied));
    expect(rocAucDifferenceStandardError(better, active)).toBeLessThan(independent / 3);
  });

  it('is NaN with fewer than two rows of either outcome, and refuses scorings of different outcomes', () => {
    expect(rocAucDifferenceStandardError(rocAucPlacements([1, 0, 0], [3, 2, 1]), rocAucPlacements([1, 0, 0], [1, 2, 3]))).toBeNaN();
    expect(rocAucDifferenceStandardError(rocAucPlacements([1, 1], [3, 2]), rocAucPlacements([1, 1], [1, 2]))).toBeNaN();
    expect(() => rocAucDifferenceStandardError(first, rocAucPlacements([...delongLabels].reverse(), new Float64Array(delongLabels.length)))).toThrow(/different outcomes/);
  });
});
