/**
 * Reading a term's shape function (`manifest.terms[i].shape`): which bin a value falls in,
 * and the log-odds contribution the model adds for it. Pure, no dependencies, so the side
 * panel can answer "what would make this lead hotter" by trying other bins without running
 * the ONNX model.
 *
 * Exact: for every features row `featurize` makes, `termContribution(shape, values)` equals
 * that term's `contributions` output of the ONNX model, because the bin rule is the trainer's
 * and the ONNX trees' own:
 *   - NaN                        → the last bin ("missing");
 *   - numeric (edges non-empty)  → the first bin i with value ≤ edges[i], or the bin before
 *                                  "missing" when the value is above every edge; the value is
 *                                  rounded to float32 first, as the ONNX input is;
 *   - categorical (edges empty)  → the bin of the integer code; a code the vocabulary does not
 *                                  know (negative, fractional, too large) → the bin before
 *                                  "missing", which is the vocabulary's last level "(other)".
 * A numeric feature with a single value bin also has no edges; both rules put every present
 * value into that bin.
 */
import type { TermShape } from './manifest';

export type ShapeAxis = TermShape['axes'][number];

/** The bin of `value` on one axis: 0 … labels.length − 1 (the last is "missing"). */
export function axisBin(axis: ShapeAxis, value: number): number {
  const missingBin = axis.labels.length - 1;
  if (Number.isNaN(value)) return missingBin;
  const { edges } = axis;
  if (edges.length === 0) {
    const lastLevel = missingBin - 1; // "(other)"
    return Number.isInteger(value) && value >= 0 && value < lastLevel ? value : lastLevel;
  }
  const x = Math.fround(value);
  // binary search: the first i with x <= edges[i], else edges.length (the bin before "missing")
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Index into `shape.scores` of the bins [per axis], row-major. */
export function scoreIndex(shape: TermShape, bins: readonly number[]): number {
  let index = 0;
  shape.axes.forEach((axis, a) => (index = index * axis.labels.length + bins[a]));
  return index;
}

/**
 * The term's log-odds contribution for one lead. `values` holds the term's features' values
 * [1] or [2], in the order of `term.features`, as in the model's `features` row (numbers,
 * categorical codes, NaN for missing).
 */
export function termContribution(shape: TermShape, values: readonly number[]): number {
  return shape.scores[scoreIndex(shape, shape.axes.map((axis, a) => axisBin(axis, values[a])))];
}

/**
 * A value that `axisBin` (and the ONNX trees) put in `bin` of `axis`. A pair's axes are
 * coarser than its features' own (their edges a subset), so the value lands in the matching
 * bin of every term of the feature.
 */
export function valueInBin(axis: ShapeAxis, bin: number): number {
  const { edges, labels } = axis;
  if (bin >= labels.length - 1) return Number.NaN; // "missing"
  if (edges.length === 0) return bin; // a categorical code, or a numeric feature's only value bin
  // Between edges, not on one: float32 rounding of an edge must not decide the bin.
  const first = edges[0];
  const last = edges[edges.length - 1];
  if (bin === 0) return first - Math.max(1, Math.abs(first));
  if (bin >= edges.length) return last + Math.max(1, Math.abs(last));
  return (edges[bin - 1] + edges[bin]) / 2;
}
