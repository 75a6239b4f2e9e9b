/**
 * The shape functions of a trained model as the manifest holds them: each term's bins labelled
 * as a rep reads them, with the float32 contribution the model adds per bin, and each
 * feature's ideal value.
 */
import { digitsTellingApart, formatNumber, formatNumberRange } from '../featurize';
import type { Feature, TermShape } from '../manifest';
import { rangeLabel, supportedIdeal, writtenBeside } from '../shape';
import type { EbmModel, EbmTerm } from './ebm';

/** Decimals a bin's label may add to the axis's to name a number the bin holds, or hold a lead's: float32 tells no more apart. */
const MAX_MORE_DECIMALS = 9;

/** Label of the missing bin, the last bin of every shape axis. */
const MISSING_BIN_LABEL = 'missing';

/**
 * Labels of an axis's bins as a rep reads them, the missing bin last: a categorical feature's
 * levels; Yes / No; or for a number the values each bin holds between `edges` (value ≤ edge, in
 * float32: `axisBin`), written by their least and greatest: "≤ 0.031", "0.032 – 0.072", "> 0.9".
 * A label's ends are values its bin holds, never an edge the bin below ends at: over an edge of
 * 0.1603, "0.161 – 0.205", not "0.16 – 0.205", and "$13,500,001 – $20,500,000" over
 * $13,500,000. For a feature whose values are all whole numbers (counts, days, money) in whole
 * units: edges 2.5, 5.5, 6.5 read "≤ 2", "3 – 5", "6", "≥ 7".
 * `holding`, a number (a lead's, as written beside them), is written within its own bin's ends: where it lies between
 * an end and the bin's edge, the bin's label has the digits that hold it (0.1607 over an edge of 0.1603: "0.1603 –
 * 0.174", not "0.161 – 0.174"). Every other end is as without it.
 */
export function binLabels(feature: Feature, edges: readonly number[], wholeNumbers = false, holding?: number): string[] {
  const label = binLabeller(feature, edges, wholeNumbers);
  const bins = feature.type === 'categorical' ? (feature.vocabulary ?? []).length + 1 : edges.length + 2;
  return Array.from({ length: bins }, (_, bin) => label(bin, holding));
}

/**
 * The label `binLabels` gives one bin, `holding` as it reads it, without working out the others': a lead's bin, with
 * and without its number (insights.ts `axisHoldingLead`).
 */
export function binLabeller(feature: Feature, edges: readonly number[], wholeNumbers = false): (bin: number, holding?: number) => string {
  const named =
    feature.type === 'categorical'
      ? [...(feature.vocabulary ?? []), MISSING_BIN_LABEL]
      : feature.type === 'boolean' && edges.length === 1 && edges[0] > 0 && edges[0] < 1
        ? ['No', 'Yes', MISSING_BIN_LABEL]
        : edges.length === 0
          ? ['any', MISSING_BIN_LABEL]
          : undefined;
  if (named) return (bin) => named[bin];
  // Edges are float32: the digits are those that tell apart the numbers they stand for (2,249,999,872 → 2,250,000,000).
  const extra = wholeNumbers ? 0 : digitsTellingApart(edges.map((v) => Number(v.toPrecision(6))));
  /**
   * The decimals a number about `edge` is written with (`more` beyond the axis's): `formatNumber`'s and the axis's
   * `extra`, none for whole numbers, and never finer than float32 tells numbers apart there (tens or hundreds past
   * 16,777,216: the model reads $285,000,001 as $285,000,000).
   */
  const decimalsAbout = (edge: number, more: number) => {
    const size = Math.abs(edge);
    const written = wholeNumbers ? 0 : (size >= 100 ? 0 : size >= 1 ? 1 : 2) + extra;
    const told = edge === 0 ? written : Math.floor(-Math.log10(2 ** (Math.floor(Math.log2(size)) - 23)));
    return Math.min(written, told) + more;
  };
  const fmt = (v: number, decimals: number) => formatNumber(v, feature.unit, Math.max(0, decimals));
  /** The number written beside `edge` for the bin above it or the bin it ends (`writtenBeside`), with `more` decimals. */
  const beside = (edge: number, above: boolean, more = 0) => writtenBeside(edge, decimalsAbout(edge, more), above);
  /** Whether `holding` is in bin (low, high], as `axisBin` reads it (±Infinity at an open end). */
  const holds = (holding: number | undefined, low: number, high: number) => holding !== undefined && Math.fround(holding) > low && Math.fround(holding) <= high;
  /**
   * The number written beside `edge` for the bin above it or the bin it ends (`beside`), with `more` decimals, or more
   * where `holding`, in that bin (`held`), lies beyond it (then as without it if none holds it), and those decimals.
   */
  const endBeside = (edge: number, above: boolean, more: number, held: boolean, holding?: number) => {
    for (let finer = more; held && finer <= MAX_MORE_DECIMALS; finer++) {
      const end = beside(edge, above, finer);
      if (above ? end <= holding! : end >= holding!) return { end, decimals: decimalsAbout(edge, finer) };
    }
    return { end: beside(edge, above, more), decimals: decimalsAbout(edge, more) };
  };
  const fmtEnd = ({ end, decimals }: ReturnType<typeof endBeside>) => fmt(end, decimals);
  /** The least and greatest numbers bin (low, high] holds, written with the axis's decimals, or more where it holds none at those. */
  const range = (low: number, high: number, holding?: number): string => {
    const held = holds(holding, low, high);
    for (let more = 0; more <= MAX_MORE_DECIMALS; more++) {
      const [least, greatest] = [endBeside(low, true, more, held, holding), endBeside(high, false, more, held, holding)];
      const decimals = Math.max(least.decimals, greatest.decimals);
      if (least.end === greatest.end) return fmt(least.end, decimals);
      if (least.end < greatest.end) return formatNumberRange(least.end, greatest.end, feature.unit, Math.max(0, decimals));
    }
    // A bin no float32 falls in (edges an imported manifest wrote closer than float32 tells apart, or past its range): by its edges.
    return formatNumberRange(low, high, feature.unit, extra);
  };
  const [bottom, top] = [edges[0], edges[edges.length - 1]];
  return (bin, holding) => {
    if (bin === 0) return `≤ ${fmtEnd(endBeside(bottom, false, 0, holds(holding, -Infinity, bottom), holding))}`;
    if (bin < edges.length) return range(edges[bin - 1], edges[bin], holding);
    if (bin > edges.length) return MISSING_BIN_LABEL;
    // Above the top edge: "> 7" where the edge is a number written (`holding` above it is above that), else from the least number above it ("≥ 7" over 6.5).
    const topWritten = beside(top, false);
    return Math.fround(topWritten) === top ? `> ${fmt(topWritten, decimalsAbout(top, 0))}` : `≥ ${fmtEnd(endBeside(top, true, 0, holds(holding, top, Infinity), holding))}`;
  };
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
