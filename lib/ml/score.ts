/** From a calibrated probability to what a rep sees: the 1–99 score and the tier. */
import type { Manifest, Tiers } from './manifest';
import type { Tier } from '../messaging/protocol';

/**
 * How far apart a stored score's probability and a reference percentile may be and still be one
 * probability of the model. The percentiles are the trainer's float32 arithmetic
 * (`calibratedProbabilityF32`), stored scores ONNX Runtime's, whose sigmoid (0.5 plus a rational
 * approximation) was up to 1.9e-7 off it in a sweep of logits, whatever the probability: an
 * absolute error, many times a small probability's own float32 step, so the tolerance is absolute
 * too. Far under any difference a score or a drift bin is meant to tell (`scoresPerProbabilityBin` uses it too).
 */
export const SAME_PROBABILITY_TOLERANCE = 1e-6;

/** How many of the non-decreasing `cuts` are below `limit`, or at or below it with `orAt`: by binary search. */
function cutsUnder(cuts: readonly number[], limit: number, orAt: boolean): number {
  let low = 0;
  let high = cuts.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (orAt ? cuts[mid] <= limit : cuts[mid] < limit) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The percentile of `probability` among the reference leads, 1–99, so reps see a spread
 * even when conversion is rare. `percentiles` holds the 1st…99th percentile cut points.
 * A probability tied with cut points (within `SAME_PROBABILITY_TOLERANCE`: many reference leads
 * at one probability, as an isotonic step or a model that tells no lead apart gives) is halfway
 * through them, as a tie's rank is: a model whose every lead has one probability scores each 50,
 * not 1 (under all its cuts) nor 99 (over them).
 */
export function percentileScore(probability: number, percentiles: readonly number[]): number {
  const below = cutsUnder(percentiles, probability - SAME_PROBABILITY_TOLERANCE, false);
  const atOrBelow = cutsUnder(percentiles, probability + SAME_PROBABILITY_TOLERANCE, true);
  return Math.min(99, Math.max(1, Math.round((below + atOrBelow) / 2)));
}

export function tierOf(probability: number, tiers: Pick<Tiers, 'hot' | 'warm'>): Tier {
  if (probability >= tiers.hot) return 'hot';
  if (probability >= tiers.warm) return 'warm';
  return 'cold';
}

export function scoreAndTier(probability: number, manifest: Manifest): { score: number; tier: Tier } {
  return {
    score: percentileScore(probability, manifest.reference.probabilityPercentiles),
    tier: tierOf(probability, manifest.tiers),
  };
}
