/**
 * The shape functions of a trained model as the manifest holds them: each term's bins labelled
 * as a rep reads them, with the float32 contribution the model adds per bin, and each
 * feature's ideal value.
 */
import { digitsTellingApart, formatNumber, formatNumberRange } from '../featurize';
import type { Feature, TermShape } from '../manifest';
import { rangeLabel, supportedIdeal } from '../shape';
import type { EbmModel, EbmTerm } from './ebm';

/** Label of the missing bin, the last bin of every shape axis. */
const MISSING_BIN_LABEL = 'missing';

/** Whole numbers a range of a whole-number feature can span and still name them exactly ("3 – 5"); wider ranges read by their edges. */
const EXACT_WHOLE_RANGE = 100;

/**
 * Labels of an axis's bins as a rep reads them, the missing bin last: a categorical feature's
 * levels; Yes / No; or numeric ranges "≤ 3", "3 – 7", "> 7" between `edges` (value ≤ edge).
 * For a feature whose values are all whole numbers (counts, days) the ranges name the whole
 * numbers inside them: edges 2.5, 5.5, 6.5 read "≤ 2", "3 – 5", "6", "≥ 7"; a range of a
 * hundred whole numbers or more (money) reads by its edges: "$1,000 – $2,000".
 */
export function binLabels(feature: Feature, edges: readonly number[], wholeNumbers = false): string[] {
  if (feature.type === 'categorical') return [...(feature.vocabulary ?? []), MISSING_BIN_LABEL];
  if (feature.type === 'boolean' && edges.length === 1 && edges[0] > 0 && edges[0] < 1) return ['No', 'Yes', MISSING_BIN_LABEL];
  if (edges.length === 0) return ['any', MISSING_BIN_LABEL];
  // Edges are float32: show the number they stand for (2,249,999,872 → 2,250,000,000).
  const tidy = (v: number) => Number(v.toPrecision(6));
  // One number of digits for the axis: an edge reads the same in the two labels it bounds.
  const extra = digitsTellingApart(edges.map(tidy));
  const fmt = (v: number) => formatNumber(tidy(v), feature.unit, extra);
  const range = (low: number, high: number): string => {
    if (wholeNumbers) {
      const first = Math.floor(low) + 1; // the smallest whole number in (low, high]
      const last = Math.floor(high);
      // Counts and days read exactly ("3 – 5"); a wide range (money) reads by its edges, but a
      // half-way edge by the whole number on this side of it: 2,317.5 would print as 2,318,
      // which is in the next bin.
      if (first <= last && last - first < EXACT_WHOLE_RANGE) return first === last ? fmt(first) : formatNumberRange(first, last, feature.unit);
      if (first <= last) return formatNumberRange(Number.isInteger(tidy(low)) ? tidy(low) : first, Number.isInteger(tidy(high)) ? tidy(high) : last, feature.unit);
    }
    return formatNumberRange(tidy(low), tidy(high), feature.unit, extra);
  };
  const top = edges[edges.length - 1];
  const ranges = [`≤ ${fmt(wholeNumbers ? Math.floor(edges[0]) : edges[0])}`];
  for (let i = 1; i < edges.length; i++) ranges.push(range(edges[i - 1], edges[i]));
  ranges.push(wholeNumbers && !Number.isInteger(top) ? `≥ ${fmt(Math.floor(top) + 1)}` : `> ${fmt(top)}`);
  return [...ranges, MISSING_BIN_LABEL];
}

/** Per feature [F]: whether every known value in X [N, F] is a whole number. */
export function wholeNumberFeatures(X: Float32Array, F: number): boolean[] {
  const whole = new Array<boolean>(F).fill(true);
  for (let i = 0; i < X.length; i++) {
    const v = X[i];
    if (v === v && !Number.isInteger(v)) whole[i % F] = false;
  }
  return whole;
}

