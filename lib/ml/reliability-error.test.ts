import { describe, expect, it } from 'vitest';
import { mulberry32 } from './random';
import { binomialMeanAbsoluteDeviation, chanceReliabilityError, describeReliabilityError, reliabilityError, type ReliabilityError } from './reliability-error';
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

  it('comes with what a perfectly calibrated model would show over the same bins', () => {
    const result = reliabilityError({ calibration: [[0.5, 0.4], [0.2, 0.6]], calibrationLeads: [2, 5] });
    expect(result?.chance).toEqual(chanceReliabilityError([{ probability: 0.5, leads: 2 }, { probability: 0.2, leads: 5 }]));
  });

  it('is null for a model without bins, or without their lead counts', () => {
    expect(reliabilityError({ calibration: [[0.05, 0.04]] })).toBeNull();
    expect(reliabilityError({ calibration: [], calibrationLeads: [] })).toBeNull();
    expect(reliabilityError({})).toBeNull();
  });
});

describe('binomialMeanAbsoluteDeviation', () => {
  it('is E|X − np| of a binomial, counted by hand on small ones', () => {
    // One lead: |1 − p| with chance p, |0 − p| with chance 1 − p: 2p(1 − p).
    expect(binomialMeanAbsoluteDeviation(1, 0.1)).toBeCloseTo(0.18, 12);
    // Two at 1/2: 0, 1, 2 conversions with chances 1/4, 1/2, 1/4, each 1, 0, 1 from 1.
    expect(binomialMeanAbsoluteDeviation(2, 0.5)).toBeCloseTo(0.5, 12);
    // Five at 0.2 (np = 1): 0.32768 · 1 + 0.4096 · 0 + 0.2048 · 1 + 0.0512 · 2 + 0.0064 · 3 + 0.00032 · 4.
    expect(binomialMeanAbsoluteDeviation(5, 0.2)).toBeCloseTo(0.65536, 12);
    expect(binomialMeanAbsoluteDeviation(10, 0)).toBe(0);
    expect(binomialMeanAbsoluteDeviation(10, 1)).toBe(0);
  });

  it('matches the sum over every count, at a low base rate and past where the binomial coefficient overflows', () => {
    const bySummingEveryCount = (n: number, p: number) => {
      let logChance = n * Math.log1p(-p); // of no conversion
      let sum = 0;
      for (let x = 0; x <= n; x++) {
        sum += Math.exp(logChance) * Math.abs(x - n * p);
        logChance += Math.log((n - x) / (x + 1)) + Math.log(p) - Math.log1p(-p);
      }
      return sum;
    };
    for (const [n, p] of [[200, 0.01], [100, 0.005], [300, 0.29], [3000, 0.5]]) {
      expect(binomialMeanAbsoluteDeviation(n, p)).toBeCloseTo(bySummingEveryCount(n, p), 9);
    }
  });

  it('tends to the normal approximation √(2/π)·√(np(1 − p)) on many leads, which misses it by several percent in a bin expecting a conversion or two', () => {
    const normal = (n: number, p: number) => Math.sqrt(2 / Math.PI) * Math.sqrt(n * p * (1 - p));
    expect(binomialMeanAbsoluteDeviation(5000, 0.3) / normal(5000, 0.3)).toBeCloseTo(1, 3);
    expect(normal(200, 0.01) / binomialMeanAbsoluteDeviation(200, 0.01)).toBeGreaterThan(1.04);
    expect(normal(100, 0.005) / binomialMeanAbsoluteDeviation(100, 0.005)).toBeLessThan(0.93);
  });
});

describe('chanceReliabilityError', () => {
  it('is the mean and standard error of a perfectly calibrated model’s calibration error, from a small bin table by hand', () => {
    // Bins of 2 leads at 0.5, 1 at 0.1, 5 at 0.2 (8 leads). A bin's gap |X/n − p| weighs n/8: Σ E|X − np| / 8.
    //   E|X − np| = 0.5, 0.18, 0.65536 (above): (0.5 + 0.18 + 0.65536) / 8 = 0.16692.
    //   Var|X − np| = np(1 − p) − (E|X − np|)² = 0.5 − 0.25, 0.09 − 0.0324, 0.8 − 0.4294967296:
    //   0.25 + 0.0576 + 0.3705032704 = 0.6781032704, over 8² leads².
    const chance = chanceReliabilityError([{ probability: 0.5, leads: 2 }, { probability: 0.1, leads: 1 }, { probability: 0.2, leads: 5 }]);
    expect(chance.error).toBeCloseTo(0.16692, 12);
    expect(chance.standardError).toBeCloseTo(Math.sqrt(0.6781032704) / 8, 12);
  });

  it('is what the calibration error of leads converting at exactly their probabilities comes to, on average', () => {
    // 10 bins of 200 leads from 1% to 30%, drawn 2,000 times.
    const bins = Array.from({ length: 10 }, (_, i) => ({ probability: 0.01 + (0.29 * i) / 9, leads: 200 }));
    const random = mulberry32(7);
    const errors = Array.from({ length: 2000 }, () => {
      const calibration = bins.map(({ probability, leads }): [number, number] => {
        let converted = 0;
        for (let lead = 0; lead < leads; lead++) if (random() < probability) converted++;
        return [probability, converted / leads];
      });
      return reliabilityError({ calibration, calibrationLeads: bins.map(({ leads }) => leads) })!.error;
    });
    const mean = errors.reduce((sum, error) => sum + error, 0) / errors.length;
    const standardDeviation = Math.sqrt(errors.reduce((sum, error) => sum + (error - mean) ** 2, 0) / (errors.length - 1));
    const chance = chanceReliabilityError(bins);
    // The mean of 2,000 draws is within a few of its standard errors (σ / √2000) of the truth.
    expect(Math.abs(mean - chance.error)).toBeLessThan((3 * chance.standardError) / Math.sqrt(errors.length));
    expect(standardDeviation / chance.standardError).toBeCloseTo(1, 1);
  });
});

