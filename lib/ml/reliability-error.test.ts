import { describe, expect, it } from 'vitest';
import { describeReliabilityError, reliabilityError } from './reliability-error';
import { calibrationCurve, ece } from './train/metrics';

describe('reliabilityError', () => {
  it('is the count-weighted mean of |observed − predicted| over the bins', () => {
    // (100 · 0.01 + 300 · 0.08 + 100 · 0.06) / 500 = 31 / 500
    const result = reliabilityError({ calibration: [[0.05, 0.04], [0.12, 0.2], [0.3, 0.36]], calibrationLeads: [100, 300, 100] });
    expect(result?.error).toBeCloseTo(0.062, 12);
    expect(result).toMatchObject({ groups: 3, leads: 500 });
  });

  it('sees a miscalibration the equal-width ECE cannot when every lead is under 10 %', () => {
    // 2 % conversion: half the leads scored 0.01 %, half 3.99 %, each half converting at 2 %. Their
    // mean is the base rate, and all are in the first equal-width bin: that ECE is 0.
    const probabilities = Float64Array.from({ length: 100 }, (_, i) => (i < 50 ? 0.0001 : 0.0399));
    const labels = Uint8Array.from({ length: 100 }, (_, i) => (i === 0 || i === 50 ? 1 : 0));
    expect(ece(labels, probabilities)).toBeCloseTo(0, 12);
    const { curve, leads } = calibrationCurve(labels, probabilities, 10, 'quantile');
    // Two groups of 50: (50 · |0.02 − 0.0001| + 50 · |0.02 − 0.0399|) / 100 = 0.0199
    const result = reliabilityError({ calibration: curve, calibrationLeads: leads });
    expect(result?.error).toBeCloseTo(0.0199, 12);
    expect(result).toMatchObject({ groups: 2, leads: 100 });
  });

  it('is null for a model without bins, or without their lead counts', () => {
    expect(reliabilityError({ calibration: [[0.05, 0.04]] })).toBeNull();
    expect(reliabilityError({ calibration: [], calibrationLeads: [] })).toBeNull();
    expect(reliabilityError({})).toBeNull();
  });
});

describe('describeReliabilityError', () => {
  it('says the figure, over how many groups of how many leads, and what it measures', () => {
    expect(describeReliabilityError({ error: 0.062, groups: 10, leads: 20_004 })).toBe(
      '6.2 percentage points: the leads trained on, each scored by a model that did not learn from it, are put in 10 groups of about 2,000 leads by likelihood, lowest to highest; ' +
        "this is how far each group's mean likelihood is from the share of it that converted, averaged over the groups by their lead count",
    );
  });

  it('says the groups are of the 20 % of leads held out for a model trained with one holdout, not every lead trained on', () => {
    const calibration: [number, number][] = [[0.05, 0.04], [0.12, 0.2]];
    const holdout = reliabilityError({ calibration, calibrationLeads: [200, 200], folds: 1 })!;
    expect(describeReliabilityError(holdout)).toBe(
      '4.5 percentage points: the 20% of leads held out, scored by a model that did not learn from them, are put in 2 groups of about 200 leads by likelihood, lowest to highest; ' +
        "this is how far each group's mean likelihood is from the share of it that converted, averaged over the groups by their lead count",
    );
    // Cross-validated, or a model that does not say: every lead trained on.
    for (const folds of [5, undefined]) {
      expect(describeReliabilityError(reliabilityError({ calibration, calibrationLeads: [200, 200], folds })!)).toMatch(/^4\.5 percentage points: the leads trained on, each scored by a model that did not learn from it, are put in 2 groups/);
    }
  });

  it('keeps two significant digits below 10 points (gaps are tenths of a point at a low base rate), whole ones above', () => {
    const figure = (error: number) => describeReliabilityError({ error, groups: 10, leads: 1000 }).split(' percentage points')[0];
    expect(figure(0.0032)).toBe('0.32');
    expect(figure(0.00047)).toBe('0.047');
    expect(figure(0.0126)).toBe('1.3');
    expect(figure(0.1234)).toBe('12');
    expect(figure(0.00004)).toBe('under 0.01');
  });

  it('says one percentage point in the singular, as a gap rounded to it reads', () => {
    const figure = (error: number) => describeReliabilityError({ error, groups: 10, leads: 1000 }).split(':')[0];
    expect(figure(0.01)).toBe('1 percentage point');
    expect(figure(0.00996)).toBe('1 percentage point');
    expect(figure(0.011)).toBe('1.1 percentage points');
    expect(figure(0.005)).toBe('0.5 percentage points');
  });
});
