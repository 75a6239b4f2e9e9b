import { describe, expect, it } from 'vitest';
import type { Calibration } from '../manifest';
import { CalibrationSchema } from '../manifest';
import { mulberry32 } from '../random';
import {
  applyCalibration,
  calibratedChange,
  calibratedLogOdds,
  chooseCalibration,
  fitIsotonic,
  fitPlatt,
  ISOTONIC_PROBABILITY_MARGIN as MARGIN,
  ranksNoLeads,
  sigmoid,
} from './calibration';

/** N rows with logits uniform in [−spread, spread] and labels drawn from trueProbability(logit). */
function synthetic(n: number, seed: number, trueProbability: (logit: number) => number, spread = 3) {
  const rand = mulberry32(seed);
  const logits = Float64Array.from({ length: n }, () => (2 * rand() - 1) * spread);
  const labels = Uint8Array.from(logits, (x) => (rand() < trueProbability(x) ? 1 : 0));
  return { labels, logits };
}

// Logits with ties; reference: sklearn 1.2.1 IsotonicRegression and _sigmoid_calibration.
const tiedLogits = [-2, -1.5, -1.5, -1, -0.5, 0, 0, 0, 0.5, 1, 1.5, 2, 2, 2.5];
const tiedLabels = [0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1];

describe('sigmoid', () => {
  it('is exact at 0, symmetric and finite at extremes', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(2) + sigmoid(-2)).toBeCloseTo(1, 15);
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(800)).toBe(1);
  });
});

describe('fitPlatt', () => {
  it('matches sklearn _sigmoid_calibration (Platt targets), sign-flipped to p = sigmoid(a·x + b)', () => {
    const { a, b } = fitPlatt(tiedLabels, tiedLogits);
    // sklearn's BFGS stops with a gradient of ~3e-8, so agreement is to ~1e-8; Newton goes to ~1e-16.
    expect(a).toBeCloseTo(0.4266583220001976, 7);
    expect(b).toBeCloseTo(-0.09013729495106802, 7);
  });

  it('recovers known a and b on synthetic data', () => {
    // 100k rows: the maximum-likelihood estimates' standard errors are about 0.01.
    const { labels, logits } = synthetic(100_000, 11, (x) => sigmoid(1.5 * x - 0.7));
    const { a, b } = fitPlatt(labels, Float32Array.from(logits));
    expect(Math.abs(a - 1.5)).toBeLessThan(0.05);
    expect(Math.abs(b + 0.7)).toBeLessThan(0.05);
  });

  it('stays finite on separable data thanks to target smoothing', () => {
    const { a, b } = fitPlatt([0, 0, 1, 1], [-2, -1, 1, 2]);
    expect(Number.isFinite(a) && Number.isFinite(b)).toBe(true);
    expect(a).toBeGreaterThan(0);
    // Targets 1/4 and 3/4 → the fit cannot be more confident than the smoothed labels say.
    expect(sigmoid(2 * a + b)).toBeLessThan(0.9);
  });

  it('never fits a negative slope: logits that rank the outcome backwards give every row the smoothed base rate', () => {
    // Free fits have a < 0. Constrained to a ≥ 0 the optimum is a = 0 with sigmoid(b) the mean
    // smoothed target: (2 · 3/4 + 2 · 1/4) / 4 = 1/2 here, and (2/3 + 3 · 1/5) / 4 = 19/60 below.
    expect(fitPlatt([1, 1, 0, 0], [-2, -1, 1, 2])).toEqual({ a: 0, b: 0 });
    const { a, b } = fitPlatt([1, 0, 0, 0], [-1, 0, 1, 2]);
    expect(a).toBe(0);
    expect(b).toBeCloseTo(Math.log(19 / 41), 14);
  });

  it('gives a ≥ 0 on weakly anti-correlated synthetic data, where the free fit was clearly negative', () => {
    const { labels, logits } = synthetic(1000, 5, (x) => sigmoid(-0.3 * x - 1));
    expect(fitPlatt(labels, logits).a).toBe(0);
  });
});

