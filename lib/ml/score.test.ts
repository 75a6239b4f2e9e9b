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

  // The reviewer's model that tells no lead apart: the trainer's float32 probability of every training
  // lead, and ONNX Runtime's of every stored lead, one float32 step of 0.25–0.5 (2^-25) under it.
  const trainerProbability = 0.16003257036209106;
  const engineProbability = 0.16003254055976868;

  it('scores every lead of a model whose reference leads share one probability 50, halfway through the tie, however the engine rounds it', () => {
    const allTied = Array<number>(99).fill(trainerProbability);
    expect([engineProbability, trainerProbability, trainerProbability + 2 ** -25].map((p) => percentileScore(p, allTied))).toEqual([50, 50, 50]);
    // Clearly under or over the tie, the ends.
    expect([percentileScore(0.15, allTied), percentileScore(0.17, allTied)]).toEqual([1, 99]);
  });

  it('puts a probability tied with some cut points halfway through them, as an isotonic step ties reference leads', () => {
    // Cut points 30 to 60 (1-based) tied at 0.3: 29 are under the step, 60 at or under it.
    const step = uniform.map((q) => (q >= 0.3 && q <= 0.6 ? 0.3 : q));
    expect(percentileScore(0.3, step)).toBe(45);
    expect(percentileScore(0.3 - 1e-7, step)).toBe(45);
  });

  it('counts a probability a few float32 steps under a cut point as at it: the engine rounds otherwise than the trainer', () => {
    expect(percentileScore(0.5 - 2 ** -24, uniform)).toBe(50);
    expect(percentileScore(0.5 - 1e-4, uniform)).toBe(49);
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
