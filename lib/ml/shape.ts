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
 * Also the rule for a feature's ideal (`supportedIdeal`), one rule for the trainer's ideal (the
 * manifest's reference, ranked by the shape's scores) and the side panel's (ranked by one lead's
 * gains): for a lead with no pairs the two are one range, labelled alike (`rangeLabel`).
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
  return indexOfBins(shape, (a) => bins[a]);
}

/** Index into `shape.scores` of the bin `binOn(a)` of each axis a, row-major: no array of bins made (a plan scores many rows). */
function indexOfBins(shape: TermShape, binOn: (axis: number) => number): number {
  let index = 0;
  for (let a = 0; a < shape.axes.length; a++) index = index * shape.axes[a].labels.length + binOn(a);
  return index;
}

/**
 * The term's log-odds contribution for one lead. `values` holds the term's features' values
 * [1] or [2], in the order of `term.features`, as in the model's `features` row (numbers,
 * categorical codes, NaN for missing).
 */
export function termContribution(shape: TermShape, values: readonly number[]): number {
  return termContributionOf(shape, (a) => values[a]);
}

/** `termContribution` of the value `valueOn(a)` on each axis a, with no array of them made: a plan and the ideal score many rows. */
export function termContributionOf(shape: TermShape, valueOn: (axis: number) => number): number {
  return shape.scores[indexOfBins(shape, (a) => axisBin(shape.axes[a], valueOn(a)))];
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

/** The ideal of a number every value of which scores alike. */
export const ANY_VALUE = 'any value';

/**
 * The decimal a float32 model input stands for: the shortest number float32 reads as it (0.20499999523 → 0.205, 41
 * clicks of 200 opens), which is the record's own, as its reasons write it (`describeFeatureValue`: "0.21", where the
 * float32 itself would read "0.2"). A number no float32 is (a value a plan moves a feature to) is its own.
 */
export function recordedDecimal(value: number): number {
  if (Math.fround(value) !== value) return value;
  for (let digits = 1; digits < 9; digits++) {
    const decimal = Number(value.toPrecision(digits));
    if (Math.fround(decimal) === value) return decimal;
  }
  return value;
}

/**
 * The number a label writes beside `edge` (float32) for the bin on one side of it, with `decimals` decimals (tens,
 * hundreds where negative): the least the model reads above the edge (`above`), of the bin over it, or else the greatest
 * it reads as at most the edge, of the bin the edge ends. Read as `axisBin` reads a value, in float32, so a label names
 * values its bin holds: over an edge of 1.0699999, 1.07 (float32 1.0700000525) is in the bin above.
 */
export function writtenBeside(edge: number, decimals: number, above: boolean): number {
  const written = (k: number) => (decimals >= 0 ? k / 10 ** decimals : k * 10 ** -decimals);
  const holds = (x: number) => (above ? Math.fround(x) > edge : Math.fround(x) <= edge);
  let k = Math.round(decimals >= 0 ? edge * 10 ** decimals : edge / 10 ** -decimals);
  // A few steps at the digits float32 tells apart; an edge of an imported manifest no float32 lies beside at them
  // (past float32's range, or closer to the next edge than float32 tells apart) is written as itself, as before.
  for (let step = 0; step < MAX_STEPS_BESIDE && !holds(written(k)); step++) k += above ? 1 : -1;
  return holds(written(k)) ? written(k) : edge;
}

/** Steps `writtenBeside` takes from an edge at most: at float32's digits a number beside it is one or two away. */
const MAX_STEPS_BESIDE = 100;

/** The numbers a label writes, as `formatNumber` writes them ("$13,500,001 – $20,500,000" → 13500001, 20500000; "≤ 0.031 clicks per open" → 0.031). */
export const numbersWritten = (label: string): number[] => [...label.matchAll(/-?[$€£₹]?\d[\d,]*(?:\.\d+)?/g)].map(([text]) => Number(text.replace(/[^\d.-]/g, '')));

/** Whether an axis's labels name whole numbers only ("≤ 2", "3 – 5", "$1,001 – $2,000"): a number no decimal of which they write. */
export const labelsNameWholeNumbers = (labels: readonly string[]) => !labels.some((label) => /\d\.\d/.test(label));

/**
 * Whether every value bin's label of a numeric `axis` names values the bin holds: the ends of "3 – 5", the one value of
 * "4", the end of "≤ 2" and "≥ 7", read in float32 as `axisBin` reads a value, and of "> 7" the top edge itself (of whole
 * numbers, the greatest at most it: "> 30" over 30.5). A label an older LeadLens made may not: "0.16 – 0.174" over an
 * edge of 0.1603, where 0.16 is in the bin below.
 */
export function labelsNameTheirBins(axis: ShapeAxis): boolean {
  const { edges, labels } = axis;
  const top = edges.length; // the bin before "missing"
  if (top === 0) return true; // one value bin: no ends to name
  const above = (x: number, edge: number) => Math.fround(x) > edge;
  const atMost = (x: number, edge: number) => Math.fround(x) <= edge;
  const whole = labelsNameWholeNumbers(labels);
  return labels.slice(0, top + 1).every((label, bin) => {
    const [first, last = first] = numbersWritten(label);
    if (first === undefined) return false;
    if (bin < top) return (bin === 0 || above(first, edges[bin - 1])) && atMost(last, edges[bin]);
    const edge = edges[top - 1];
    return label.startsWith('>') ? Math.fround(first) === edge || (whole && first === Math.floor(edge)) : above(first, edge);
  });
}

/**
 * One label for the value bins `first` … `last` of a numeric axis, made from the bins' own labels
 * ("≤ 2", "3 – 5 days", "6 days", "≥ 7 days"): "3 – 6 days", "≤ 6 days", "3 days or more". The one
 * labeller of an ideal, the model card's and the side panel's, so for a lead with no pairs the two
 * name their range alike (but for an end written with the digits that hold a lead's value lying
 * between it and its edge: insights.ts `axisHoldingLead`). It writes the ends the bins' labels write, values the bins hold
 * (`labelsNameTheirBins`): "0.161 – 0.205" over an edge of 0.1603, never "0.16", which is in the bin below.
 */
export function rangeLabel(axis: Pick<ShapeAxis, 'labels'>, first: number, last: number): string {
  const { labels } = axis;
  if (first === last) return labels[first];
  const top = labels.length - 2; // the bin before "missing"
  if (first === 0 && last === top) return ANY_VALUE;
  const upperEnd = (label: string) => label.split(' – ').at(-1)!; // "3 – 5 days" → "5 days"
  const lowerEnd = (label: string) => label.split(' – ')[0].replace(/\D+$/, ''); // "3 – 5 days", "3 days" → "3"
  if (first === 0) return `≤ ${upperEnd(labels[last])}`;
  if (last === top) return `${lowerEnd(labels[first])}${labels[top].replace(/^.*\d/, '')} or more`; // the unit after the top bin's number
  return `${lowerEnd(labels[first])} – ${upperEnd(labels[last])}`;
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
 * a value], of one length: what to rank by and the training rows per bin. Where an ideal starts
 * from (`supportedIdeal`).
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

/**
 * The least change of log-odds a rep sees: odds ×1.05, the least the two-digit odds factor shows
 * as more than "×1". The values of an ideal score alike when they lie within it of each other.
 */
export const LEAST_VISIBLE_POINTS = 0.05;

/** A feature's ideal (`supportedIdeal`): value bins `first` … `last`, `mean` the mean of what was ranked over their training rows. */
export interface IdealBins extends IdealRange {
  /**
   * The bin the ideal's run was found around (`supportedIdeal`); of a range kept whole, its well-held bin ranked highest, else
   * (a range of thin bins) its bin ranked highest of those whose run of values scoring alike holds MIN_IDEAL_SHARE of the
   * range's rows; null when none does.
   */
  best: number | null;
  /** Whether a number's best-supported range stands whole, no run of it scoring alike holding enough rows: its values may score far apart. */
  whole: boolean;
}

/** A feature's ideal and the value bins enough training rows hold (`supportedIdeal`). */
export interface SupportedIdeal {
  ideal: IdealBins;
  /**
   * [value bins] Whether a bin is well held: it holds as many rows as a range must on its own
   * (`leastIdealRows`), or lies in the best-supported range and holds at least MIN_IDEAL_SHARE of
   * that range's rows. Never a value only a few training rows had, whose score they alone may have
   * set: what the side panel's plan may move a lead to.
   */
  wellHeld: boolean[];
}

/**
 * A feature's ideal: the values that score best, and alike, among those enough training rows
 * had. One rule for the trainer's ideal (`values` the shape's scores) and the side panel's for
 * one lead (`values` the log-odds the lead gains at each bin, its pairs included): for a lead with
 * no pairs, whose gains are the scores less its own bin's, the two are one range.
 *  1. The range enough rows hold with the highest mean (`bestSupportedRange`).
 *  2. For a number, the run of the range's bins around its bin ranked highest whose values all lie
 *     within LEAST_VISIBLE_POINTS of each other (in the model's log-odds, before calibration),
 *     widened below it first, then above, never past the range, holding as many rows as a range
 *     must (`leastIdealRows`: a run of fewer is the chance spike MIN_IDEAL_SHARE keeps out, "492 –
 *     496 days" of 37 leads in 5,000); else the run around the range's next bin, and so on, of
 *     those ranked no more than LEAST_VISIBLE_POINTS below the range's mean over its well-held bins
 *     (a bin of a row or two can lift a range's mean by chance): never a run visibly worse than the
 *     range. A range's mean hides bins that add far less or take odds away ("9 or more" at ×1.4,
 *     where 9 gives ×1.14 and 17 ×0.92), and others that add far more: every value of the run
 *     scores about alike.
 *  3. When no such run holds that many rows (a shape of thin, uneven bins), the range stands whole
 *     (`whole`).
 * A category's ideal is its best-supported level: a level is one value, nothing to narrow. `mean`
 * is the mean of `values` over the ideal's rows. Null when no range holds enough rows.
 *
 * `values` and `rows` [value bins of the axis, "missing" left out], of one length.
 */
export function supportedIdeal(values: readonly number[], rows: readonly number[], neighbours: boolean): SupportedIdeal | null {
  const range = bestSupportedRange(values, rows, neighbours);
  if (!range) return null;
  const rowsOf = (first: number, last: number) => rows.slice(first, last + 1).reduce((sum, n) => sum + n, 0);
  const meanOf = (first: number, last: number) => rows.slice(first, last + 1).reduce((sum, n, k) => sum + n * values[first + k], 0) / rowsOf(first, last);
  const leastRows = leastIdealRows(rowsOf(0, rows.length - 1));
  const rangeRows = rowsOf(range.first, range.last);
  const inRange = (bin: number) => bin >= range.first && bin <= range.last;
  const wellHeld = rows.map((n, bin) => n >= leastRows || (inRange(bin) && n >= MIN_IDEAL_SHARE * rangeRows));
  const byValue = (a: number, b: number) => values[b] - values[a] || a - b;
  const heldBins = [...values.keys()].filter((bin) => inRange(bin) && wellHeld[bin]);
  /** The run of the range's bins around `seed` whose values lie within LEAST_VISIBLE_POINTS of each other, ending at bins some rows hold. */
  const runAround = (seed: number) => {
    let [first, last, least, most] = [seed, seed, values[seed], values[seed]];
    const alike = (bin: number) => {
      if (Math.max(most, values[bin]) - Math.min(least, values[bin]) > LEAST_VISIBLE_POINTS) return false;
      [least, most] = [Math.min(least, values[bin]), Math.max(most, values[bin])];
      return true;
    };
    while (first > range.first && alike(first - 1)) first--;
    while (last < range.last && alike(last + 1)) last++;
    while (rows[first] === 0) first++;
    while (rows[last] === 0) last--;
    return { first, last };
  };
  // What a lead can get in the range: its best value enough of its rows had, alone or with values scoring alike beside
  // it (a range of many thin bins), never a bin of a row or two; else none (the lead's nearest value stands for it).
  const alikeHeld = (bin: number) => {
    const { first, last } = runAround(bin);
    return rowsOf(first, last) >= MIN_IDEAL_SHARE * rangeRows;
  };
  const best = (heldBins.length > 0 ? heldBins : [...values.keys()].filter((bin) => inRange(bin) && rows[bin] > 0 && alikeHeld(bin))).sort(byValue)[0] ?? null;
  const rangeAsIdeal = (whole: boolean) => ({ ideal: { ...range, best, whole }, wellHeld });
  if (!neighbours) return rangeAsIdeal(false); // a level is one value: nothing to narrow, nothing scoring apart
  const heldRows = heldBins.reduce((sum, bin) => sum + rows[bin], 0);
  const heldMean = heldRows > 0 ? heldBins.reduce((sum, bin) => sum + rows[bin] * values[bin], 0) / heldRows : range.mean;
  const seeds = [...values.keys()].filter((bin) => inRange(bin) && rows[bin] > 0 && values[bin] >= heldMean - LEAST_VISIBLE_POINTS).sort(byValue);
  for (const seed of seeds) {
    const { first, last } = runAround(seed);
    if (rowsOf(first, last) >= leastRows) return { ideal: { first, last, mean: meanOf(first, last), best: seed, whole: false }, wellHeld };
  }
  return rangeAsIdeal(true);
}
