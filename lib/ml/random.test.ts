import { describe, expect, it } from 'vitest';
import { mulberry32, shuffleInPlace } from './random';

describe('mulberry32', () => {
  it('repeats its sequence for the same seed and differs across seeds', () => {
    const draw = (seed: number) => Array.from({ length: 5 }, mulberry32(seed));
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('gives floats in [0, 1) with mean near 1/2', () => {
    const draws = Float64Array.from({ length: 100_000 }, mulberry32(1));
    expect(draws.every((u) => u >= 0 && u < 1)).toBe(true);
    expect(draws.reduce((a, b) => a + b, 0) / draws.length).toBeCloseTo(0.5, 2);
  });
});

describe('shuffleInPlace', () => {
  it('permutes typed and plain arrays deterministically', () => {
    const typed = Int32Array.from({ length: 50 }, (_, i) => i);
    const plain = Array.from({ length: 50 }, (_, i) => i);
    shuffleInPlace(typed, mulberry32(9));
    shuffleInPlace(plain, mulberry32(9));
    expect(Array.from(typed)).toEqual(plain);
    expect(plain).not.toEqual([...plain].sort((a, b) => a - b));
    expect([...plain].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
