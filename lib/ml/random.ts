/**
 * A tiny seeded PRNG shared by training code (folds, bagging, splits), so every run with
 * the same seed gives the same model. Pure: runs in a Web Worker.
 */

/** Mulberry32: 32-bit state, uniform floats in [0, 1). Fast and good enough for shuffling and sampling. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of `array` in place (works for plain and typed arrays). */
export function shuffleInPlace<T>(array: { [index: number]: T; length: number }, rand: () => number): void {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const swap = array[i];
    array[i] = array[j];
    array[j] = swap;
  }
}
