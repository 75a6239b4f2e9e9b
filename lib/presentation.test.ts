import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inTimeZone } from '@/test/time-zone';
import type { SyncSummary } from './messaging/protocol-sync';
import { describeCalibrationBand } from './ml/calibration-band';
import {
  describeLikelihood,
  fewSignalsInWords,
  formatDistinctRates,
  formatDay,
  formatMoney,
  formatProbability,
  formatProbabilityWithTiers,
  nameOrFallback,
  formatRate,
  formatThreshold,
  formatShares,
  formatVersusAverage,
  lastSyncOutcome,
  oddsFactor,
  percentText,
  percentWithTiers,
  planOutcomeInWords,
  probabilityRiseInWords,
  reasonInWords,
  strengthOf,
  strongestReasons,
  topReasons,
} from './presentation';

describe('percentText', () => {
  // The side panel at 320–400 px broke "scored 5.8 %–7.8 %" after "5.8" and "36 % converted" after "36": the space was a break opportunity.
  it('writes the sign right after the figure, as en-US does: "5.8%", no space to break a line at', () => {
    expect(percentText(5.8)).toBe('5.8%');
    expect(percentText('7.0')).toBe('7.0%');
    expect(percentText(0)).toBe('0%');
  });

  it('never writes a tiny percentage in exponent notation, which JavaScript gives any number under 0.000001', () => {
    expect(percentText(5e-7)).toBe('0.0000005%');
    expect(percentText(-1.25e-8)).toBe('-0.0000000125%');
    // A value policy's thresholds at $0.0001 a contact and $1,000,000,000,000 a conversion; a capacity cut as low.
    expect(formatThreshold(1e-16)).toBe('0.00000000000001%');
    expect(formatThreshold(5e-9)).toBe('0.0000005%');
    expect(formatRate(1.234e-10)).toBe('0.000000012%');
  });

  it('is how every percentage the side panel and the options page show is written, ranges and ends too', () => {
    const tiers = { hot: 0.2167, warm: 0.1033 };
    const said = [
      ...[0, 0.0004, 0.0151, 0.058, 0.1033, 0.36, 0.4996, 0.995, 1].flatMap((p) => [formatProbability(p), formatProbabilityWithTiers(p, tiers), formatRate(p), formatThreshold(p), describeLikelihood(p, 0.1, tiers)]),
      ...probabilityRiseInWords(0.1052, 0.1099, tiers),
      ...formatShares([7, 99993, 0]),
      ...formatShares([50, 950]),
      ...formatDistinctRates([0.0121, 0.0124]),
      describeCalibrationBand({ predicted: 0.068, observed: 0.36, leads: 500, range: [0.058, 0.078] }),
    ];
    expect(said).toContain('Of the 500 leads the model scored 5.8%–7.8%, 36% converted (training data).');
    expect(said).toContain('10.33%');
    for (const text of said) {
      expect(text, text).toMatch(/\d%/);
      // Every sign follows a digit at once: no space of any kind, breaking or not, between them.
      expect(text, text).not.toMatch(/\D%/);
    }
  });
});

describe('formatProbability', () => {
  it.each([
    [0, '<0.1%'],
    [0.0004, '<0.1%'],
    [0.004, '0.4%'],
    [0.0043, '0.43%'],
    [0.0151, '1.5%'],
    [0.12, '12%'],
    [0.125, '13%'],
    [0.995, '>99%'],
    [1, '>99%'],
  ])('%f → %s', (p, text) => expect(formatProbability(p)).toBe(text));

  it('writes a lead as formatRate writes a rate, from 0.1% to 99%: one decimal below 10%, whole percents from 10%', () => {
    // A lead of 1.51% read "2%" beside its calibration band's "1.1%–1.9%"; its figure reads inside any range of rates it lies in.
    for (let p = 0.001; p <= 0.99; p *= 1.001) expect(formatProbability(p), `p = ${p}`).toBe(formatRate(p));
  });
});

