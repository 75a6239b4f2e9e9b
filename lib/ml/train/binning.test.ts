import { describe, expect, it } from 'vitest';
import { binOf, categoricalCuts, coarseMap, numericCuts } from './binning';

describe('numericCuts / binOf', () => {
  it('one bin per distinct value, cut at midpoints, NaN in bin 0', () => {
    const cuts = numericCuts(Float32Array.from([3, 1, 2, NaN, 2]), 255);
    expect(Array.from(cuts)).toEqual([1.5, 2.5]);
    expect([NaN, -5, 1, 1.5, 2, 2.4, 3, 100].map((x) => binOf(x, cuts))).toEqual([0, 1, 1, 1, 2, 2, 3, 3]);
  });
  it('equal-count quantile bins when there are more distinct values than bins', () => {
    const col = Float32Array.from({ length: 100 }, (_, i) => i); // 0…99
    const cuts = numericCuts(col, 4);
    expect(Array.from(cuts)).toEqual([24.5, 49.5, 74.5]);
    const counts = [0, 0, 0, 0, 0];
    for (const v of col) counts[binOf(v, cuts)]++;
    expect(counts).toEqual([0, 25, 25, 25, 25]);
  });
  it('uses the lower value when no float32 lies strictly between neighbours', () => {
    const a = 1;
    const b = 1 + 2 ** -23; // next float32 after 1
    const cuts = numericCuts(Float32Array.from([a, b]), 255);
    expect(cuts[0]).toBe(a);
    expect(binOf(a, cuts)).toBe(1);
    expect(binOf(Math.fround(b), cuts)).toBe(2);
  });
  it('constant and empty columns have no cuts', () => {
    expect(numericCuts(Float32Array.from([5, 5, NaN]), 255).length).toBe(0);
    expect(numericCuts(Float32Array.from([NaN]), 255).length).toBe(0);
  });
  it('categorical: one bin per code', () => {
    const cuts = categoricalCuts(3);
    expect(Array.from(cuts)).toEqual([0.5, 1.5]);
    expect([0, 1, 2, NaN].map((c) => binOf(c, cuts))).toEqual([1, 2, 3, 0]);
  });
});

describe('coarseMap', () => {
  it('groups fine bins into equal-count coarse bins, missing stays 0', () => {
    const counts = Float64Array.from([5, 10, 10, 10, 10]);
    const { map, nBins } = coarseMap(counts, Int32Array.from([1, 2, 3, 4]), 2);
    expect(Array.from(map)).toEqual([0, 1, 1, 2, 2]);
    expect(nBins).toBe(3);
  });
  it('keeps fine bins when there are few, in the given order', () => {
    const { map, nBins } = coarseMap(Float64Array.from([0, 1, 1, 1]), Int32Array.from([3, 1, 2]), 8);
    expect(Array.from(map)).toEqual([0, 2, 3, 1]);
    expect(nBins).toBe(4);
  });
});