/**
 * One axis of a term's shape in the manifest's bin order (value bins, then missing), built from
 * the model's fine bins (0 = missing, 1…B) and the term's map of fine bin → the term's own bin
 * (identity for mains, the coarse grid for pairs). Numeric axes get one bin per run of fine bins
 * the term does not tell apart; categorical axes one bin per level (`edges` empty, bin = code).
 */
function shapeAxis(feature: Feature, wholeNumbers: boolean, cuts: Float32Array, fineToTermBin: ArrayLike<number>): { labels: string[]; edges: number[]; termBins: number[] } {
  const B = cuts.length + 1;
  const firstFineBins: number[] = []; // [value bins] the first fine bin of each axis bin
  const edges: number[] = [];
  for (let k = 1; k <= B; k++) {
    if (feature.type === 'categorical' || k === 1 || fineToTermBin[k] !== fineToTermBin[k - 1]) {
      firstFineBins.push(k);
      if (feature.type !== 'categorical' && k > 1) edges.push(cuts[k - 2]); // upper edge of the previous run: x <= cuts[k − 2] ⇔ fine bin < k
    }
  }
  const termBins = [...firstFineBins, 0].map((k) => fineToTermBin[k]);
  return { labels: binLabels(feature, edges, wholeNumbers), edges, termBins };
}

/**
 * The term's shape function for the manifest: the exact float32 contributions the model (and
 * its ONNX trees) adds per bin, after centring and purification.
 */
export function termShape(model: EbmModel, term: EbmTerm, features: Feature[], wholeNumbers: readonly boolean[]): TermShape {
  const identity = (f: number) => Uint16Array.from({ length: model.cuts[f].length + 2 }, (_, k) => k);
  const axes = term.features.map((f, a) => shapeAxis(features[f], wholeNumbers[f], model.cuts[f], term.maps ? term.maps[a] : identity(f)));
  const scores: number[] = [];
  if (axes.length === 1) for (const t of axes[0].termBins) scores.push(term.values[t]);
  else {
    const nB = term.shape![1];
    for (const ta of axes[0].termBins) for (const tb of axes[1].termBins) scores.push(term.values[ta * nB + tb]);
  }
  return { axes: axes.map(({ labels, edges }) => ({ labels, edges })), scores };
}

/**
 * A feature's ideal for the manifest's reference, by the shape's contribution per value bin: the
 * values that score best, and alike, among those enough rows hold (`supportedIdeal`, the one rule
 * the side panel's ideal keeps too: for a lead with no pairs it names this range), labelled as the
 * side panel labels it, from the labels of the bins it spans (`rangeLabel`: a number's range "995 –
 * 4,622 employees", not "2,318 – 2,362"; "31 or more"); its contribution the mean over their
 * training rows, which every value of a narrowed range scores within ×1.05 of. Never a category's
 * pooled "(other)" (`otherCode`). Empty when nothing holds enough.
 * `scores` and `rows` [value bins]: the shape's contribution and training rows per value bin of
 * `axis` ("missing" left out).
 */
export function idealOf(
  feature: Feature,
  axis: Pick<TermShape['axes'][number], 'edges'>,
  scores: readonly number[],
  rows: readonly number[],
  wholeNumbers: boolean,
): { idealValue: string; idealContribution: number } {
  // The pooled "(other)" is no ideal: no one value (the values too rare to learn), none a rep could name; the side panel's is the same.
  const levelRows = rows.map((n, bin) => (bin === feature.otherCode ? 0 : n));
  const supported = supportedIdeal(scores, levelRows, feature.type === 'numeric');
  if (!supported) return { idealValue: '', idealContribution: 0 };
  const { first, last, mean } = supported.ideal;
  // Named from the axis's bin labels by the side panel's labeller: the two cannot word one range apart.
  return { idealValue: rangeLabel({ labels: binLabels(feature, axis.edges, wholeNumbers) }, first, last), idealContribution: mean };
}