describe('formatProbabilityWithTiers', () => {
  const halfAndTenth = { hot: 0.5, warm: 0.1 };

  it.each([
    [0.004, '0.4%'],
    [0.0151, '1.5%'],
    [0.12, '12%'],
    [0.3, '30%'],
    [0.4949, '49%'],
    [0.5, '50%'],
    [0.50001, '50%'],
    [0.995, '>99%'],
  ])('reads as formatProbability does where that agrees with the tiers (hot from 50%, warm from 10%): %f → %s', (p, text) => {
    expect(formatProbabilityWithTiers(p, halfAndTenth)).toBe(text);
  });

  it('reads a warm lead just under "hot from 50%" below 50%, with the fewest decimals that do', () => {
    // 49.96% reads "50%" in whole percents and "50.0%" with one decimal
    expect(formatProbabilityWithTiers(0.4996, halfAndTenth)).toBe('49.96%');
    expect(formatProbabilityWithTiers(0.496, halfAndTenth)).toBe('49.6%');
    // the same on the warm threshold: a cold lead of 9.96% is not "10%"
    expect(formatProbabilityWithTiers(0.0996, halfAndTenth)).toBe('9.96%');
  });

  it('stops at two decimals, rounded toward the lead\'s side of the threshold', () => {
    // 49.999% rounds to 50.00%
    expect(formatProbabilityWithTiers(0.49999, halfAndTenth)).toBe('49.99%');
    expect(formatProbabilityWithTiers(0.4999999, halfAndTenth)).toBe('49.99%');
  });

  it('reads a hot lead of 2.4% under "hot from 2.3%" as "2.4%", not "2%"', () => {
    const tiers = { hot: 0.023, warm: 0.01 };
    expect(formatProbabilityWithTiers(0.024, tiers)).toBe('2.4%');
    expect(formatProbabilityWithTiers(0.0234, tiers)).toBe('2.3%');
    expect(formatProbabilityWithTiers(0.023, tiers)).toBe('2.3%');
    // a warm lead's one decimal reads the threshold: two do not
    expect(formatProbabilityWithTiers(0.0229, tiers)).toBe('2.29%');
  });

  it('reads a lead below a threshold written with a decimal below it: 2.6% under "warm from 2.7%" is not "3%"', () => {
    expect(formatProbabilityWithTiers(0.026, { hot: 0.2, warm: 0.027 })).toBe('2.6%');
    // 2.69% reads "2.7%" with one decimal
    expect(formatProbabilityWithTiers(0.0269, { hot: 0.027, warm: 0.01 })).toBe('2.69%');
  });

  it('writes a threshold to two decimals (four significant digits below 10%), so a lead between a rounded threshold and its own does not read against it', () => {
    // A value policy's or a capacity cut's threshold is rarely round: "warm from 10%" for 10.32% read against a cold lead of 10.1%.
    expect(formatThreshold(0.1032)).toBe('10.32%');
    expect(formatProbabilityWithTiers(0.101, { hot: 0.5, warm: 0.1032 })).toBe('10%');
    expect(formatProbabilityWithTiers(0.1035, { hot: 0.5, warm: 0.1032 })).toBe('10.35%');
    expect(formatThreshold(0.5)).toBe('50%');
    expect(formatThreshold(10 / 300)).toBe('3.333%');
    expect(formatThreshold(0.008)).toBe('0.8%');
  });

  it('reads a lead on either side of a threshold written rounded (50.0404% and 50.0396% as "50.04%") on its own side', () => {
    expect(formatThreshold(0.500404)).toBe('50.04%');
    // warm, just below 50.0404%: whole percents read below "50.04%"
    expect(formatProbabilityWithTiers(0.500402, { hot: 0.500404, warm: 0.1 })).toBe('50%');
    // hot, just above 50.0396%: "50.04%", not "50%"
    expect(formatProbabilityWithTiers(0.500398, { hot: 0.500396, warm: 0.1 })).toBe('50.04%');
  });

  it('does not hide a threshold under 0.1% behind "<0.1%": warm from 0.03%', () => {
    const tiers = { hot: 0.05, warm: 0.008 };
    expect(formatProbabilityWithTiers(0.009, tiers)).toBe('0.9%');
    expect(formatProbabilityWithTiers(0.005, tiers)).toBe('0.5%');
    expect(formatProbabilityWithTiers(0.0004, tiers)).toBe('<0.1%');
    // warm from 0.1%: "<0.1%" is below it
    expect(formatProbabilityWithTiers(0.00095, { hot: 0.05, warm: 0.001 })).toBe('<0.1%');
    // warm from 0.03%: three decimals are needed, one more than it is written with
    expect(formatProbabilityWithTiers(0.00029, { hot: 0.05, warm: 0.0003 })).toBe('0.029%');
    expect(formatProbabilityWithTiers(0.00002, { hot: 0.05, warm: 0.0003 })).toBe('<0.01%');
  });

  it('does not hide a threshold over 99% behind ">99%"', () => {
    // hot from 99.25%: a hot lead of 99.3% reads so, not ">99%" (which 99.1% would be too); a warm one of 99.2% below it
    expect(formatProbabilityWithTiers(0.993, { hot: 0.9925, warm: 0.5 })).toBe('99.3%');
    expect(formatProbabilityWithTiers(0.992, { hot: 0.9925, warm: 0.5 })).toBe('99.2%');
    // hot from 99.6%: 99.7% is hot, 99.3% is not
    expect(formatProbabilityWithTiers(0.997, { hot: 0.996, warm: 0.5 })).toBe('99.7%');
    expect(formatProbabilityWithTiers(0.993, { hot: 0.996, warm: 0.5 })).toBe('99.3%');
    // with no threshold near: the end
    expect(formatProbabilityWithTiers(0.993, { hot: 0.5, warm: 0.1 })).toBe('>99%');
  });

  /**
   * What a reading says of the value it stands for: a point, or anything under ("<1%") or over
   * (">99%") a bound; `holds(percent)`: whether it is true of `percent` (a point within one unit
   * of its last digit: rounded, or rounded toward a threshold's side).
   */
  function reading(text: string): { atLeast: (value: number) => boolean; below: (value: number) => boolean; holds: (percent: number) => boolean } {
    const number = Number.parseFloat(text.replace(/^[<>]/, ''));
    if (text.startsWith('<')) return { atLeast: (value) => value <= 0, below: (value) => number <= value, holds: (percent) => percent < number };
    if (text.startsWith('>')) return { atLeast: (value) => number >= value, below: (value) => value >= 100, holds: (percent) => percent > number && percent < 100 };
    const unit = 10 ** -(text.split('%')[0].split('.')[1]?.length ?? 0);
    return { atLeast: (value) => number >= value, below: (value) => number < value, holds: (percent) => Math.abs(number - percent) < unit };
  }

  it('is true of the lead and never contradicts a threshold as formatRate writes it where that is exact, near any threshold', () => {
    const thresholds = [0, 0.0003, 0.0012, 0.008, 0.01, 0.0235, 0.025, 0.027, 0.0999, 0.1, 0.2345, 0.31415, 0.5, 0.5004, 0.9925, 0.996, 1];
    const offsets = [-0.01, -0.001, -0.0001, -0.00001, -1e-7, 0, 1e-7, 0.00001, 0.0001, 0.001, 0.01];
    let checked = 0;
    for (const hot of thresholds) {
      for (const warm of thresholds.filter((threshold) => threshold <= hot && formatRate(threshold) !== formatRate(hot))) {
        for (const threshold of [hot, warm]) {
          for (const p of offsets.map((offset) => threshold + offset).filter((p) => p >= 0 && p <= 1)) {
            const text = formatProbabilityWithTiers(p, { hot, warm });
            const shown = reading(text);
            const why = `p = ${p}, hot ${hot}, warm ${warm}: ${text}`;
            expect(shown.holds(p * 100), why).toBe(true);
            for (const t of [hot, warm]) {
              const written = Number.parseFloat(formatRate(t));
              // A threshold written rounded (50.004% as "50%") has leads between the two that no true figure reads apart from it.
              if (Math.abs(written - t * 100) < 1e-9) expect(p >= t ? shown.atLeast(written) : shown.below(written), why).toBe(true);
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it('reads a lead on its side of each threshold as the admin reads it (formatThreshold), where its hundredfold is not exact or it is written rounded', () => {
    // 0.55 × 100 is 55.00000000000001, 0.07 × 100 is 7.000000000000001: a warm lead just under read "55%" under "hot from 55%"
    expect(formatProbabilityWithTiers(0.54996, { hot: 0.55, warm: 0.2 })).toBe('54.99%');
    expect(formatProbabilityWithTiers(0.0699999944, { hot: 0.5, warm: 0.07 })).toBe('6.99%');
    // the probability just under 0.1, whose hundredfold is 10
    expect(formatProbabilityWithTiers(0.09999999999999999, halfAndTenth)).toBe('9.99%');
    const thresholds = [0.0007, 0.066, 0.07, 0.14, 0.28, 0.2836, 0.5, 0.500396, 0.500404, 0.55, 0.56, 0.826212402898818, 0.9925];
    // 82.6212% is written "82.62%", 50.0396% "50.04%"
    expect(thresholds.map(formatThreshold)).toContain('82.62%');
    const offsets = [-0.001, -0.0001, -0.00002, -0.00001, -0.000004, -1e-7, -1e-12, 0, 1e-7, 0.000004, 0.00001, 0.0001, 0.001];
    let checked = 0;
    for (const hot of thresholds) {
      for (const warm of thresholds.filter((threshold) => threshold < hot && formatThreshold(threshold) !== formatThreshold(hot))) {
        for (const p of [hot, warm].flatMap((threshold) => offsets.map((offset) => threshold + offset)).filter((p) => p >= 0 && p <= 1)) {
          const text = formatProbabilityWithTiers(p, { hot, warm });
          const shown = reading(text);
          const why = `p = ${p}, hot ${formatThreshold(hot)} (${hot}), warm ${formatThreshold(warm)} (${warm}): ${text}`;
          expect(shown.holds(p * 100), why).toBe(true);
          for (const threshold of [hot, warm]) {
            const written = Number.parseFloat(formatThreshold(threshold));
            if (p >= threshold) expect(shown.atLeast(written), why).toBe(true);
            // A lead below a threshold but not below it as written (50.0402% under 50.0404%, "50.04%") has no true figure that reads below it.
            else if (p < Number((written / 100).toFixed(12))) expect(shown.below(written), why).toBe(true);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(2000);
  });
});

describe('probabilityRiseInWords', () => {
  const halfAndFifth = { hot: 0.5, warm: 0.2 };

  it('writes before word for word as the header does, after as it would', () => {
    // Before: "1.5% → 2%" beside a header of "2% likely".
    expect(probabilityRiseInWords(0.0151, 0.0189, halfAndFifth)).toEqual(['1.5%', '1.9%']);
    expect(probabilityRiseInWords(0.004, 0.0135, { hot: 0.5, warm: 0.012 })).toEqual(['0.4%', '1.4%']);
  });

  it('reads after above the header\'s figure where the two would read alike, with the fewest decimals that do, below the threshold ahead', () => {
    expect(probabilityRiseInWords(0.0146, 0.0153, halfAndFifth)).toEqual(['1.5%', '1.53%']);
    // 21.46% is not "21.5%" under "hot from 21.5%"
    expect(probabilityRiseInWords(0.2065, 0.2146, { warm: 0.1, hot: 0.215 })).toEqual(['21%', '21.46%']);
  });

  it('says in points a rise that lies within the rounding of the header\'s figure, never an after that reads below it', () => {
    // 10.52% and 10.99% both read "11%": "11% → 10.99%" would read as a fall.
    expect(probabilityRiseInWords(0.1052, 0.1099, halfAndFifth)).toEqual(['11%', '11% (+0.47 percentage points)']);
  });

  it('keeps before as the header writes it, and after apart above it and on its side of each threshold, for any rise', () => {
    const figure = (text: string) => Number.parseFloat(text.replace(/^[<>]/, ''));
    const logOdds = (p: number) => Math.log(p / (1 - p));
    const tierSets = [halfAndFifth, { hot: 0.215, warm: 0.1 }, { hot: 0.023, warm: 0.008 }, { hot: 0.9925, warm: 0.5004 }];
    let checked = 0;
    for (const tiers of tierSets) {
      for (let before = 0.0005; before < 0.995; before *= 1.003) {
        for (const rise of [0.05, 0.2, 1]) {
          const after = 1 / (1 + Math.exp(-(logOdds(before) + rise)));
          const [beforeInWords, afterInWords] = probabilityRiseInWords(before, after, tiers);
          const why = `${before} → ${after}, hot ${tiers.hot}, warm ${tiers.warm}: ${beforeInWords} → ${afterInWords}`;
          expect(beforeInWords, why).toBe(formatProbabilityWithTiers(before, tiers));
          if (afterInWords.endsWith('percentage points)')) {
            expect(afterInWords.startsWith(`${beforeInWords} (+`), why).toBe(true);
            continue;
          }
          expect(afterInWords === beforeInWords || (!afterInWords.startsWith('>') && figure(afterInWords) < figure(beforeInWords)), why).toBe(false);
          for (const threshold of [tiers.hot, tiers.warm]) {
            const written = figure(formatThreshold(threshold));
            if (after >= threshold) expect(figure(afterInWords) >= written || afterInWords.startsWith('>'), why).toBe(true);
            else expect(figure(afterInWords) < written || afterInWords.startsWith('<'), why).toBe(true);
          }
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10000);
  });
});

describe('planOutcomeInWords', () => {
  it('says "The change that helps most" of a plan of one change that falls short, as "This change" of one that reaches', () => {
    // Before: "The changes that help most would not make it Warm" of a plan of one change.
    expect(planOutcomeInWords(false, 1)).toEqual({ before: 'The change that helps most would not make it ', after: ', only raise it' });
    expect(planOutcomeInWords(false, 2)).toEqual({ before: 'The changes that help most would not make it ', after: ', only raise it' });
    expect(planOutcomeInWords(true, 1)).toEqual({ before: 'This change would make it ', after: '' });
    expect(planOutcomeInWords(true, 3)).toEqual({ before: 'These changes would make it ', after: '' });
  });
});

describe('percentWithTiers', () => {
  const halfAndTenth = { hot: 0.5, warm: 0.1 };

  it('keeps the decimals asked for, and adds those formatProbabilityWithTiers does where they are too few', () => {
    expect(percentWithTiers(halfAndTenth, 2)(0.123456)).toEqual({ percent: 12.35, decimals: 2 });
    // 49.96% to two decimals already reads below "hot from 50%"; to none it does not
    expect(percentWithTiers(halfAndTenth, 2)(0.4996)).toEqual({ percent: 49.96, decimals: 2 });
    expect(percentWithTiers(halfAndTenth, 0)(0.4996)).toEqual({ percent: 49.96, decimals: 2 });
    // hot from 3.333%: a hot lead of 3.334% takes a third decimal, a warm one of 3.3329% stops at 3.33%
    expect(percentWithTiers({ hot: 0.03333, warm: 0.01 }, 2)(0.03334)).toEqual({ percent: 3.334, decimals: 3 });
    expect(percentWithTiers({ hot: 0.03333, warm: 0.01 }, 2)(0.033329)).toEqual({ percent: 3.33, decimals: 2 });
    // past the most decimals, rounded toward the lead's side: 24.9996% is not 25%
    expect(percentWithTiers({ hot: 0.25, warm: 0.1 }, 2)(0.249996)).toEqual({ percent: 24.99, decimals: 2 });
    // and of the threshold as written: "hot from 55%" though 0.55 × 100 is 55.00000000000001, "hot from 82.62%" for 82.6212%
    expect(percentWithTiers({ hot: 0.55, warm: 0.1 }, 2)(0.54996)).toEqual({ percent: 54.99, decimals: 2 });
    expect(percentWithTiers({ hot: 0.826212402898818, warm: 0.1 }, 2)(0.826197)).toEqual({ percent: 82.619, decimals: 3 });
  });

  it('is a figure at the ends too, where formatProbabilityWithTiers says "<0.1%" or ">99%"', () => {
    expect(formatProbabilityWithTiers(0.00004, halfAndTenth)).toBe('<0.1%');
    expect(percentWithTiers(halfAndTenth, 2)(0.00004)).toEqual({ percent: 0, decimals: 2 });
    expect(formatProbabilityWithTiers(0.99999, halfAndTenth)).toBe('>99%');
    expect(percentWithTiers(halfAndTenth, 2)(0.99999)).toEqual({ percent: 100, decimals: 2 });
    // unless that is the other side of "hot from 100%"
    expect(percentWithTiers({ hot: 1, warm: 0.1 }, 2)(0.99999)).toEqual({ percent: 99.99, decimals: 2 });
  });
});

describe('formatRate', () => {
  it.each([
    [0, '0%'],
    [0.0003, '0.03%'],
    [0.008, '0.8%'],
    [0.025, '2.5%'],
    [0.0999, '10%'],
    [0.125, '13%'],
    // Only all of them is "100%": a tier whose leads converted 995 in 1,000 is not said to convert all.
    [0.995, '99.5%'],
    [0.9996, '99.96%'],
    [1, '100%'],
  ])('%f → %s', (rate, text) => expect(formatRate(rate)).toBe(text));
});

describe('formatMoney', () => {
  it.each([
    [199900.37, '$199,900'],
    [-400, '-$400'],
    [5.5, '$5.50'],
    [0.4, '$0.40'],
    [0, '$0.00'],
    // Below a cent, two significant digits: a contact of $0.004 is not "$0.00".
    [0.004, '$0.004'],
    [0.00417, '$0.0042'],
    [-0.0031, '-$0.0031'],
  ])('worked out: %f → %s', (amount, text) => expect(formatMoney(amount)).toBe(text));

  it('says a gain with its sign as a loss, and nothing of none', () => {
    expect([formatMoney(128, { signed: true }), formatMoney(-0.5, { signed: true }), formatMoney(0, { signed: true })]).toEqual(['+$128', '-$0.50', '$0.00']);
  });

  it.each([
    [5000, '$5,000'],
    [1500000, '$1,500,000'],
    [0.4, '$0.40'],
    [1250.5, '$1,250.50'],
    [12.345, '$12.345'],
    [0.004, '$0.004'],
  ])('as typed: %f → %s, every digit it has', (amount, text) => expect(formatMoney(amount, { asTyped: true })).toBe(text));
});

describe('formatShares', () => {
  it('adds up to 100%: three equal tiers read 34, 33 and 33%, not 33% each', () => {
    expect(formatShares([1, 1, 1])).toEqual(['34%', '33%', '33%']);
  });

  it('gives the units left after rounding down to the largest fractions', () => {
    // 41.5, 41.5 and 17%: 41 + 41 + 17 = 99, the one left goes to the first of the tied halves
    expect(formatShares([415, 415, 170])).toEqual(['42%', '41%', '17%']);
    // 33.4, 33.3, 33.3%
    expect(formatShares([334, 333, 333])).toEqual(['34%', '33%', '33%']);
  });

  it.each([
    [[0, 1], ['0%', '100%']],
    [[4, 6], ['40%', '60%']],
    [[29, 71], ['29%', '71%']],
    [[75, 925], ['7.5%', '92.5%']],
    [[12, 988], ['1.2%', '98.8%']],
    [[995, 5], ['99.5%', '0.5%']],
    [[1, 2, 997], ['0.1%', '0.2%', '99.7%']],
  ])('%j → %j: one decimal for all when a share is under 10%', (counts, text) => {
    expect(formatShares(counts)).toEqual(text);
    expect(text.reduce((sum, share) => sum + Number.parseFloat(share), 0)).toBeCloseTo(100, 9);
  });

  it('never reads a share that is neither none nor all as either', () => {
    expect(formatShares([7, 99993])).toEqual(['<0.1%', '>99.9%']);
    expect(formatShares([4, 9996, 0])).toEqual(['<0.1%', '>99.9%', '0%']);
  });

  it('reads no leads as none of them', () => {
    expect(formatShares([0, 0, 0])).toEqual(['0%', '0%', '0%']);
  });
});

describe('formatDistinctRates', () => {
  it('writes the edges of adjacent ranges as formatRate does when they read apart', () => {
    expect(formatDistinctRates([0.012, 0.05, 0.41])).toEqual(['1.2%', '5%', '41%']);
  });

  it('gives every edge more digits when two would read the same, so no two ranges look alike', () => {
    expect(formatDistinctRates([0.0121, 0.0124, 0.2])).toEqual(['1.21%', '1.24%', '20%']);
    expect(formatDistinctRates([0.4121, 0.4149])).toEqual(['41.2%', '41.5%']);
  });
});

describe('formatVersusAverage', () => {
  it.each([
    [0.3, 0.1, '3× the average lead'],
    [0.15, 0.1, '1.5× the average lead'],
    [0.04, 0.1, '0.4× the average lead'],
    [0.102, 0.1, 'about the average lead'],
    [0.9, 0.05, '18× the average lead'],
    [0.0049, 0.1, 'less than 0.1× the average lead'],
    [0.006, 0.1, '0.1× the average lead'],
  ])('%f vs %f → %s', (p, base, text) => expect(formatVersusAverage(p, base)).toBe(text));
});

describe('fewSignalsInWords', () => {
  it('says a lead with under half its signals known is scored mostly on what is missing, and nothing of one known enough', () => {
    expect(fewSignalsInWords(2, 10)).toBe('Only 2 of 10 signals are known: the score is how leads with this little filled in converted, and it will move as the rest is filled in.');
    expect(fewSignalsInWords(4, 9)).toContain('Only 4 of 9 signals are known');
    expect(fewSignalsInWords(5, 10)).toBeNull();
    expect(fewSignalsInWords(16, 16)).toBeNull();
  });
});

describe('describeLikelihood', () => {
  it('describes likelihood in one sentence', () => {
    expect(describeLikelihood(0.12, 0.04, { hot: 0.5, warm: 0.1 })).toBe('12% likely to convert, 3× the average lead');
  });

  it('words the probability so it agrees with the tier: a warm lead under "hot from 50%" is not "50% likely"', () => {
    expect(describeLikelihood(0.4996, 0.1, { hot: 0.5, warm: 0.1 })).toBe('49.96% likely to convert, 5× the average lead');
    expect(describeLikelihood(0.024, 0.01, { hot: 0.023, warm: 0.01 })).toBe('2.4% likely to convert, 2.4× the average lead');
  });
});

it('words the strength of a reason', () => {
  expect([strengthOf(1.3), strengthOf(-0.5), strengthOf(0.1)]).toEqual(['strongly', 'moderately', 'slightly']);
});

it('words the strength by the odds factor as shown, so reasons shown with the same factor read alike', () => {
  // ln 1.46 and ln 1.54 are both shown "×1.5"; ln 2.66 and ln 2.74 both "×2.7"
  for (const [below, above] of [[Math.log(1.46), Math.log(1.54)], [Math.log(2.66), Math.log(2.74)]]) {
    expect(oddsFactor(below)).toBe(oddsFactor(above));
    expect(strengthOf(below)).toBe(strengthOf(above));
    expect(strengthOf(-below)).toBe(strengthOf(-above));
  }
  expect([strengthOf(Math.log(1.46)), strengthOf(Math.log(2.66))]).toEqual(['moderately', 'strongly']);
  // ×1.4 and ×2.6 stay below
  expect([strengthOf(Math.log(1.44)), strengthOf(-Math.log(2.64))]).toEqual(['slightly', 'moderately']);
});

it('picks the strongest reasons each way and drops negligible ones', () => {
  const reasons = [
    { label: 'a', value: '', points: 0.5 },
    { label: 'b', value: '', points: -1.2 },
    { label: 'c', value: '', points: 0.01 },
    { label: 'd', value: '', points: 1.5 },
    { label: 'e', value: '', points: -0.2 },
  ];
  const { up, down } = topReasons(reasons, 2);
  expect(up.map((r) => r.label)).toEqual(['d', 'a']);
  expect(down.map((r) => r.label)).toEqual(['b', 'e']);
});

it('leaves pairs of fields out of the strongest reasons: beside each field\'s own reason they read as contradicting it', () => {
  const reasons = [
    { label: 'Employees', value: '992', points: 0.6 },
    { label: 'Lead source', value: 'Web', points: 0.2 },
    { label: 'Lead source with Employees', value: 'Web · 992', points: -0.9, pair: true },
    { label: 'Industry with Country', value: 'Retail · France', points: 1.2, pair: true },
    { label: 'Country', value: 'France', points: -0.1 },
  ];
  const { up, down } = topReasons(reasons, reasons.length);
  expect(up.map((r) => r.label)).toEqual(['Employees', 'Lead source']);
  expect(down.map((r) => r.label)).toEqual(['Country']);
  expect(strongestReasons(reasons)).toEqual({ reasonUp: 'Employees: 992', reasonDown: 'Country: France' });
});

it('words one reason as the popover and the side panel show it: label, value as it is, direction and effect', () => {
  expect(reasonInWords({ label: 'Job title', value: '<b>VP</b> Sales', points: 1.3 })).toEqual({
    label: 'Job title',
    value: '<b>VP</b> Sales',
    direction: 'up',
    effect: 'strongly raises the odds',
  });
  expect(reasonInWords({ label: 'Days since last activity', value: '40 days', points: -0.7 })).toEqual({
    label: 'Days since last activity',
    value: '40 days',
    direction: 'down',
    effect: 'moderately lowers the odds',
  });
});

it('says how many times a reason multiplies or divides the odds, in two digits', () => {
  expect([oddsFactor(1.5), oddsFactor(-Math.log(2)), oddsFactor(0.01), oddsFactor(5)]).toEqual(['4.5', '2', '1', '150']);
});

describe('nameOrFallback', () => {
  it('keeps a name a rep can see, as it is', () => {
    expect(nameOrFallback('hubspot', '42', 'Ada \u202Eecalevol')).toBe('Ada \u202Eecalevol');
  });

  it.each([
    ['hubspot', 'no name', 'Contact 42', ''],
    ['salesforce', 'a blank name', 'Lead 42', ' '],
    ['csv', 'a name of invisible controls only', 'Lead 42', '\u200B\u200E'],
  ] as const)('names a %s lead with %s by its id: %s', (source, _, fallback, name) => {
    expect(nameOrFallback(source, '42', name)).toBe(fallback);
  });
});

describe('lastSyncOutcome', () => {
  const december1 = Date.parse('2026-12-01T12:00:00Z');
  const idle: SyncSummary = { crm: 'hubspot', status: 'idle', synced: 0, remaining: null, stored: 0, error: null, lastRun: null, leftOut: null, endedAt: null, syncedFrom: null };
  const stopped: SyncSummary = { ...idle, status: 'error', error: 'HubSpot refused the request: too many requests (429)', errorKind: 'rate-limit', endedAt: december1 };
  const foundNone: SyncSummary = { ...idle, status: 'done', lastRun: { synced: 0, finishedAt: december1, seconds: 2 }, endedAt: december1 };

  it('says on which day the last sync stopped, and that it stored no lead', () => {
    expect(lastSyncOutcome(stopped, 'the last HubSpot sync')).toEqual({
      kind: 'stopped',
      stored: 0,
      clause: 'the last HubSpot sync stopped on Dec 1, 2026, before it stored any lead',
    });
  });

  it('says how many leads a sync that stopped stored, for the place to say what syncing again does with them', () => {
    expect(lastSyncOutcome({ ...stopped, stored: 1_200 }, 'The last HubSpot sync')).toEqual({
      kind: 'stopped',
      stored: 1_200,
      clause: 'The last HubSpot sync stopped on Dec 1, 2026, with 1,200 leads stored',
    });
  });

  it('leaves out the day a stopped sync ended when it is not known', () => {
    expect(lastSyncOutcome({ ...stopped, endedAt: null }, 'its last sync')).toMatchObject({ clause: 'its last sync stopped, before it stored any lead' });
  });

  it("says that a sync which ended storing none found no leads the connection can read, and asks the CRM's admin to check its access", () => {
    expect(lastSyncOutcome({ ...foundNone, crm: 'salesforce' }, 'the last Salesforce sync')).toEqual({
      kind: 'found-none',
      clause: 'the last Salesforce sync, on Dec 1, 2026, found no leads this connection can read',
      askAdmin: "Ask your Salesforce admin to check the connection's access to your leads",
    });
  });

  it.each<[string, SyncSummary | undefined]>([
    ['never synced', undefined],
    ['idle', idle],
    ['running', { ...idle, status: 'running' }],
    ['cancelled', { ...idle, status: 'cancelled', endedAt: december1 }],
    ['done, with leads stored', { ...foundNone, stored: 3 }],
    ['done before any run ended', { ...foundNone, lastRun: null }],
  ])('tells nothing of a sync %s', (_state, sync) => {
    expect(lastSyncOutcome(sync, 'the last HubSpot sync')).toEqual({ kind: 'tells-nothing' });
  });
});

describe('formatDay', () => {
  // 8 pm on Dec 1 in Los Angeles is 4 am on Dec 2 in UTC; 9 am on Dec 2 in Auckland is 8 pm on Dec 1 in UTC.
  it("dates a moment, such as a model trained here, by the day it was in the browser's time zone", async () => {
    await inTimeZone('America/Los_Angeles', () => expect(formatDay('2026-12-02T04:00:00.000Z')).toBe('Dec 1, 2026'));
    await inTimeZone('Pacific/Auckland', () => expect(formatDay('2026-12-01T20:00:00.000Z')).toBe('Dec 2, 2026'));
  });

  it("keeps a calendar day written as midnight UTC (the CLI's --now 2026-11-01, a file's date alone) that day in every time zone", async () => {
    for (const timeZone of ['America/Los_Angeles', 'UTC', 'Pacific/Auckland']) {
      await inTimeZone(timeZone, () => expect(formatDay('2026-11-01T00:00:00.000Z'), timeZone).toBe('Nov 1, 2026'));
    }
  });

  it("dates a file's date-time, its exporter's clock read as if UTC, on the file's clock: the day the file wrote, in every time zone", async () => {
    // A Salesforce report's `11/29/2026 6:45 AM` and a HubSpot export's `2026-11-29 23:30`, as `parseDate` reads them (no zone: as if UTC).
    const fileDates = [Date.UTC(2026, 10, 29, 6, 45), Date.UTC(2026, 10, 29, 23, 30)];
    for (const timeZone of ['America/Los_Angeles', 'UTC', 'Pacific/Auckland']) {
      await inTimeZone(timeZone, () => expect(fileDates.map((at) => formatDay(at, 'file')), timeZone).toEqual(['Nov 29, 2026', 'Nov 29, 2026']));
    }
    // The browser's clock stays the default, for a moment.
    await inTimeZone('America/Los_Angeles', () => expect(formatDay(fileDates[0])).toBe('Nov 28, 2026'));
  });

  it("writes the date in the browser's own language", () => {
    // Intl takes its language from the process's locale when it starts: a process of its own, as a British browser.
    const script = "import { formatDay } from './lib/presentation.ts'; process.stdout.write(JSON.stringify(['2026-12-02T04:00:00.000Z', '2026-11-01T00:00:00.000Z'].map(formatDay)));";
    const root = fileURLToPath(new URL('..', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, LC_ALL: 'en_GB.UTF-8', TZ: 'America/Los_Angeles' } });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(['1 Dec 2026', '1 Nov 2026']);
  });

  it('says a date it cannot read is unknown', () => expect(formatDay('not a date')).toBe('unknown date'));
});
