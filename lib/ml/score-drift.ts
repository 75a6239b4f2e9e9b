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
 * The training leads' deciles as bins, from their 1st…99th percentiles [99]: 10 % in each,
 * except where percentiles tie (many leads with one probability): those deciles are one bin
 * with their shares added, since no probability falls between equal cuts.
 */
export function trainingDeciles(percentiles: readonly number[]): ProbabilityBins {
  if (percentiles.length !== 99) throw new Error(`expected 99 percentiles, got ${percentiles.length}`);
  const cuts: number[] = [];
  const expected = [0.1];
  for (let decile = 1; decile <= 9; decile++) {
    const cut = percentiles[decile * 10 - 1];
    if (cuts.length > 0 && cut <= cuts[cuts.length - 1]) expected[expected.length - 1] += 0.1;
    else {
      cuts.push(cut);
      expected.push(0.1);
    }
  }
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

/** The usual reading of a PSI: under 0.1 stable, 0.1 to 0.25 a moderate shift, 0.25 and above a major one. */
export function driftLevel(psi: number): DriftLevel {
  return psi < 0.1 ? 'stable' : psi < 0.25 ? 'moderate' : 'major';
}
