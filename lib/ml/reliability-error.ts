/**
 * The calibration error the training report shows: over the model's reliability bins of about
 * equal lead counts, not the equal-width ECE (`metrics.ece`), which at a low base rate puts nearly
 * every lead in its first bin and so measures little more than the mean against the base rate.
 */
import { plural } from '../presentation';
import type { Manifest } from './manifest';
import { chanceMargin } from './train/metrics';

/** The count-weighted mean gap between predicted and observed over `groups` bins holding `leads` held-out leads. */
export interface ReliabilityError {
  error: number;
  groups: number;
  leads: number;
  /** The model's `metrics.folds`: 1, its held-out leads are one 20% holdout, not every lead trained on. */
  folds?: number;
  /**
   * The error a perfectly calibrated model would show over the same bins from binomial noise
   * alone (`chanceReliabilityError`): its mean, and its standard error.
   */
  chance: { error: number; standardError: number };
}

/**
 * Σ over the reliability bins of (leads in bin / leads) · |observed rate − mean probability|, or
 * null when the model kept no lead count per bin (older models) or no bins at all.
 */
export function reliabilityError({ calibration, calibrationLeads, folds }: Pick<Manifest['metrics'], 'calibration' | 'calibrationLeads' | 'folds'>): ReliabilityError | null {
  if (!calibration || !calibrationLeads || calibration.length === 0 || calibrationLeads.length !== calibration.length) return null;
  const leads = calibrationLeads.reduce((sum, count) => sum + count, 0);
  const weightedGap = calibration.reduce((sum, [predicted, observed], i) => sum + calibrationLeads[i] * Math.abs(observed - predicted), 0);
  const chance = chanceReliabilityError(calibration.map(([predicted], i) => ({ probability: predicted, leads: calibrationLeads[i] })));
  return { error: weightedGap / leads, groups: calibration.length, leads, ...(folds !== undefined && { folds }), chance };
}

/**
 * E|X − np| for X ~ Binomial(n, p): 2·m·C(n, m)·pᵐ·(1 − p)ⁿ⁻ᵐ⁺¹ with m = ⌊np⌋ + 1 (De Moivre; Diaconis
 * & Zabell, 1991). Exact, and hardly dearer than the normal approximation √(2/π)·√(np(1 − p)), which
 * misses by 4–7% a bin expecting a conversion or two (200 leads at 1%, 100 at 0.5%), as at a low base
 * rate they do. The same at either m when np is whole, so a rounding of np does not matter. Summed in
 * logs: C(n, m) overflows past n ≈ 1,000.
 */
export function binomialMeanAbsoluteDeviation(n: number, p: number): number {
  const m = Math.floor(n * p) + 1;
  if (p <= 0 || m > n) return 0;
  let logChoose = 0;
  for (let k = 1; k <= m; k++) logChoose += Math.log((n - m + k) / k);
  return 2 * m * Math.exp(logChoose + m * Math.log(p) + (n - m + 1) * Math.log1p(-p));
}

/**
 * The calibration error (count-weighted Σ |observed − predicted|) a perfectly calibrated model
 * would show on bins of these lead counts and mean probabilities: each bin's conversions drawn as
 * Binomial(leads, probability), its |observed − predicted| is |X − np| / n, so the mean is
 * Σ E|X − np| / leads and, the bins being independent, the variance Σ Var|X − np| / leads², with
 * Var|X − np| = np(1 − p) − (E|X − np|)². A bin's leads differ in probability, which only narrows
 * its conversions' spread (Hoeffding, 1956): the mean overstates chance a little, never understates it.
 */
export function chanceReliabilityError(bins: { probability: number; leads: number }[]): { error: number; standardError: number } {
  const total = bins.reduce((sum, { leads }) => sum + leads, 0);
  let deviation = 0;
  let variance = 0;
  for (const { probability, leads } of bins) {
    const meanAbsoluteDeviation = binomialMeanAbsoluteDeviation(leads, probability);
    deviation += meanAbsoluteDeviation;
    variance += Math.max(0, leads * probability * (1 - probability) - meanAbsoluteDeviation ** 2);
  }
  return { error: deviation / total, standardError: Math.sqrt(variance) / total };
}

/**
 * Percentage points with two significant digits (at a 1% base rate the gaps are tenths of a point), whole from 10; "1 percentage point".
 * `about`: said as an estimate, unless it is "under 0.01".
 */
function percentagePoints(error: number, about = false): string {
  const points = error * 100;
  if (points < 0.01) return 'under 0.01 percentage points';
  return `${about ? 'about ' : ''}${plural(Number(points >= 10 ? points.toFixed(0) : points.toPrecision(2)), 'percentage point', 'percentage points')}`;
}

/**
 * What chance alone gives beside the figure, as the ROC-AUC's `chanceNote` does: a perfectly
 * calibrated model's mean error on these bins, and whether this one is within its mean plus the
 * `chanceMargin` of its standard error (what chance gives 95% of the time).
 */
function calibrationChanceNote(error: number, chance: ReliabilityError['chance']): string {
  const within = error <= chance.error + chanceMargin(chance.standardError);
  return (
    `a perfectly calibrated model would show ${percentagePoints(chance.error, true)} on this many leads: ` +
    `this is ${within ? 'within what' : 'more than'} chance alone gives, 95% of the time`
  );
}

/** The figure, and what it is over, in an admin's words. */
export function describeReliabilityError({ error, groups, leads, folds, chance }: ReliabilityError): string {
  // Cross-validation scores every lead trained on unseen; one holdout (the CLI's `--cv 0`) only the fifth it kept out.
  const scored = folds === 1 ? 'the 20% of leads held out, scored by a model that did not learn from them' : 'the leads trained on, each scored by a model that did not learn from it';
  return (
    `${percentagePoints(error)}: ${scored}, ` +
    `are put in ${plural(groups, 'group', 'groups')} of about ${plural(Math.round(leads / groups), 'lead', 'leads')} by likelihood, lowest to highest; ` +
    `this is how far each group's mean likelihood is from the share of it that converted, averaged over the groups by their lead count; ` +
    calibrationChanceNote(error, chance)
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