describe('ranksNoLeads', () => {
  it('is true for a calibration that maps every logit to one probability', () => {
    expect(ranksNoLeads({ kind: 'platt', a: 0, b: -1 })).toBe(true);
    expect(ranksNoLeads({ kind: 'isotonic', logits: [-1, 2], probabilities: [0.2, 0.2] })).toBe(true);
    expect(ranksNoLeads({ kind: 'platt', a: 0.01, b: -1 })).toBe(false);
    expect(ranksNoLeads({ kind: 'isotonic', logits: [-1, 2], probabilities: [0.2, 0.3] })).toBe(false);
    expect(ranksNoLeads({ kind: 'none' })).toBe(false);
  });
});

describe('fitIsotonic', () => {
  it('pools adjacent violators by hand', () => {
    // Labels 0 1 0 0 1 1 at logits 1…6: the violating run 1 0 0 pools to 1/3.
    expect(fitIsotonic([0, 1, 0, 0, 1, 1], [1, 2, 3, 4, 5, 6])).toEqual({
      logits: [1, 2, 4, 5, 6],
      probabilities: [MARGIN, 1 / 3, 1 / 3, 1 - MARGIN, 1 - MARGIN],
    });
  });

  it('weights tied logits by their rows, as sklearn IsotonicRegression', () => {
    const knots = fitIsotonic(tiedLabels, tiedLogits);
    expect(knots.logits).toEqual([-2, -1.5, -1, -0.5, 0.5, 1, 2, 2.5]);
    // sklearn y_thresholds_ [0, 1/3, 1/3, 0.4, 0.4, 0.75, 0.75, 1], ends clamped off 0 and 1.
    const expected = [MARGIN, 1 / 3, 1 / 3, 0.4, 0.4, 0.75, 0.75, 1 - MARGIN];
    knots.probabilities.forEach((p, i) => expect(p).toBeCloseTo(expected[i], 15));
  });

  it('drops knots that clamping makes redundant, and keeps two knots for one logit', () => {
    expect(fitIsotonic([0, 0, 0, 1], [1, 2, 3, 4])).toEqual({ logits: [1, 3, 4], probabilities: [MARGIN, MARGIN, 1 - MARGIN] });
    expect(fitIsotonic([0, 1, 1, 0], [0.3, 0.3, 0.3, 0.3])).toEqual({ logits: [-0.2, 0.8], probabilities: [0.5, 0.5] });
  });

  it('is monotone with strictly increasing logits and valid for the manifest', () => {
    const { labels, logits } = synthetic(3000, 2, (x) => sigmoid(x));
    const knots = fitIsotonic(labels, logits);
    expect(knots.logits.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < knots.logits.length; i++) {
      expect(knots.logits[i]).toBeGreaterThan(knots.logits[i - 1]);
      expect(knots.probabilities[i]).toBeGreaterThanOrEqual(knots.probabilities[i - 1]);
    }
    expect(Math.min(...knots.probabilities)).toBeGreaterThan(0);
    expect(Math.max(...knots.probabilities)).toBeLessThan(1);
    const cal = CalibrationSchema.parse({ kind: 'isotonic', ...knots });
    let previous = 0;
    for (let x = -4; x <= 4; x += 0.01) {
      const p = applyCalibration(cal, x);
      expect(p).toBeGreaterThanOrEqual(previous);
      previous = p;
    }
  });
});

describe('applyCalibration', () => {
  it('applies each manifest kind', () => {
    expect(applyCalibration({ kind: 'none' }, 0)).toBe(0.5);
    expect(applyCalibration({ kind: 'platt', a: 2, b: -1 }, 0.5)).toBe(0.5);
    expect(applyCalibration({ kind: 'platt', a: 2, b: -1 }, 1)).toBeCloseTo(sigmoid(1), 15);
  });

  it('interpolates isotonic knots linearly and clamps at the ends', () => {
    const cal: Calibration = { kind: 'isotonic', logits: [-1, 0, 2], probabilities: [0.1, 0.2, 0.6] };
    expect(applyCalibration(cal, -5)).toBe(0.1);
    expect(applyCalibration(cal, -1)).toBe(0.1);
    expect(applyCalibration(cal, -0.5)).toBeCloseTo(0.15, 15);
    expect(applyCalibration(cal, 0)).toBe(0.2);
    expect(applyCalibration(cal, 1)).toBeCloseTo(0.4, 15);
    expect(applyCalibration(cal, 2)).toBe(0.6);
    expect(applyCalibration(cal, 9)).toBe(0.6);
  });
});

