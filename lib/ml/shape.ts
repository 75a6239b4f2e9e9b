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
 *
 * Also the rule for a feature's ideal range (`bestSupportedRange`), which the trainer's ideal and
 * the side panel's share.
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

/**
 * What an ideal range must rest on: at least this share of the training rows with a known value,
 * and at least MIN_IDEAL_ROWS of them. A number's shape has up to 255 bins, some holding a lead or
 * two, and the contribution fitted to them is chance: the highest one named "13 employees", the
 * value of one lead, as the ideal customer. One known value in twenty is a kind of customer a rep
 * meets; fewer than 30 leads would let a few conversions name it.
 */
export const MIN_IDEAL_SHARE = 0.05;
export const MIN_IDEAL_ROWS = 30;

/** The training rows an ideal range must hold, of `knownRows` with a known value (see MIN_IDEAL_SHARE). */
export const leastIdealRows = (knownRows: number) => Math.max(MIN_IDEAL_ROWS, MIN_IDEAL_SHARE * knownRows);

/** Value bins `first` … `last` of one axis, and the mean of what was ranked over their training rows. */
export interface IdealRange {
  first: number;
  last: number;
  mean: number;
}

/**
 * The range of value bins with the highest mean of `values` over its training rows, among those
 * holding at least MIN_IDEAL_SHARE of the rows with a known value and MIN_IDEAL_ROWS; of equally
 * good ranges the one holding the most rows (a flat run of a number's shape whole, not the part of
 * it that first holds enough). A number's neighbouring bins merge into a range (`neighbours`): its
 * bins are narrow even where leads are many. A category's levels are no neighbours, so a level must
 * hold the rows itself. Null when nothing holds that many.
 *
 * `values` and `rows` [value bins of the axis, "missing" left out: no customer is ideal for lacking
 * a value], of one length: what to rank by (the shape's scores for the trainer's ideal, one lead's gains for the
 * side panel's) and the training rows per bin. The trainer's ideal and the side panel's are both
 * this range, so they cannot drift apart.
 */
export function bestSupportedRange(values: readonly number[], rows: readonly number[], neighbours: boolean): IdealRange | null {
  const least = leastIdealRows(rows.reduce((sum, n) => sum + n, 0));
  const widest = neighbours ? rows.length : 1;
  let best: (IdealRange & { held: number }) | null = null;
  for (let first = 0; first < rows.length; first++) {
    let held = 0;
    let sum = 0;
    for (let last = first; last < Math.min(rows.length, first + widest); last++) {
      held += rows[last];
      sum += rows[last] * values[last];
      const mean = sum / held;
      if (held >= least && (!best || mean > best.mean || (mean === best.mean && held > best.held))) best = { first, last, mean, held };
    }
  }
  return best && { first: best.first, last: best.last, mean: best.mean };
}
