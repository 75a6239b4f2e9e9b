import { describe, expect, it } from 'vitest';
import { mulberry32 } from './random';
import { driftLevel, MIN_LEADS_FOR_DRIFT, populationStability, trainingDeciles } from './score-drift';

/** 99 percentiles of a uniform spread on [0, 1]: 0.01, 0.02, …, 0.99. */
const uniform = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);

describe('trainingDeciles', () => {
  it('cuts at the 10th, 20th, …, 90th percentiles, 10 % of the training leads in each bin', () => {
    const { cuts, expected } = trainingDeciles(uniform);
    expect(cuts).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(expected).toHaveLength(10);
    expected.forEach((share) => expect(share).toBeCloseTo(0.1, 12));
  });

  it('merges deciles whose cuts tie, and counts a point mass in the bin that starts at it', () => {
    // 35 % of the training leads at probability 0.02 (the 1st to 35th percentiles): the 10th, 20th and 30th tie.
    const tied = uniform.map((p, i) => (i < 35 ? 0.02 : p));
    const { cuts, expected } = trainingDeciles(tied);
    expect(cuts).toEqual([0.02, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    // Under 0.02: about 1 % (no percentile is); [0.02, 0.4): the point mass and what follows, up to the 40th percentile.
    expect(expected.map((share) => Math.round(share * 100))).toEqual([1, 39, 10, 10, 10, 10, 10, 10]);
    expect(expected.reduce((sum, share) => sum + share, 0)).toBeCloseTo(1, 12);
    // Leads that spread as the training leads did read as stable, ties and all.
    expect(populationStability(expected, [1, 39, 10, 10, 10, 10, 10, 10])).toBeCloseTo(0, 6);
  });

  it('makes one bin above a single cut when every percentile ties', () => {
    const { cuts, expected } = trainingDeciles(Array(99).fill(0.3));
    expect(cuts).toEqual([0.3]);
    expect(expected.map((share) => Math.round(share * 100))).toEqual([1, 99]);
  });

  it('reads percentiles out of order as if sorted', () => {
    expect(trainingDeciles([...uniform].reverse())).toEqual(trainingDeciles(uniform));
  });

  it('refuses anything but 99 percentiles', () => {
    expect(() => trainingDeciles(uniform.slice(1))).toThrow('expected 99 percentiles, got 98');
  });
});

describe('populationStability', () => {
  it('is 0 when the stored leads spread as the training leads did', () => {
    expect(populationStability([0.5, 0.5], [300, 300])).toBe(0);
  });

  it('equals the sum worked by hand', () => {
    // (0.7 − 0.5)·ln(0.7/0.5) + (0.3 − 0.5)·ln(0.3/0.5) = 0.2·0.336472 + 0.2·0.510826 = 0.169460
    expect(populationStability([0.5, 0.5], [70, 30])).toBeCloseTo(0.16946, 5);
  });

  it('gives an empty bin a large but finite term, and no lead NaN', () => {
    // (1 − 0.5)·ln(1/0.5) + (0.0001 − 0.5)·ln(0.0001/0.5) = 0.346574 + 4.257745
    expect(populationStability([0.5, 0.5], [10, 0])).toBeCloseTo(4.60432, 4);
    expect(populationStability([0.5, 0.5], [0, 0])).toBeNaN();
    expect(() => populationStability([0.5, 0.5], [1])).toThrow('1 counts for 2 bins');
  });
});

it('reads a PSI as stable, a moderate or a major shift', () => {
  expect([0, 0.099, 0.1, 0.249, 0.25, 4].map(driftLevel)).toEqual(['stable', 'stable', 'moderate', 'moderate', 'major', 'major']);
});

it(`reads no shift by chance from ${MIN_LEADS_FOR_DRIFT} leads drawn from the training leads' own spread, as it would from far fewer`, () => {
  const random = mulberry32(7);
  const expected = Array(10).fill(0.1);
  /** Share of 400 draws of `n` leads, each in a bin at random as the training leads were, read as a shift. */
  const shiftsReadByChance = (n: number) => {
    let shifts = 0;
    for (let draw = 0; draw < 400; draw++) {
      const counts = Array(10).fill(0);
      for (let i = 0; i < n; i++) counts[Math.floor(random() * 10)]++;
      if (driftLevel(populationStability(expected, counts)) !== 'stable') shifts++;
    }
    return shifts / 400;
  };
  expect(shiftsReadByChance(MIN_LEADS_FOR_DRIFT)).toBeLessThan(0.1);
  expect(shiftsReadByChance(50)).toBeGreaterThan(0.5);
});
