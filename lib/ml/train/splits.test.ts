import { describe, expect, it } from 'vitest';
import { mulberry32, shuffleInPlace } from '../random';
import { stratifiedKFold, trainValidSplit } from './splits';

// 103 rows, 23 positives: neither divides evenly by 5.
const labels = Uint8Array.from({ length: 103 }, (_, i) => (i < 23 ? 1 : 0));
const shuffledLabels = Uint8Array.from(labels);
shuffleInPlace(shuffledLabels, mulberry32(5));
const countPositives = (rows: Int32Array, y: Uint8Array) => rows.reduce((sum, row) => sum + y[row], 0);

describe('stratifiedKFold', () => {
  const folds = stratifiedKFold(shuffledLabels, 5, 42);

  it('puts every row in exactly one fold, indices sorted', () => {
    const all = folds.flatMap((fold) => Array.from(fold)).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 103 }, (_, i) => i));
    folds.forEach((fold) => expect(Array.from(fold)).toEqual(Array.from(fold).sort((a, b) => a - b)));
  });

  it('spreads positives and rows evenly (counts differ by at most one)', () => {
    const positives = folds.map((fold) => countPositives(fold, shuffledLabels));
    const sizes = folds.map((fold) => fold.length);
    expect(positives.reduce((a, b) => a + b)).toBe(23);
    expect(Math.max(...positives) - Math.min(...positives)).toBeLessThanOrEqual(1);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('is deterministic per seed and shuffles', () => {
    expect(stratifiedKFold(shuffledLabels, 5, 42)).toEqual(folds);
    expect(stratifiedKFold(shuffledLabels, 5, 43)).not.toEqual(folds);
    // Not just consecutive blocks of rows.
    expect(Array.from(folds[0])).not.toEqual(Array.from({ length: folds[0].length }, (_, i) => i));
  });

  it('rejects impossible k', () => {
    expect(() => stratifiedKFold(labels, 1, 0)).toThrow(/k must be/);
    expect(() => stratifiedKFold(Uint8Array.of(1, 0), 3, 0)).toThrow(/k must be/);
  });
});

describe('trainValidSplit', () => {
  it('sends the rounded fraction of each class to valid, deterministically', () => {
    const { train, valid } = trainValidSplit(shuffledLabels, 0.2, 1);
    // round(0.2 · 23) = 5 positives, round(0.2 · 80) = 16 negatives.
    expect(valid.length).toBe(21);
    expect(countPositives(valid, shuffledLabels)).toBe(5);
    expect(train.length).toBe(82);
    expect(new Set(Array.from(train).concat(Array.from(valid))).size).toBe(103);
    expect(trainValidSplit(shuffledLabels, 0.2, 1)).toEqual({ train, valid });
  });

  it('rejects fractions outside (0, 1)', () => {
    expect(() => trainValidSplit(labels, 1, 0)).toThrow(/validFraction/);
  });
});
