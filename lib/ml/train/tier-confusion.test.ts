/**
 * The manifest's held-out tier counts test a value or fixed policy's thresholds as new leads
 * would meet them: each lead counted by a calibration its own outcome did not fit. Through the
 * shipped isotonic map, fitted on these same leads, a step is hot only when its own leads
 * converted at the break-even or more, so the hot tier did by construction. The options page's
 * preview and report count the leads a model learnt from the same way, each tier's size too.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { crossFittedProbabilities } from './cross-validation';
import { trainModel } from './index';
import { confusionAt } from './metrics';
import { previewLabelled } from '../tier-policy';
import { stratifiedKFold } from './splits';

/** Leads with a weak signal in 3 of 7 numbers (held-out ROC-AUC about 0.64), about 12% converted. */
function weakSignalLeads(n: number, seed: number): Record<string, string>[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const x = Array.from({ length: 7 }, () => random() * 2 - 1);
    const logit = -2.2 + 0.5 * (1.6 * x[0] + 1.0 * x[1] + 0.6 * x[2]);
    return { ...Object.fromEntries(x.map((value, f) => [`x${f}`, value.toFixed(3)])), converted: random() < 1 / (1 + Math.exp(-logit)) ? '1' : '0' };
  });
}

describe('the held-out tier counts of a value policy on a small history calibrated by isotonic regression', () => {
  const breakEven = 0.25;
  const trained = trainModel({
    records: weakSignalLeads(2000, 1),
    target: 'converted',
    now: new Date(Date.UTC(2026, 0, 1)),
    options: { calibration: 'isotonic', policy: { kind: 'value', revenuePerConversion: 1000, costPerContact: 1000 * breakEven } },
  });
  const { manifest, labels } = trained;
  const { hot, warm } = manifest.metrics.tierConfusion!;
  // The same folds' logits, each through a map fitted on the other folds: no lead's outcome tiers it.
  const crossFitted = crossFittedProbabilities('isotonic', labels, trained.heldOutLogits, stratifiedKFold(labels, 5, 42));

  it('count each lead by the calibration cross-fitted over the folds, not by the shipped map fitted on its own outcome', () => {
    expect(manifest.calibration.kind).toBe('isotonic');
    expect(hot.threshold).toBe(breakEven);
    expect(hot).toEqual({ threshold: hot.threshold, ...confusionAt(labels, crossFitted, hot.threshold) });
    expect(warm).toEqual({ threshold: warm.threshold, ...confusionAt(labels, crossFitted, warm.threshold) });
    // The profit at the hot threshold is the hot tier's: (revenue · conversions − cost · contacts) per lead.
    const [, profitAtHot] = manifest.metrics.profit!.find(([threshold]) => threshold >= hot.threshold)!;
    expect(profitAtHot).toBeCloseTo((1000 * hot.tp - 250 * (hot.tp + hot.fp)) / labels.length, 12);
  });

  it('say the hot tier converts below its break-even when its leads do: the shipped map held it at or above it by construction', () => {
    const shipped = confusionAt(labels, trained.heldOutProbabilities, hot.threshold);
    expect(shipped.precision).toBeGreaterThanOrEqual(breakEven); // what the map fitted on these leads says, whatever they are
    expect(hot.precision).toBeLessThan(breakEven);
    expect(manifest.metrics.profit!.find(([threshold]) => threshold >= hot.threshold)![1]).toBeLessThan(0);
  });

  it('are what the options page previews for the leads it learnt from, by the probabilities the training keeps of them: each tier sized and counted on the same ones', () => {
    const labelled = {
      labels,
      probabilities: trained.heldOutProbabilities,
      ranked: trained.heldOutProbabilities,
      crossFitted: { probabilities: trained.heldOutCrossFittedProbabilities, ranked: trained.heldOutCrossFittedProbabilities },
    };
    const preview = previewLabelled(labelled, manifest.tiers.policy, manifest.calibration, { revenuePerConversion: 1000, costPerContact: 1000 * breakEven, leadsPerPeriod: labels.length });
    expect({ threshold: hot.threshold, ...preview.markers.hot.confusion }).toEqual(hot);
    expect({ threshold: warm.threshold, ...preview.markers.warm.confusion }).toEqual(warm);
    // Hot holds the card's hot leads, a week of as many new leads as these, and converts at its precision: below the break-even.
    expect(preview.outcomes.hot.expectedContacts).toBeCloseTo(hot.tp + hot.fp, 9);
    expect(preview.outcomes.hot.withOutcome).toBe(hot.tp + hot.fp);
    expect(preview.outcomes.hot.conversionRate).toBe(hot.precision);
    expect(preview.outcomes.hot.conversionRate).toBeLessThan(breakEven);
  });

  it('say in the model card what the probability counted is', () => {
    expect(trained.modelCard).toContain(
      'Held-out leads at each tier threshold (called = probability ≥ threshold; the probability is the lead\'s held-out logit through the same kind of calibration ' +
        'fitted again without the lead\'s fold (cross-fitted), so no lead\'s own outcome put it above or below a threshold, as none puts a new lead). ' +
        'The thresholds come from the value policy\'s revenue and cost alone',
    );
  });
});
