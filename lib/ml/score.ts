/** From a calibrated probability to what a rep sees: the 1–99 score and the tier. */
import type { Manifest, Tiers } from './manifest';
import type { Tier } from '../messaging/protocol';

/**
 * The percentile of `probability` among the reference leads, 1–99, so reps see a spread
 * even when conversion is rare. `percentiles` holds the 1st…99th percentile cut points.
 */
export function percentileScore(probability: number, percentiles: readonly number[]): number {
  // Count cut points at or below p by binary search: percentiles are non-decreasing.
  let low = 0;
  let high = percentiles.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (percentiles[mid] <= probability) low = mid + 1;
    else high = mid;
  }
  return Math.min(99, Math.max(1, low));
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
