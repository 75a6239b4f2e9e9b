import { describe, expect, it } from 'vitest';
import { percentileScore, scoreAndTier, tierOf, type ScoreScale } from './score';

// 99 cut points 0.01, 0.02, … 0.99: the percentile of p is about 100·p.
const uniform = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);

// The reviewer's model that tells no lead apart: the trainer's float32 probability of every training
// lead, and ONNX Runtime's of every stored lead, one float32 step of 0.25–0.5 (2^-25) under it.
const trainerProbability = 0.16003257036209106;
const engineProbability = 0.16003254055976868;

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

describe('scoreAndTier', () => {
  const scaleOf = (percentiles: number[], hot: number, warm: number): ScoreScale => ({ reference: { probabilityPercentiles: percentiles }, tiers: { hot, warm } });
  // Under a threshold by less than any float32 step there, by more than the engine's error, and by more than the tolerance.
  const justUnder = (threshold: number) => [threshold - 1e-9, threshold - 2e-7, threshold - 2e-6];
  // The reviewer's stored leads: hot from within the 90th percentile, warm from within the 69th.
  const reviewers = scaleOf(uniform, 0.905, 0.695);

  it('never gives a lead just under the hot threshold the score of one at it: the reviewer’s warm 90 beside hot 90', () => {
    expect(justUnder(0.905).map((p) => scoreAndTier(p, reviewers))).toEqual(Array(3).fill({ score: 89, tier: 'warm' }));
    expect(scoreAndTier(0.905, reviewers)).toEqual({ score: 90, tier: 'hot' });
    expect(percentileScore(0.905 - 1e-9, uniform)).toBe(90); // the percentile alone shares it
  });

  it('never gives a lead just under the warm threshold the score of one at it', () => {
    expect(justUnder(0.695).map((p) => scoreAndTier(p, reviewers))).toEqual(Array(3).fill({ score: 68, tier: 'cold' }));
    expect(scoreAndTier(0.695, reviewers)).toEqual({ score: 69, tier: 'warm' });
  });

  it('moves no other lead off its percentile score', () => {
    const probabilities = Array.from({ length: 1001 }, (_, i) => i / 1000);
    const moved = probabilities.filter((p) => scoreAndTier(p, reviewers).score !== percentileScore(p, uniform));
    expect(moved).toEqual([0.69, 0.691, 0.692, 0.693, 0.694, 0.9, 0.901, 0.902, 0.903, 0.904]);
  });

  it('puts hot and warm thresholds within one percentile one score apart, cold under both', () => {
    const oneBucket = scaleOf(uniform, 0.905, 0.902);
    expect([0.85, 0.901, 0.903, 0.905, 0.95].map((p) => scoreAndTier(p, oneBucket))).toEqual([
      { score: 85, tier: 'cold' },
      { score: 88, tier: 'cold' },
      { score: 89, tier: 'warm' },
      { score: 90, tier: 'hot' },
      { score: 95, tier: 'hot' },
    ]);
  });

  it('lifts the tiers over thresholds under every reference lead to 2 and 3, leaving 1 to cold', () => {
    const underAll = scaleOf(uniform, 0.005, 0.002);
    expect([0.001, 0.003, 0.006, 0.5].map((p) => scoreAndTier(p, underAll))).toEqual([
      { score: 1, tier: 'cold' },
      { score: 2, tier: 'warm' },
      { score: 3, tier: 'hot' },
      { score: 50, tier: 'hot' },
    ]);
  });

  it('keeps 99 for hot when both thresholds are over every reference lead, warm at 98 and cold under', () => {
    const overAll = scaleOf(uniform, 0.996, 0.993);
    expect([0.5, 0.992, 0.994, 0.997].map((p) => scoreAndTier(p, overAll))).toEqual([
      { score: 50, tier: 'cold' },
      { score: 97, tier: 'cold' },
      { score: 98, tier: 'warm' },
      { score: 99, tier: 'hot' },
    ]);
  });

  it('leaves 1 to warm when warm is 0 (no lead is cold), and cold just under hot when warm is hot (no lead is warm)', () => {
    expect([0.001, 0.503, 0.505].map((p) => scoreAndTier(p, scaleOf(uniform, 0.505, 0)))).toEqual([
      { score: 1, tier: 'warm' },
      { score: 49, tier: 'warm' },
      { score: 50, tier: 'hot' },
    ]);
    expect([0.001, 0.503, 0.505].map((p) => scoreAndTier(p, scaleOf(uniform, 0.505, 0.505)))).toEqual([
      { score: 1, tier: 'cold' },
      { score: 49, tier: 'cold' },
      { score: 50, tier: 'hot' },
    ]);
  });

  it('scores every lead of a model that tells no lead apart 50, but 49 where tiered under the hot leads at its one probability', () => {
    const allTied = Array<number>(99).fill(trainerProbability);
    // A capacity policy puts both thresholds at the one probability of the training leads.
    const atTie = scaleOf(allTied, trainerProbability, trainerProbability);
    expect([trainerProbability, engineProbability].map((p) => scoreAndTier(p, atTie))).toEqual([
      { score: 50, tier: 'hot' },
      { score: 49, tier: 'cold' },
    ]);
    expect([scaleOf(allTied, 0.5, 0.5), scaleOf(allTied, 0.5, 0.1), scaleOf(allTied, 0.1, 0.1)].map((scale) => scoreAndTier(engineProbability, scale))).toEqual([
      { score: 50, tier: 'cold' },
      { score: 50, tier: 'warm' },
      { score: 50, tier: 'hot' },
    ]);
  });

  const edgeScales = {
    reviewers,
    'thresholds on cuts': scaleOf(uniform, 0.9, 0.7),
    'one percentile': scaleOf(uniform, 0.905, 0.902),
    'under every lead': scaleOf(uniform, 0.005, 0.002),
    'over every lead': scaleOf(uniform, 0.996, 0.993),
    'warm at 0': scaleOf(uniform, 0.505, 0),
    'warm at hot': scaleOf(uniform, 0.505, 0.505),
    'an isotonic step across hot': scaleOf(uniform.map((q) => (q >= 0.8 && q <= 0.95 ? 0.8 : q)), 0.8, 0.5),
    'rare conversions': scaleOf(uniform.map((q) => q * 0.02), 0.0181, 0.0105),
    'no lead told apart': scaleOf(Array<number>(99).fill(trainerProbability), trainerProbability, trainerProbability),
  };

  it.each(Object.entries(edgeScales))('gives each tier scores of its own, within 1–99, never falling as the probability rises: %s', (_, scale) => {
    const { hot, warm } = scale.tiers;
    const aroundThresholds = [hot, warm, ...scale.reference.probabilityPercentiles].flatMap((t) => [...justUnder(t), t, t + 1e-9, t + 2e-6]);
    const probabilities = [...Array.from({ length: 2001 }, (_, i) => i / 2000), ...aroundThresholds].filter((p) => p >= 0 && p <= 1).sort((a, b) => a - b);
    const scored = probabilities.map((p) => scoreAndTier(p, scale));
    expect(scored.every(({ score }) => score >= 1 && score <= 99)).toBe(true);
    expect(probabilities.filter((_, i) => i > 0 && scored[i].score < scored[i - 1].score)).toEqual([]);
    const tiersOfScore = new Map<number, Set<string>>();
    for (const { score, tier } of scored) tiersOfScore.set(score, (tiersOfScore.get(score) ?? new Set()).add(tier));
    expect([...tiersOfScore].filter(([, tiers]) => tiers.size > 1)).toEqual([]);
  });
});
