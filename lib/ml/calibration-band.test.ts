import { describe, expect, it } from 'vitest';
import { bundledModel } from './bundled-model';
import { calibrationBand, describeCalibrationBand } from './calibration-band';
import type { Manifest } from './manifest';

const parsed = bundledModel.manifest();
if (!parsed.ok) throw new Error(parsed.error);
const bundled = parsed.manifest;
const withBins = (calibration: [number, number][], calibrationLeads?: number[], calibrationRanges?: [number, number][]): Manifest => ({ ...bundled, metrics: { ...bundled.metrics, calibration, calibrationLeads, calibrationRanges } });
// Equal-count bins as the trainer writes them: the top one spans 22 %–80 % around a mean of 34 %.
const quantileBins = withBins(
  [[0.05, 0.04], [0.12, 0.116], [0.342, 0.36]],
  [500, 500, 500],
  [[0.01, 0.09], [0.1, 0.2], [0.22, 0.8]],
);

describe('calibrationBand', () => {
  it('finds the bin nearest the probability, with how many held-out leads it holds', () => {
    const manifest = withBins([[0.05, 0.04], [0.2, 0.25], [0.8, 0.9]], [900, 80, 12]);
    expect(calibrationBand(manifest, 0.07)).toEqual({ predicted: 0.05, observed: 0.04, leads: 900 });
    expect(calibrationBand(manifest, 0.3)).toEqual({ predicted: 0.2, observed: 0.25, leads: 80 });
    expect(calibrationBand(manifest, 0.99)).toEqual({ predicted: 0.8, observed: 0.9, leads: 12 });
    // A model trained before the counts were kept: the bin without one.
    expect(calibrationBand(withBins([[0.2, 0.25]]), 0.3)).toEqual({ predicted: 0.2, observed: 0.25 });
    expect(calibrationBand(withBins([]), 0.3)).toBeNull();
  });

  it("finds the bin whose probability range holds the lead's, not the bin whose mean is nearest", () => {
    const top = { predicted: 0.342, observed: 0.36, leads: 500, range: [0.22, 0.8] };
    expect(calibrationBand(quantileBins, 0.73)).toEqual(top); // inside its range
    expect(calibrationBand(quantileBins, 0.23)).toEqual(top); // inside it too, though the middle bin's mean (12 %) is nearer
    expect(calibrationBand(quantileBins, 0.1)).toEqual({ predicted: 0.12, observed: 0.116, leads: 500, range: [0.1, 0.2] }); // on its lowest edge
    // Between two bins: the nearer range (0.205 is 0.005 above the middle's, 0.015 below the top's).
    expect(calibrationBand(quantileBins, 0.205)?.range).toEqual([0.1, 0.2]);
    expect(calibrationBand(quantileBins, 0.215)?.range).toEqual([0.22, 0.8]);
    // Past either end: that end's bin.
    expect(calibrationBand(quantileBins, 0.001)?.range).toEqual([0.01, 0.09]);
    expect(calibrationBand(quantileBins, 0.95)?.range).toEqual([0.22, 0.8]);
  });

  it("counts the bundled model's held-out leads in its bins", () => {
    const leads = bundled.metrics.calibrationLeads ?? [];
    expect(leads).toHaveLength(bundled.metrics.calibration?.length ?? -1);
    expect(leads.reduce((sum, n) => sum + n, 0)).toBe(5000); // every lead of its history is held out once
  });
});

describe('describeCalibrationBand', () => {
  it('says how many leads the rate is of, and when they are too few to go by', () => {
    expect(describeCalibrationBand({ predicted: 0.2, observed: 0.25, leads: 1200 })).toBe('Of the 1,200 leads the model scored near 20%, 25% converted (training data).');
    expect(describeCalibrationBand({ predicted: 0.8, observed: 1, leads: 8 })).toBe('Of the 8 leads the model scored near 80%, 100% converted (training data: too few to go by).');
    expect(describeCalibrationBand({ predicted: 0.2, observed: 0.25 })).toBe('Of the leads the model scored near 20%, 25% converted (training data).');
  });

  it('writes the share that converted as a rate: all is "100 %", none "0 %", never a lead\'s ">99 %" or "<1 %"', () => {
    expect(describeCalibrationBand({ predicted: 0.82, observed: 1, leads: 30, range: [0.61, 0.97] })).toBe('Of the 30 leads the model scored 61%–97%, 100% converted (training data).');
    expect(describeCalibrationBand({ predicted: 0.004, observed: 0, leads: 60, range: [0.001, 0.008] })).toBe('Of the 60 leads the model scored 0.1%–0.8%, 0% converted (training data).');
    // Nearly all is not all, and a few is not none.
    expect(describeCalibrationBand({ predicted: 0.9, observed: 0.996, leads: 500, range: [0.8, 0.99] })).toBe('Of the 500 leads the model scored 80%–99%, 99.6% converted (training data).');
    expect(describeCalibrationBand({ predicted: 0.01, observed: 0.004, leads: 500, range: [0.001, 0.02] })).toBe('Of the 500 leads the model scored 0.1%–2%, 0.4% converted (training data).');
  });

  it("words a lead's bin by the probabilities it spans, so a 73 % lead is not read against the bin's 34 % mean", () => {
    expect(describeCalibrationBand(calibrationBand(quantileBins, 0.73)!)).toBe('Of the 500 leads the model scored 22%–80%, 36% converted (training data).');
    expect(describeCalibrationBand(calibrationBand(quantileBins, 0.05)!)).toBe('Of the 500 leads the model scored 1%–9%, 4% converted (training data).');
    // Ends that would round alike read apart; a bin of one probability reads it once.
    expect(describeCalibrationBand({ predicted: 0.222, observed: 0.2, leads: 40, range: [0.221, 0.224] })).toBe('Of the 40 leads the model scored 22.1%–22.4%, 20% converted (training data).');
    expect(describeCalibrationBand({ predicted: 0.09, observed: 0.01, leads: 12, range: [0.09, 0.09] })).toBe('Of the 12 leads the model scored 9%, 1% converted (training data: too few to go by).');
  });

  it('reads a model trained before the ranges were kept as before: the bin with the nearest mean, "near" it', () => {
    const old = withBins([[0.05, 0.04], [0.12, 0.116], [0.342, 0.36]], [500, 500, 500]);
    expect(calibrationBand(old, 0.73)).toEqual({ predicted: 0.342, observed: 0.36, leads: 500 });
    expect(describeCalibrationBand(calibrationBand(old, 0.73)!)).toBe('Of the 500 leads the model scored near 34%, 36% converted (training data).');
    expect(calibrationBand(old, 0.23)).toEqual({ predicted: 0.12, observed: 0.116, leads: 500 });
  });
});