describe('describeReliabilityError', () => {
  /** A chance the figures below are far above, for the tests of the figure alone. */
  const NO_CHANCE: ReliabilityError['chance'] = { error: 0, standardError: 0 };

  it('says the figure, over how many groups of how many leads, and what it measures', () => {
    expect(describeReliabilityError({ error: 0.062, groups: 10, leads: 20_004, chance: { error: 0.0041, standardError: 0.0006 } })).toBe(
      '6.2 percentage points: the leads trained on, each scored by a model that did not learn from it, are put in 10 groups of about 2,000 leads by likelihood, lowest to highest; ' +
        "this is how far each group's mean likelihood is from the share of it that converted, averaged over the groups by their lead count; " +
        'a perfectly calibrated model would show about 0.41 percentage points on this many leads: this is more than chance alone gives, 95% of the time',
    );
  });

  it('says the groups are of the 20 % of leads held out for a model trained with one holdout, not every lead trained on', () => {
    const calibration: [number, number][] = [[0.05, 0.04], [0.12, 0.2]];
    const holdout = reliabilityError({ calibration, calibrationLeads: [200, 200], folds: 1 })!;
    expect(describeReliabilityError(holdout)).toBe(
      '4.5 percentage points: the 20% of leads held out, scored by a model that did not learn from them, are put in 2 groups of about 200 leads by likelihood, lowest to highest; ' +
        "this is how far each group's mean likelihood is from the share of it that converted, averaged over the groups by their lead count; " +
        'a perfectly calibrated model would show about 1.5 percentage points on this many leads: this is more than chance alone gives, 95% of the time',
    );
    // Cross-validated, or a model that does not say: every lead trained on.
    for (const folds of [5, undefined]) {
      expect(describeReliabilityError(reliabilityError({ calibration, calibrationLeads: [200, 200], folds })!)).toMatch(/^4\.5 percentage points: the leads trained on, each scored by a model that did not learn from it, are put in 2 groups/);
    }
  });

  it('keeps two significant digits below 10 points (gaps are tenths of a point at a low base rate), whole ones above', () => {
    const figure = (error: number) => describeReliabilityError({ error, groups: 10, leads: 1000, chance: NO_CHANCE }).split(' percentage points')[0];
    expect(figure(0.0032)).toBe('0.32');
    expect(figure(0.00047)).toBe('0.047');
    expect(figure(0.0126)).toBe('1.3');
    expect(figure(0.1234)).toBe('12');
    expect(figure(0.00004)).toBe('under 0.01');
  });

  it('says one percentage point in the singular, as a gap rounded to it reads', () => {
    const figure = (error: number) => describeReliabilityError({ error, groups: 10, leads: 1000, chance: NO_CHANCE }).split(':')[0];
    expect(figure(0.01)).toBe('1 percentage point');
    expect(figure(0.00996)).toBe('1 percentage point');
    expect(figure(0.011)).toBe('1.1 percentage points');
    expect(figure(0.005)).toBe('0.5 percentage points');
  });

  it('says a figure is within what chance alone gives up to a perfectly calibrated model’s mean plus twice its standard error', () => {
    // The reviewer's 2,000 leads: 1.2–2 points shown, where leads converting at their true probabilities showed 1.1–2.4.
    const chanceSaid = (error: number) => describeReliabilityError({ error, groups: 10, leads: 2000, chance: { error: 0.017, standardError: 0.0043 } }).split('; ').at(-1);
    expect(chanceSaid(0.0198)).toBe('a perfectly calibrated model would show about 1.7 percentage points on this many leads: this is within what chance alone gives, 95% of the time');
    expect(chanceSaid(0.017 + 2 * 0.0043)).toMatch(/: this is within what chance alone gives, 95% of the time$/);
    expect(chanceSaid(0.0257)).toMatch(/: this is more than chance alone gives, 95% of the time$/);
    // Below a hundredth of a point it is not "about" anything.
    expect(describeReliabilityError({ error: 0.002, groups: 10, leads: 1000, chance: { error: 0.00004, standardError: 0.00001 } })).toMatch(
      /; a perfectly calibrated model would show under 0\.01 percentage points on this many leads: this is more than chance alone gives, 95% of the time$/,
    );
  });
});
