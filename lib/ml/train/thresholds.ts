/**
 * From calibrated probabilities to hot / warm thresholds, by the admin's tier policy, and
 * the business view of a choice: the profit curve it sits on and what each tier yields.
 * Probabilities [N] should be out-of-fold and calibrated, so they mean what new leads' will.
 */
import type { Tier } from '../../messaging/protocol';
import type { TierPolicy, Tiers } from '../manifest';
import { SAME_PROBABILITY_TOLERANCE, tierOf } from '../score';
import {
  assertSameLength,
  downsampleCurve,
  MAX_CURVE_POINTS,
  thresholdSteps,
  type CurvePoint,
  type Labels,
  type Scores,
} from './metrics';

/** The thresholds a lead's tier is set by (a model's `tiers`): p ≥ hot → hot, p ≥ warm → warm. */
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

/** One cut of a capacity policy through the ranked leads, and how far what it holds is from what was asked. */
export interface CapacityCut {
  /** The share of leads asked at or above the cut: hotPerWeek / inflowPerWeek for hot, (hot + warm) / inflow for hot and warm together; at most 1. */
  askedShare: number;
  /** The leads it aims at: askedShare of them, rounded, at least one. */
  asked: number;
  /** The leads at or above `threshold`: `asked` unless a tie moved the cut. */
  held: number;
  /** The leads sharing the probability at the asked rank, when some of them rank above it and some below (0 when the cut falls between two probabilities). */
  tied: number;
  /** That probability (the asked rank's). */
  tiedProbability: number;
  /** Without the tie's leads when `held` includes them, with them when it does not: what the other side of the tie would hold. */
  otherwise: number;
  /** The tiers asked for leads that the other side of the tie would leave empty: why the cut is not on the side nearer the asked count (empty when it is). */
  otherwiseEmpty: ('warm' | 'cold')[];
  /** Just under the lowest probability held (`thresholdHolding`), so the held leads stay at or above it when ONNX Runtime scores them. */
  threshold: number;
}

/** Where a capacity policy cuts N ranked leads: hot, and hot and warm together (null without warm capacity: warm is then empty). */
export interface CapacityCuts {
  leads: number;
  hot: CapacityCut;
  worked: CapacityCut | null;
}

/** How many of `leads` leads a capacity cut aims to hold for `share` of them: rounded, at least one. */
export const askedLeadCount = (share: number, leads: number): number => Math.min(leads, Math.max(1, Math.round(share * leads)));

/** The shares of the leads a capacity policy asks to be hot, and hot or warm together (`worked`). */
export function capacityPolicyShares({ hotPerWeek, warmPerWeek, inflowPerWeek }: Extract<TierPolicy, { kind: 'capacity' }>): { hot: number; worked: number } {
  return { hot: Math.min(1, hotPerWeek / inflowPerWeek), worked: Math.min(1, (hotPerWeek + warmPerWeek) / inflowPerWeek) };
}

/**
 * How far under the lowest probability it holds a capacity cut's threshold sits: the trainer
 * reads probabilities in its float32 arithmetic (`calibratedProbabilityF32`), the extension from
 * ONNX Runtime, up to 1.9e-7 apart, so a threshold at a lead's probability would drop that lead
 * (a flat model's every lead) a tier when ONNX Runtime scores it a step lower. Half of
 * `SAME_PROBABILITY_TOLERANCE`: the threshold is still the same probability as the lead's to the
 * percentile score (`percentileScore`), whose window around it reaches the lead with room to spare.
 */
export const CUT_MARGIN = SAME_PROBABILITY_TOLERANCE / 2;

/**
 * The threshold that holds the top `held` of the `descending` probabilities: `CUT_MARGIN` under
 * the lowest of them, but above the next lower probability (halfway to it when they are closer
 * than twice that), so these leads split as counted; never under 0.
 */
function thresholdHolding(descending: Float64Array, held: number): number {
  const lowestHeld = descending[held - 1];
  if (held === descending.length) return Math.max(0, lowestHeld - CUT_MARGIN);
  const nextLower = descending[held];
  const halfway = nextLower + (lowestHeld - nextLower) / 2;
  // Probabilities one float64 step apart have nothing between them: the threshold stays on the held one.
  return halfway > nextLower ? Math.max(lowestHeld - CUT_MARGIN, halfway) : lowestHeld;
}

/**
 * The cuts that can put `share` of the `descending` probabilities at or above their threshold,
 * the better first: at the probability of the lead ranked round(share · N) from the top (at
 * least the first), the threshold just under it (`thresholdHolding`). Leads of one probability
 * are never split, so when that lead's probability is shared across the rank the cut goes above
 * all of them or below all of them: first the side holding nearer the asked count (above on an
 * equal distance: no more than asked without need). Never above the top lead: that cut would hold none.
 */
function cutsAt(descending: Float64Array, share: number): CapacityCut[] {
  const asked = askedLeadCount(share, descending.length);
  const probability = descending[asked - 1];
  let above = asked - 1;
  while (above > 0 && descending[above - 1] === probability) above--;
  let atOrAbove = asked;
  while (atOrAbove < descending.length && descending[atOrAbove] === probability) atOrAbove++;
  const holding = (held: number) => ({ held, threshold: thresholdHolding(descending, held) });
  const exact = { askedShare: share, asked, ...holding(asked), tied: 0, tiedProbability: probability, otherwise: asked, otherwiseEmpty: [] };
  if (atOrAbove === asked) return [exact];
  const tie = { ...exact, tied: atOrAbove - above };
  const cutBelow = { ...tie, ...holding(atOrAbove), otherwise: above };
  if (above === 0) return [cutBelow];
  const cutAbove = { ...tie, ...holding(above), otherwise: atOrAbove };
  return asked - above <= atOrAbove - asked ? [cutAbove, cutBelow] : [cutBelow, cutAbove];
}

