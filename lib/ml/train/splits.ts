/**
 * Row splits for validation: stratified k-fold and a stratified train/validation split (the
 * out-of-time split is `outOfTimeSplit` in ./out-of-time.ts). Deterministic for a given seed
 * (../random.ts); all index arrays are sorted ascending.
 */
import { mulberry32, shuffleInPlace } from '../random';
import type { Labels } from './metrics';

/** Row indices of each class, each shuffled with the same seeded stream: positives first, then negatives. */
function shuffledIndicesByClass(labels: Labels, seed: number): { positives: Int32Array; negatives: Int32Array } {
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] ? positives : negatives).push(i);
  const rand = mulberry32(seed);
  const result = { positives: Int32Array.from(positives), negatives: Int32Array.from(negatives) };
  shuffleInPlace(result.positives, rand);
  shuffleInPlace(result.negatives, rand);
  return result;
}

/**
 * Test indices of each of `k` folds: [k] arrays whose union is every row exactly once.
 *
 * Shuffled positives, then shuffled negatives, are dealt round-robin onto the folds, so each
 * fold's count of each class, and its size, differ from any other fold's by at most one.
 * Not fold-for-fold identical to sklearn's StratifiedKFold (different PRNG), equally stratified.
 */
export function stratifiedKFold(labels: Labels, k: number, seed: number): Int32Array[] {
  if (!Number.isInteger(k) || k < 2 || k > labels.length) {
    throw new Error(`k must be an integer from 2 to the number of rows (${labels.length}), got ${k}`);
  }
  const { positives, negatives } = shuffledIndicesByClass(labels, seed);
  const folds: number[][] = Array.from({ length: k }, () => []);
  let dealt = 0;
  positives.forEach((row) => folds[dealt++ % k].push(row));
  negatives.forEach((row) => folds[dealt++ % k].push(row));
  return folds.map((rows) => Int32Array.from(rows).sort());
}

/**
 * A stratified random split: `validFraction` of each class (rounded) goes to `valid`, the rest to `train`.
 */
export function trainValidSplit(
  labels: Labels,
  validFraction: number,
  seed: number,
): { train: Int32Array; valid: Int32Array } {
  if (!(validFraction > 0 && validFraction < 1)) throw new Error(`validFraction must be in (0, 1), got ${validFraction}`);
  const train: number[] = [];
  const valid: number[] = [];
  const { positives, negatives } = shuffledIndicesByClass(labels, seed);
  for (const rows of [positives, negatives]) {
    const validCount = Math.round(validFraction * rows.length);
    rows.forEach((row, i) => (i < validCount ? valid : train).push(row));
  }
  return { train: Int32Array.from(train).sort(), valid: Int32Array.from(valid).sort() };
}
