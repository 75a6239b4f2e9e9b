/**
 * The calibration error the training report shows: over the model's reliability bins of about
 * equal lead counts, not the equal-width ECE (`metrics.ece`), which at a low base rate puts nearly
 * every lead in its first bin and so measures little more than the mean against the base rate.
 */
import { plural } from '../presentation';
import type { Manifest } from './manifest';

/** The count-weighted mean gap between predicted and observed over `groups` bins holding `leads` held-out leads. */
export interface ReliabilityError {
  error: number;
  groups: number;
  leads: number;
  /** The model's `metrics.folds`: 1, its held-out leads are one 20% holdout, not every lead trained on. */
  folds?: number;
}

/**
 * Σ over the reliability bins of (leads in bin / leads) · |observed rate − mean probability|, or
 * null when the model kept no lead count per bin (older models) or no bins at all.
 */
export function reliabilityError({ calibration, calibrationLeads, folds }: Pick<Manifest['metrics'], 'calibration' | 'calibrationLeads' | 'folds'>): ReliabilityError | null {
  if (!calibration || !calibrationLeads || calibration.length === 0 || calibrationLeads.length !== calibration.length) return null;
  const leads = calibrationLeads.reduce((sum, count) => sum + count, 0);
  const weightedGap = calibration.reduce((sum, [predicted, observed], i) => sum + calibrationLeads[i] * Math.abs(observed - predicted), 0);
  return { error: weightedGap / leads, groups: calibration.length, leads, ...(folds !== undefined && { folds }) };
}

/** Percentage points with two significant digits (at a 1% base rate the gaps are tenths of a point), whole from 10; "1 percentage point". */
function percentagePoints(error: number): string {
  const points = error * 100;
  if (points < 0.01) return 'under 0.01 percentage points';
  return plural(Number(points >= 10 ? points.toFixed(0) : points.toPrecision(2)), 'percentage point', 'percentage points');
}

/** The figure, and what it is over, in an admin's words. */
export function describeReliabilityError({ error, groups, leads, folds }: ReliabilityError): string {
  // Cross-validation scores every lead trained on unseen; one holdout (the CLI's `--cv 0`) only the fifth it kept out.
  const scored = folds === 1 ? 'the 20% of leads held out, scored by a model that did not learn from them' : 'the leads trained on, each scored by a model that did not learn from it';
  return (
    `${percentagePoints(error)}: ${scored}, ` +
    `are put in ${plural(groups, 'group', 'groups')} of about ${plural(Math.round(leads / groups), 'lead', 'leads')} by likelihood, lowest to highest; ` +
    `this is how far each group's mean likelihood is from the share of it that converted, averaged over the groups by their lead count`
  );
}

/** What the calibration error is called wherever it is shown: the training and model reports, and the model card. */
export const CALIBRATION_ERROR_TERM = 'Calibration error (how far "12% likely" is from what happened)';

/**
 * A model's calibration error in words: over its reliability bins of about equal lead counts
 * (`describeReliabilityError`). An older model's bins are of equal width (no `calibrationRanges`):
 * its ECE is named as such, if it has one, with what it is worth.
 */
export function describeCalibrationError(metrics: Manifest['metrics']): string {
  const error = metrics.calibrationRanges && reliabilityError(metrics);
  if (error) return describeReliabilityError(error);
  const unmeasured = 'not measured: this model kept no lead counts for its reliability bins';
  if (metrics.ece === undefined) return unmeasured;
  return `${unmeasured}; its expected calibration error (ECE), over 10 bins of equal width, is ${metrics.ece.toFixed(3)}, which at a low base rate says little more than how far its mean likelihood is from the base rate`;
}
