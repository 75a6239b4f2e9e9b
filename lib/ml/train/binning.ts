/**
 * Binning for the explainable-boosting trainer. Pure, no Node APIs.
 *
 * Every feature gets float32 cut points; a value x goes to
 *   bin 0            when x is NaN (the dedicated missing bin),
 *   bin k + 1        for the first k with x <= cuts[k],
 *   bin cuts.length + 1  when x is above every cut.
 * The ONNX export uses the same cut points as `BRANCH_LEQ` thresholds (float32, compared
 * with the float32 input), so training and scoring put every value in the same bin.
 * Categorical codes 0…K−1 get cuts 0.5, 1.5, …, K−1.5: one bin per level.
 */

/**
 * The most value bins a feature gets, "missing" aside: a row's bin is a byte (0 = missing). A
 * manifest's shape axis of a model trained here has at most this many and "missing"
 * (manifest.ts `MAX_AXIS_BINS`); a categorical's levels are as many (dataset.ts `MAX_LEVELS` and "(other)").
 */
export const MAX_VALUE_BINS = 255;

/**
 * Cut points for a numeric column: one bin per distinct value when there are at most
 * `maxBins`, otherwise (approximately) equal-count quantile bins. A cut is the midpoint of two
 * neighbouring distinct values when that is representable strictly between them in float32,
 * else the lower value.
 */
export function numericCuts(column: Float32Array, maxBins: number): Float32Array {
  // column: [N], NaN = missing
  let n = 0;
  const sorted = new Float32Array(column.length);
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (v === v) sorted[n++] = v;
  }
  const vals = sorted.subarray(0, n).sort();
  // distinct values and their counts
  const uniq: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    if (uniq.length === 0 || vals[i] !== uniq[uniq.length - 1]) {
      uniq.push(vals[i]);
      counts.push(1);
    } else counts[counts.length - 1]++;
  }
  if (uniq.length <= 1) return new Float32Array(0);
  const cutAfter: number[] = []; // indices u: cut between uniq[u] and uniq[u+1]
  if (uniq.length <= maxBins) {
    for (let u = 0; u < uniq.length - 1; u++) cutAfter.push(u);
  } else {
    // greedy equal-count bins: close a bin once it reaches the remaining rows / remaining bins
    let remainingRows = n;
    let remainingBins = maxBins;
    let acc = 0;
    for (let u = 0; u < uniq.length - 1; u++) {
      acc += counts[u];
      const target = remainingRows / remainingBins;
      // close here if adding the next value would overshoot the target more than stopping short
      if (acc >= target || (acc + counts[u + 1] - target > target - acc && acc >= target * 0.5)) {
        cutAfter.push(u);
        remainingRows -= acc;
        remainingBins = Math.max(1, remainingBins - 1);
        acc = 0;
        if (cutAfter.length >= maxBins - 1) break;
      }
    }
  }
  const cuts = new Float32Array(cutAfter.length);
  for (let k = 0; k < cutAfter.length; k++) {
    const lo = uniq[cutAfter[k]];
    const hi = uniq[cutAfter[k] + 1];
    const mid = Math.fround((lo + hi) / 2);
    cuts[k] = mid > lo && mid < hi ? mid : lo;
  }
  return cuts;
}

/** Cuts for a categorical feature with `levels` codes: one bin per code. */
export function categoricalCuts(levels: number): Float32Array {
  const cuts = new Float32Array(Math.max(0, levels - 1));
  for (let k = 0; k < cuts.length; k++) cuts[k] = k + 0.5;
  return cuts;
}

/** The bin of one value (see the module comment). */
export function binOf(x: number, cuts: Float32Array): number {
  if (x !== x) return 0;
  let lo = 0;
  let hi = cuts.length; // first k with x <= cuts[k], or cuts.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= cuts[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo + 1;
}

/**
 * Coarser bins for interaction terms: fine bins (0 = missing, 1…B) → at most `maxBins` coarse bins
 * (coarse 0 = missing), grouping consecutive fine bins of `order` into roughly equal-count groups.
 * `order` lists the fine bins 1…B in the order to group them (ascending for numeric features;
 * for categorical features, sorted by main-effect value so that neighbours behave alike).
 * Returns the map fine → coarse, [B + 1], and the number of coarse bins (including missing).
 */
export function coarseMap(
  counts: Float64Array, // [B + 1] training rows per fine bin
  order: Int32Array, // [B] fine bins 1…B in grouping order
  maxBins: number,
): { map: Uint8Array; nBins: number } {
  const map = new Uint8Array(counts.length);
  let total = 0;
  for (let k = 0; k < order.length; k++) total += counts[order[k]];
  let coarse = 1;
  if (order.length <= maxBins) {
    for (let k = 0; k < order.length; k++) map[order[k]] = k + 1;
    return { map, nBins: order.length + 1 };
  }
  let remainingRows = total;
  let remainingBins = maxBins;
  let acc = 0;
  for (let k = 0; k < order.length; k++) {
    const b = order[k];
    map[b] = coarse;
    acc += counts[b];
    const target = remainingRows / remainingBins;
    if (acc >= target && k < order.length - 1 && coarse < maxBins) {
      coarse++;
      remainingRows -= acc;
      remainingBins = Math.max(1, remainingBins - 1);
      acc = 0;
    }
  }
  // the last group may be empty of rows if the loop closed it at the end; nBins counts used codes
  return { map, nBins: coarse + 1 };
}
