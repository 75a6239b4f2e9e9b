import { describe, expect, it } from 'vitest';
import { percentileScore, tierOf } from './score';

// 99 cut points 0.01, 0.02, … 0.99: the percentile of p is about 100·p.
const uniform = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);

describe('percentileScore', () => {
  it.each([
    [0, 1],
    [0.005, 1],
    [0.01, 1],
    [0.0101, 1],
    [0.5, 50],
    [0.505, 50],
    [0.99, 99],
    [1, 99],
  ])('p = %f → %i', (p, expected) => {
    expect(percentileScore(p, uniform)).toBe(expected);
  });

  it('spreads rare probabilities over the whole range', () => {
    const rare = uniform.map((q) => q * 0.02); // every lead below 2 %
    expect(percentileScore(0.0009, rare)).toBe(4);
    expect(percentileScore(0.0191, rare)).toBe(95);
  });
});

describe('tierOf', () => {
  const tiers = { hot: 0.4, warm: 0.15 };
  it.each([
    [0.9, 'hot'],
    [0.4, 'hot'],
    [0.39, 'warm'],
    [0.15, 'warm'],
    [0.1, 'cold'],
  ])('p = %f → %s', (p, tier) => {
    expect(tierOf(p, tiers)).toBe(tier);
  });
});