describe('calibratedLogOdds and calibratedChange', () => {
  const logOdds = (p: number) => Math.log(p / (1 - p));

  it('are linear for Platt and none, exactly, at any logit', () => {
    expect(calibratedLogOdds({ kind: 'none' }, -3)).toBe(-3);
    expect(calibratedLogOdds({ kind: 'platt', a: 0.5, b: -1 }, 4)).toBe(1);
    // far past where a probability still tells its log-odds apart
    expect(calibratedLogOdds({ kind: 'platt', a: 0.5, b: -1 }, -80)).toBe(-41);
    expect(calibratedChange({ kind: 'platt', a: 0.5, b: -1 }, 123, 2)).toBe(1);
    expect(calibratedChange({ kind: 'none' }, 0.1, 0.6)).toBe(0.6);
  });

  it('read isotonic calibration through its probability, finite where that is 0 or 1', () => {
    const cal: Calibration = { kind: 'isotonic', logits: [-1, 0, 2], probabilities: [0, 0.2, 1] };
    expect(calibratedLogOdds(cal, 1)).toBeCloseTo(logOdds(0.6), 12);
    expect(calibratedChange(cal, 0, 1)).toBeCloseTo(logOdds(0.6) - logOdds(0.2), 12);
    expect(calibratedLogOdds(cal, 5)).toBeCloseTo(logOdds(1 - 1e-9), 6);
    expect(calibratedLogOdds(cal, -5)).toBeCloseTo(logOdds(1e-9), 6);
  });
});

describe('chooseCalibration', () => {
  it('picks isotonic when the relation is a step no logistic curve fits', () => {
    const { labels, logits } = synthetic(4000, 3, (x) => (x < 0 ? 0.1 : 0.7));
    const choice = chooseCalibration(labels, logits);
    expect(choice.calibration.kind).toBe('isotonic');
    expect(choice.heldOutLogLoss.isotonic).toBeLessThan(choice.heldOutLogLoss.platt);
  });

  it('picks Platt on few rows that follow a logistic curve', () => {
    const { labels, logits } = synthetic(150, 4, (x) => sigmoid(0.8 * x));
    const choice = chooseCalibration(labels, logits);
    expect(choice.calibration).toEqual({ kind: 'platt', ...fitPlatt(labels, logits) });
    expect(choice.heldOutLogLoss.platt).toBeLessThan(choice.heldOutLogLoss.isotonic);
  });

  it('never inverts the ranking: logits anti-correlated with the outcome get the base rate, not a falling curve', () => {
    const { labels, logits } = synthetic(300, 6, (x) => sigmoid(-0.3 * x - 1));
    const choice = chooseCalibration(labels, logits);
    expect(choice.calibration).toEqual({ kind: 'platt', a: 0, b: fitPlatt(labels, logits).b });
    expect(ranksNoLeads(choice.calibration)).toBe(true);
    expect(choice.heldOutLogLoss.platt).toBeLessThan(choice.heldOutLogLoss.isotonic);
  });

  it('is deterministic and refits the winner on all rows', () => {
    const { labels, logits } = synthetic(4000, 3, (x) => (x < 0 ? 0.1 : 0.7));
    const choice = chooseCalibration(labels, logits);
    expect(chooseCalibration(labels, logits)).toEqual(choice);
    expect(choice.calibration).toEqual({ kind: 'isotonic', ...fitIsotonic(labels, logits) });
  });
});
