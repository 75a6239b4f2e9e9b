/**
 * From calibrated probabilities to hot / warm thresholds, by the admin's tier policy, and
 * the business view of a choice: the profit curve it sits on and what each tier yields.
 * Probabilities [N] should be out-of-fold and calibrated, so they mean what new leads' will.
 */
import type { Tier } from '../../messaging/protocol';
import type { TierPolicy, Tiers } from '../manifest';
import { tierOf } from '../score';
import {
  assertSameLength,
  downsampleCurve,
  MAX_CURVE_POINTS,
  thresholdSteps,
  type CurvePoint,
  type Labels,
  type Scores,
} from './metrics';

export type TierThresholds = Pick<Tiers, 'hot' | 'warm'>;

/**
 * The profit curve [threshold, profit per lead], threshold ascending, downsampled for the manifest:
 * the profit per lead of contacting every lead with p ≥ t, for each distinct probability t,
 * (revenue · conversions − cost · contacts) / N.
 */
export function profitCurve(
  labels: Labels,
  probs: Scores,
  revenuePerConversion: number,
  costPerContact: number,
  maxPoints = MAX_CURVE_POINTS,
): CurvePoint[] {
  const steps = thresholdSteps(labels, probs);
  const curve = Array.from(steps.thresholds, (t, d): CurvePoint => {
    const contacts = steps.truePositives[d] + steps.falsePositives[d];
    return [t, (revenuePerConversion * steps.truePositives[d] - costPerContact * contacts) / labels.length];
  }).reverse();
  return downsampleCurve(curve, maxPoints);
}

/**
 * Value policy, from its economics alone: no lead's outcome moves it.
 * - hot: the break-even probability b = cost / revenue. A contact's expected profit
 *   p · revenue − cost is ≥ 0 from there on, so with calibrated probabilities contacting every
 *   lead at or above b earns the most on new leads. (The profit maximum over labelled leads is
 *   b plus their chance: it flatters those leads' figures and moves from one sample to the next.)
 * - warm: b / 2, the leads whose expected revenue covers at least half a contact's cost.
 * Both at most 1: when a contact costs more than a conversion brings (b > 1) nobody is worth
 * one, and only a certain conversion (p = 1) is hot.
 */
function valueThresholds(revenuePerConversion: number, costPerContact: number): TierThresholds {
  const breakEven = costPerContact / revenuePerConversion;
  return { hot: Math.min(1, breakEven), warm: Math.min(1, breakEven / 2) };
}

/**
 * The probability of the lead ranked round(share · N) from the top (at least the first):
 * thresholding there puts that share of the data's leads at or above it (more on ties).
 */
function probabilityAtTopShare(descending: Float64Array, share: number): number {
  const rank = Math.min(descending.length, Math.max(1, Math.round(share * descending.length)));
  return descending[rank - 1];
}

/** Capacity policy: the top hotPerWeek/inflowPerWeek of leads are hot, the next warmPerWeek/inflowPerWeek warm. */
function capacityThresholds(probs: Scores, hotPerWeek: number, warmPerWeek: number, inflowPerWeek: number): TierThresholds {
  if (probs.length === 0) throw new Error('capacity thresholds need at least one lead');
  const descending = Float64Array.from(probs).sort().reverse();
  const hotShare = Math.min(1, hotPerWeek / inflowPerWeek);
  const workedShare = Math.min(1, (hotPerWeek + warmPerWeek) / inflowPerWeek);
  const hot = probabilityAtTopShare(descending, hotShare);
  const warm = workedShare > hotShare ? probabilityAtTopShare(descending, workedShare) : hot;
  return { hot, warm };
}

/** 0.125 → "12.5%" (rounded to 0.01 %, so float noise such as 0.3 · 100 = 30.000000000000004 does not show). */
function asPercent(probability: number): string {
  return `${Math.round(probability * 10_000) / 100}%`;
}

/**
 * Calibrated-probability thresholds for a tier policy: p ≥ hot → hot, p ≥ warm → warm.
 * `probs` [N] are the leads a capacity policy's thresholds are chosen on, by rank (it reads no
 * outcome; a value policy reads neither); `fixed` gives the thresholds of a `fixed` policy
 * (required then, ignored otherwise).
 */
export function tierThresholds(
  policy: TierPolicy,
  labels: Labels,
  probs: Scores,
  fixed?: TierThresholds,
): TierThresholds {
  assertSameLength(labels, probs);
  switch (policy.kind) {
    case 'value':
      return valueThresholds(policy.revenuePerConversion, policy.costPerContact);
    case 'capacity':
      return capacityThresholds(probs, policy.hotPerWeek, policy.warmPerWeek, policy.inflowPerWeek);
    case 'fixed':
      if (fixed === undefined) throw new Error('a fixed tier policy needs its hot and warm thresholds');
      if (!(fixed.warm >= 0 && fixed.warm <= fixed.hot && fixed.hot <= 1)) {
        // In percent, as the admin types them.
        throw new Error(`Fixed thresholds need 0% ≤ warm ≤ hot ≤ 100%, got warm ${asPercent(fixed.warm)}, hot ${asPercent(fixed.hot)}`);
      }
      return { hot: fixed.hot, warm: fixed.warm };
  }
}

export interface TierOutcome {
  /** Share of the leads that land in the tier. */
  share: number;
  /** Leads per period in the tier: the contacts if the team works the whole tier. */
  expectedContacts: number;
  /** expectedContacts · conversionRate. */
  expectedConversions: number;
  /** Observed conversion rate of the tier's leads in the data; null for a tier no lead falls in (unknown, not 0 %). */
  conversionRate: number | null;
}

/** What each tier would hold and yield per period of `leadsPerPeriod` new leads, read off labelled leads [N]. */
export function expectedOutcomes(
  labels: Labels,
  probs: Scores,
  thresholds: TierThresholds,
  leadsPerPeriod: number,
): Record<Tier, TierOutcome> {
  assertSameLength(labels, probs);
  const counts: Record<Tier, { leads: number; conversions: number }> = {
    hot: { leads: 0, conversions: 0 },
    warm: { leads: 0, conversions: 0 },
    cold: { leads: 0, conversions: 0 },
  };
  for (let i = 0; i < labels.length; i++) {
    const tier = counts[tierOf(probs[i], thresholds)];
    tier.leads++;
    tier.conversions += labels[i];
  }
  const outcome = ({ leads, conversions }: { leads: number; conversions: number }): TierOutcome => {
    const share = labels.length > 0 ? leads / labels.length : 0;
    const conversionRate = leads > 0 ? conversions / leads : null;
    const expectedContacts = share * leadsPerPeriod;
    // An empty tier expects no contacts, so none of its conversions either.
    return { share, expectedContacts, expectedConversions: conversionRate === null ? 0 : expectedContacts * conversionRate, conversionRate };
  };
  return { hot: outcome(counts.hot), warm: outcome(counts.warm), cold: outcome(counts.cold) };
}
