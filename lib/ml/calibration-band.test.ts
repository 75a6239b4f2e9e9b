import { describe, expect, it } from 'vitest';
import { bundledModel } from './bundled-model';
import { calibrationBand, describeCalibrationBand } from './calibration-band';
import type { Manifest } from './manifest';

const parsed = bundledModel.manifest();
if (!parsed.ok) throw new Error(parsed.error);
const bundled = parsed.manifest;
const withBins = (calibration: [number, number][], calibrationLeads?: number[]): Manifest => ({ ...bundled, metrics: { ...bundled.metrics, calibration, calibrationLeads } });

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

  it("counts the bundled model's held-out leads in its bins", () => {
    const leads = bundled.metrics.calibrationLeads ?? [];
    expect(leads).toHaveLength(bundled.metrics.calibration?.length ?? -1);
    expect(leads.reduce((sum, n) => sum + n, 0)).toBe(5000); // every lead of its history is held out once
  });
});

describe('describeCalibrationBand', () => {
  it('says how many leads the rate is of, and when they are too few to go by', () => {
    expect(describeCalibrationBand({ predicted: 0.2, observed: 0.25, leads: 1200 })).toBe('Of the 1,200 leads the model scored near 20 %, 25 % converted (training data).');
    expect(describeCalibrationBand({ predicted: 0.8, observed: 1, leads: 8 })).toBe('Of the 8 leads the model scored near 80 %, >99 % converted (training data: too few to go by).');
    expect(describeCalibrationBand({ predicted: 0.2, observed: 0.25 })).toBe('Of the leads the model scored near 20 %, 25 % converted (training data).');
  });
});
