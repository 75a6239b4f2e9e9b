import { describe, expect, it } from 'vitest';
import { niceTicks } from './axis-ticks';

describe('niceTicks', () => {
  it('covers the range with the smallest round step that fits the tick budget', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    // step 100 would need 7 ticks (−100 … 500), one over the budget of 6
    expect(niceTicks(-37.2, 412.5)).toEqual([-200, 0, 200, 400, 600]);
    expect(niceTicks(-120.5, -3.2, 5)).toEqual([-150, -100, -50, 0]);
    // step 5 would need 7 ticks (10 … 40): the next round step is 10
    expect(niceTicks(12, 37)).toEqual([10, 20, 30, 40]);
  });

  it('uses 2.5 steps and rounds away float noise', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2.5, 5, 7.5, 10]);
    expect(niceTicks(0.0013, 0.0042)).toEqual([0.001, 0.002, 0.003, 0.004, 0.005]);
  });

  it('gives a flat curve a small range around its value, and accepts a reversed range', () => {
    expect(niceTicks(5, 5)).toEqual([4.5, 4.75, 5, 5.25, 5.5]);
    expect(niceTicks(0, 0)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(niceTicks(1, 0)).toEqual(niceTicks(0, 1));
  });

  it('never exceeds the budget and always covers the range', () => {
    for (const [min, max] of [[-1, 1], [3, 7.1], [-1e6, 3e6], [0.1, 0.30000000000000004], [-0.02, 999]]) {
      for (const budget of [3, 4, 6, 10]) {
        const ticks = niceTicks(min, max, budget);
        expect(ticks.length).toBeLessThanOrEqual(budget);
        expect(ticks[0]).toBeLessThanOrEqual(min);
        expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(max);
      }
    }
  });

  it('refuses a range it cannot draw', () => {
    expect(() => niceTicks(0, Number.NaN)).toThrow(/finite/);
    expect(() => niceTicks(0, 1, 2)).toThrow(/at least 3/);
  });
});