/**
 * Capacity policy: the top hotPerWeek/inflowPerWeek of `probs` [N] are hot, the next
 * warmPerWeek/inflowPerWeek warm, each cut on a side of its tie as `cutsAt` prefers, unless
 * that leaves empty a tier asked for at least one lead (warm between the cuts, cold below them)
 * and the other side of a tie does not (a tier of no lead helps nobody; one over capacity is said
 * by the preview): the cuts leaving the fewest such tiers empty, hot's preferred side first, then
 * warm's. Pure: the same leads, in any order, give the same cuts.
 */
export function capacityCuts(probs: Scores, policy: Extract<TierPolicy, { kind: 'capacity' }>): CapacityCuts {
  if (probs.length === 0) throw new Error('capacity thresholds need at least one lead');
  const descending = Float64Array.from(probs).sort().reverse();
  const leads = descending.length;
  const { hot: hotShare, worked: workedShare } = capacityPolicyShares(policy);
  const hotCuts = cutsAt(descending, hotShare);
  const workedCuts = workedShare > hotShare ? cutsAt(descending, workedShare) : [null];
  // The tiers asked for a lead or more (after rounding to whole leads) that a pair of cuts leaves empty.
  const emptied = (hot: CapacityCut, worked: CapacityCut | null) => {
    const lowest = worked ?? hot;
    return [
      ...(worked && worked.held <= hot.held && worked.asked > hot.asked ? (['warm'] as const) : []),
      ...(lowest.held === leads && lowest.asked < leads ? (['cold'] as const) : []),
    ];
  };
  // Every pair of sides in order of preference; hot and warm together hold at least what hot holds (the side below always does).
  const pairs = hotCuts.flatMap((hot) => workedCuts.filter((worked) => worked === null || worked.held >= hot.held).map((worked) => ({ hot, worked })));
  const best = pairs.reduce((kept, pair) => (emptied(pair.hot, pair.worked).length < emptied(kept.hot, kept.worked).length ? pair : kept));
  const hot = best.hot === hotCuts[0] ? best.hot : { ...best.hot, otherwiseEmpty: [...new Set(pairs.filter((pair) => pair.hot === hotCuts[0]).flatMap((pair) => emptied(pair.hot, pair.worked)))] };
  const worked = best.worked === null || best.worked === workedCuts[0] ? best.worked : { ...best.worked, otherwiseEmpty: emptied(best.hot, workedCuts[0]) };
  return { leads, hot, worked };
}

/** 0.125 → "12.5%" (rounded to 0.01 %, so float noise such as 0.3 · 100 = 30.000000000000004 does not show). */
function asPercent(probability: number): string {
  return `${Math.round(probability * 10_000) / 100}%`;
}

/** The thresholds a capacity policy's cuts (`capacityCuts`) set: hot at its hot cut, warm at the cut of the leads worked (hot's when none more are). */
export const thresholdsOfCuts = ({ hot, worked }: CapacityCuts): TierThresholds => ({ hot: hot.threshold, warm: (worked ?? hot).threshold });

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
      return thresholdsOfCuts(capacityCuts(probs, policy));
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
  /** Share of the leads that land in the tier (of every lead given, outcome known or not). */
  share: number;
  /** Leads per period in the tier: the contacts if the team works the whole tier. */
  expectedContacts: number;
  /** expectedContacts · conversionRate; null when the tier has contacts but no lead of known outcome (unknown, not 0). */
  expectedConversions: number | null;
  /** Observed conversion rate of the tier's leads of known outcome; null for a tier none of them falls in (unknown, not 0 %). */
  conversionRate: number | null;
  /** The tier's leads of known outcome, which its rate (so its conversions and profit) rests on: a handful can fall in a tier though thousands are known. */
  withOutcome: number;
}

/**
 * What each tier would hold and yield per period of `leadsPerPeriod` new leads. Its share of
 * the leads, and so its contacts, need no outcome: read off `everyLead` (every scored lead's
 * probability, default `probs`); its conversion rate is read off the labelled leads [N].
 */
export function expectedOutcomes(
  labels: Labels,
  probs: Scores,
  thresholds: TierThresholds,
  leadsPerPeriod: number,
  everyLead: Scores = probs,
): Record<Tier, TierOutcome> {
  assertSameLength(labels, probs);
  const counts: Record<Tier, { leads: number; known: number; conversions: number }> = {
    hot: { leads: 0, known: 0, conversions: 0 },
    warm: { leads: 0, known: 0, conversions: 0 },
    cold: { leads: 0, known: 0, conversions: 0 },
  };
  for (const probability of everyLead) counts[tierOf(probability, thresholds)].leads++;
  for (let i = 0; i < labels.length; i++) {
    const tier = counts[tierOf(probs[i], thresholds)];
    tier.known++;
    tier.conversions += labels[i];
  }
  const outcome = ({ leads, known, conversions }: { leads: number; known: number; conversions: number }): TierOutcome => {
    const share = everyLead.length > 0 ? leads / everyLead.length : 0;
    const conversionRate = known > 0 ? conversions / known : null;
    const expectedContacts = share * leadsPerPeriod;
    // An empty tier expects no contacts, so none of its conversions either.
    const expectedConversions = conversionRate !== null ? expectedContacts * conversionRate : expectedContacts === 0 ? 0 : null;
    return { share, expectedContacts, expectedConversions, conversionRate, withOutcome: known };
  };
  return { hot: outcome(counts.hot), warm: outcome(counts.warm), cold: outcome(counts.cold) };
}
