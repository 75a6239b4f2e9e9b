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

const LOWEST_SCORE = 1;
const HIGHEST_SCORE = 99;

const within = (value: number, lowest: number, highest: number) => Math.min(highest, Math.max(lowest, value));

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
  return within(Math.round((below + atOrBelow) / 2), LOWEST_SCORE, HIGHEST_SCORE);
}

export function tierOf(probability: number, tiers: Pick<Tiers, 'hot' | 'warm'>): Tier {
  if (probability >= tiers.hot) return 'hot';
  if (probability >= tiers.warm) return 'warm';
  return 'cold';
}

/** What a probability's score and tier are read against: the model's reference percentiles and the tier thresholds in force (a `Manifest` is one). */
export interface ScoreScale {
  reference: Pick<Manifest['reference'], 'probabilityPercentiles'>;
  tiers: Pick<Tiers, 'hot' | 'warm'>;
}

/**
 * The lowest score of the hot tier and of the warm tier: the percentile score of a probability
 * at the threshold, but that each tier a probability can fall in keeps a score of its own: cold
 * one under warm's (none when warm is 0: no probability is under it), warm one under hot's (none
 * when warm is hot: no lead is warm).
 */
function lowestTierScores({ reference, tiers }: ScoreScale): { hot: number; warm: number } {
  const percentiles = reference.probabilityPercentiles;
  const warmLowest = tiers.warm > 0 ? LOWEST_SCORE + 1 : LOWEST_SCORE;
  const warmHoldsLeads = tiers.warm < tiers.hot;
  const hot = within(percentileScore(tiers.hot, percentiles), warmHoldsLeads ? warmLowest + 1 : warmLowest, HIGHEST_SCORE);
  return { hot, warm: warmHoldsLeads ? within(percentileScore(tiers.warm, percentiles), warmLowest, hot - 1) : hot };
}

/**
 * The score and tier a rep sees: the one rule for every score shown, stored, exported or written
 * to the CRM. The score is the percentile score (`percentileScore`) kept within its tier's own
 * scores, so one score never shows as two tiers, and it never falls as the probability rises: a
 * lead at or over a threshold scores at least the threshold's percentile score, a lead under it
 * at most one less. "Score N of 99" reads as the lead's percentile among the reference leads,
 * but that a lead sharing a threshold's percentile under it scores one less (hot from 90: a warm
 * lead in the 90th percentile scores 89), and at the edges, where each tier keeps a score of its
 * own: a tier over cold starts at 2 at least (hot at 3 over a warm tier), so a threshold under
 * every reference lead (score 1) lifts its leads to that, and a lead under every reference lead
 * scores 1 only when cold (or warm, with warm at 0); warm starts one under hot at most, so warm
 * within hot's percentile, or hot at 99, puts warm's leads one under hot's. A model that
 * tells no lead apart (every percentile one probability), tiered at that probability (a fixed
 * policy's), scores its leads at or over it 50, those the engine rounds under it 49.
 */
export function scoreAndTier(probability: number, scale: ScoreScale): { score: number; tier: Tier } {
  const tier = tierOf(probability, scale.tiers);
  const lowest = lowestTierScores(scale);
  const [tierLowest, tierHighest] = tier === 'hot' ? [lowest.hot, HIGHEST_SCORE] : tier === 'warm' ? [lowest.warm, lowest.hot - 1] : [LOWEST_SCORE, lowest.warm - 1];
  return { score: within(percentileScore(probability, scale.reference.probabilityPercentiles), tierLowest, tierHighest), tier };
}
