/**
 * Whether the leads scored now look like those the model learnt from, before any of their
 * outcomes is known: the stored probabilities' spread over the training leads' deciles
 * (`manifest.reference.probabilityPercentiles`), summed up as a population stability index
 * (PSI = Σ (actual − expected) · ln(actual / expected) over the bins). Pure.
 */

/** Bins of probability: `cuts` [B − 1] ascending, bin b = [cuts[b − 1], cuts[b]); `expected` [B] the training leads' share in each. */
export interface ProbabilityBins {
  cuts: number[];
  expected: number[];
}

/**
 * The training leads' deciles as bins, from their 1st…99th percentiles [99]: 10 % in each
 * when the probabilities are spread out. Where percentiles tie (many leads at one probability,
 * as an isotonic calibration gives) the tied deciles are one bin, and each bin's share is read
 * off the percentiles: the share below a cut is (percentiles under it + 1) %, so a point mass
 * counts in the bin that starts at it, not in the one below.
 */
export function trainingDeciles(percentiles: readonly number[]): ProbabilityBins {
  if (percentiles.length !== 99) throw new Error(`expected 99 percentiles, got ${percentiles.length}`);
  // Sorted as the trainer writes them (an imported manifest might not be).
  const sorted = [...percentiles].sort((a, b) => a - b);
  const cuts = [...new Set(Array.from({ length: 9 }, (_, d) => sorted[(d + 1) * 10 - 1]))];
  // [cuts.length]: the training leads' share under each cut (the first index of a value counts the percentiles under it).
  const below = cuts.map((cut) => (sorted.indexOf(cut) + 1) / 100);
  const expected = [...below, 1].map((share, b) => share - (b === 0 ? 0 : below[b - 1]));
  return { cuts, expected };
}

/** Shares under this count as this, so that an empty bin adds a large but finite term (a common PSI convention). */
const SHARE_FLOOR = 1e-4;

/** PSI of `counts` [B] (stored leads per bin) against the `expected` [B] shares; NaN without any lead. */
export function populationStability(expected: readonly number[], counts: readonly number[]): number {
  if (expected.length !== counts.length) throw new Error(`${counts.length} counts for ${expected.length} bins`);
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return Number.NaN;
  let psi = 0;
  counts.forEach((count, b) => {
    const actual = Math.max(count / total, SHARE_FLOOR);
    const share = Math.max(expected[b], SHARE_FLOOR);
    psi += (actual - share) * Math.log(actual / share);
  });
  return psi;
}

export type DriftLevel = 'stable' | 'moderate' | 'major';

/**
 * Fewer scored leads than this are too few to read a shift from: a sample of N leads adds
 * about (bins − 1) / N to the index by chance alone, so 50 leads drawn from the very training
 * distribution read as a moderate shift more often than not.
 */
export const MIN_LEADS_FOR_DRIFT = 200;

/** The usual reading of a PSI: under 0.1 stable, 0.1 to 0.25 a moderate shift, 0.25 and above a major one. */
export function driftLevel(psi: number): DriftLevel {
  return psi < 0.1 ? 'stable' : psi < 0.25 ? 'moderate' : 'major';
}
