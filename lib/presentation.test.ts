import { describe, expect, it } from 'vitest';
import {
  describeLikelihood,
  formatDistinctRates,
  formatProbability,
  nameOrFallback,
  formatRate,
  formatShares,
  formatVersusAverage,
  oddsFactor,
  reasonInWords,
  strengthOf,
  topReasons,
} from './presentation';

describe('formatProbability', () => {
  it.each([
    [0.004, '<1 %'],
    [0.12, '12 %'],
    [0.125, '13 %'],
    [0.995, '>99 %'],
  ])('%f → %s', (p, text) => expect(formatProbability(p)).toBe(text));
});

describe('formatRate', () => {
  it.each([
    [0, '0 %'],
    [0.0003, '0.03 %'],
    [0.008, '0.8 %'],
    [0.025, '2.5 %'],
    [0.0999, '10 %'],
    [0.125, '13 %'],
    [0.995, '100 %'],
    [1, '100 %'],
  ])('%f → %s', (rate, text) => expect(formatRate(rate)).toBe(text));
});

describe('formatShares', () => {
  it('adds up to 100 %: three equal tiers read 34, 33 and 33 %, not 33 % each', () => {
    expect(formatShares([1, 1, 1])).toEqual(['34 %', '33 %', '33 %']);
  });

  it('gives the units left after rounding down to the largest fractions', () => {
    // 41.5, 41.5 and 17 %: 41 + 41 + 17 = 99, the one left goes to the first of the tied halves
    expect(formatShares([415, 415, 170])).toEqual(['42 %', '41 %', '17 %']);
    // 33.4, 33.3, 33.3 %
    expect(formatShares([334, 333, 333])).toEqual(['34 %', '33 %', '33 %']);
  });

  it.each([
    [[0, 1], ['0 %', '100 %']],
    [[4, 6], ['40 %', '60 %']],
    [[29, 71], ['29 %', '71 %']],
    [[75, 925], ['7.5 %', '92.5 %']],
    [[12, 988], ['1.2 %', '98.8 %']],
    [[995, 5], ['99.5 %', '0.5 %']],
    [[1, 2, 997], ['0.1 %', '0.2 %', '99.7 %']],
  ])('%j → %j: one decimal for all when a share is under 10 %', (counts, text) => {
    expect(formatShares(counts)).toEqual(text);
    expect(text.reduce((sum, share) => sum + Number.parseFloat(share), 0)).toBeCloseTo(100, 9);
  });

  it('never reads a share that is neither none nor all as either', () => {
    expect(formatShares([7, 99993])).toEqual(['<0.1 %', '>99.9 %']);
    expect(formatShares([4, 9996, 0])).toEqual(['<0.1 %', '>99.9 %', '0 %']);
  });

  it('reads no leads as none of them', () => {
    expect(formatShares([0, 0, 0])).toEqual(['0 %', '0 %', '0 %']);
  });
});

describe('formatDistinctRates', () => {
  it('writes the edges of adjacent ranges as formatRate does when they read apart', () => {
    expect(formatDistinctRates([0.012, 0.05, 0.41])).toEqual(['1.2 %', '5 %', '41 %']);
  });

  it('gives every edge more digits when two would read the same, so no two ranges look alike', () => {
    expect(formatDistinctRates([0.0121, 0.0124, 0.2])).toEqual(['1.21 %', '1.24 %', '20 %']);
    expect(formatDistinctRates([0.4121, 0.4149])).toEqual(['41.2 %', '41.5 %']);
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

it('describes likelihood in one sentence', () => {
  expect(describeLikelihood(0.12, 0.04)).toBe('12 % likely to convert, 3× the average lead');
});

it('words the strength of a reason', () => {
  expect([strengthOf(1.3), strengthOf(-0.5), strengthOf(0.1)]).toEqual(['strongly', 'moderately', 'slightly']);
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
