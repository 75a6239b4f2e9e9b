/**
 * Counts the training data never shows above another count (website visits ≤ page views: every
 * visit views a page). "What would make it hotter" raises counts one at a time; without these
 * bounds it could promise a score for a lead with more visits than page views, a record no CRM
 * holds and the model never saw.
 */
import type { Feature } from '../manifest';

/** Rows with both counts known below which no bound is trusted: a few rows agree by chance. */
export const MIN_ROWS_FOR_BOUND = 30;

/**
 * A count a rep's work raises (engagement): a field's number as is, actionable. Other numbers
 * (annual revenue) are left out: a count is below them by chance, not because it must be.
 */
const isEngagementCount = (feature: Feature) => feature.type === 'numeric' && feature.derive.kind === 'value' && feature.actionable;

/**
 * For each feature of `features` [F], the keys of the engagement counts it was never above in
 * `X` [N, F] (NaN = missing), over at least MIN_ROWS_FOR_BOUND rows where both are known, and
 * below in at least one (two copies of one count bound nothing).
 */
export function countBounds(features: readonly Feature[], X: Float32Array, N: number): string[][] {
  const F = features.length;
  const counts = features.flatMap((feature, f) => (isEngagementCount(feature) ? [f] : []));
  return features.map((feature, a) => {
    if (!isEngagementCount(feature)) return [];
    return counts
      .filter((b) => {
        if (b === a) return false;
        let both = 0;
        let below = false;
        for (let i = 0; i < N; i++) {
          const va = X[i * F + a];
          const vb = X[i * F + b];
          if (Number.isNaN(va) || Number.isNaN(vb)) continue;
          if (va > vb) return false;
          both++;
          if (va < vb) below = true;
        }
        return below && both >= MIN_ROWS_FOR_BOUND;
      })
      .map((b) => features[b].key);
  });
}
