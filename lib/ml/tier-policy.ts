/**
 * A tier policy's consequences on labelled leads: the thresholds it gives, the curves they
 * are chosen on (ROC, precision–recall, profit) with the thresholds marked, and what each
 * tier yields per period. Pure; the options page feeds it the stored leads' calibrated
 * probabilities and known outcomes (the manifest keeps curves, not per-lead data).
 */
import type { Tier } from '../messaging/protocol';
import type { TierPolicy } from './manifest';
import { confusionAt, prCurve, rocCurve, type CurvePoint, type Labels, type Scores } from './train/metrics';
import { expectedOutcomes, profitCurve, tierThresholds, type TierOutcome, type TierThresholds } from './train/thresholds';

/** Where a threshold sits on each curve. */
export interface ThresholdMarker {
  threshold: number;
  /** [false-positive rate, true-positive rate] */
  roc: CurvePoint;
  /** [recall, precision] */
  pr: CurvePoint;
}

export interface PolicyPreview {
  thresholds: TierThresholds;
  markers: Record<Exclude<Tier, 'cold'>, ThresholdMarker>;
  roc: CurvePoint[];
  pr: CurvePoint[];
  /** [threshold, profit per lead] */
  profit: CurvePoint[];
  outcomes: Record<Tier, TierOutcome>;
  /** Revenue of the expected hot + warm conversions minus the cost of contacting them, per period. */
  profitPerPeriod: number;
}

export interface Economics {
  revenuePerConversion: number;
  costPerContact: number;
  leadsPerPeriod: number;
}

function marker(labels: Labels, probs: Scores, threshold: number): ThresholdMarker {
  const c = confusionAt(labels, probs, threshold);
  const negatives = c.fp + c.tn;
  return { threshold, roc: [negatives > 0 ? c.fp / negatives : 0, c.recall], pr: [c.recall, c.precision] };
}

export function previewPolicy(
  policy: TierPolicy,
  labels: Labels,
  probs: Scores,
  economics: Economics,
  fixed?: TierThresholds,
): PolicyPreview {
  const thresholds = tierThresholds(policy, labels, probs, fixed);
  const outcomes = expectedOutcomes(labels, probs, thresholds, economics.leadsPerPeriod);
  const worked = [outcomes.hot, outcomes.warm];
  const profitPerPeriod = worked.reduce(
    (sum, tier) => sum + tier.expectedConversions * economics.revenuePerConversion - tier.expectedContacts * economics.costPerContact,
    0,
  );
  return {
    thresholds,
    markers: { hot: marker(labels, probs, thresholds.hot), warm: marker(labels, probs, thresholds.warm) },
    roc: rocCurve(labels, probs),
    pr: prCurve(labels, probs),
    profit: profitCurve(labels, probs, economics.revenuePerConversion, economics.costPerContact),
    outcomes,
    profitPerPeriod,
  };
}
