/**
 * Cross-validation of the trainer: one model per fold fitted on the other folds, and the
 * calibration cross-fitted over the same folds (the folds themselves are ./splits.ts).
 */
import type { Calibration } from '../manifest';
import { applyCalibration, fitIsotonic, fitPlatt } from './calibration';
import { fitEbm, predictLogit, type EbmData, type EbmOptions, type EbmProgress } from './ebm';
import { prAuc, rocAuc } from './metrics';

/** What `crossValidate` returns. */
interface CrossValidation {
  /** Out-of-fold raw logits [N]. */
  oofLogits: Float64Array;
  /** Test rows per fold. */
  folds: Int32Array[];
  foldRocAuc: number[];
  foldPrAuc: number[];
  foldFitSeconds: number[];
}

/** The complement of `test` in 0…n−1, ascending. */
export function trainRowsOf(test: Int32Array, n: number): Int32Array {
  const inTest = new Uint8Array(n);
  for (const r of test) inTest[r] = 1;
  const out = new Int32Array(n - test.length);
  let k = 0;
  for (let i = 0; i < n; i++) if (!inTest[i]) out[k++] = i;
  return out;
}

/** Fit one model per fold on the other folds; predict its fold. */
export function crossValidate(
  data: EbmData,
  folds: Int32Array[],
  ebm: Partial<EbmOptions>,
  hooks: { onProgress?: (fold: number, p: EbmProgress) => void; signal?: AbortSignal } = {},
): CrossValidation {
  const n = data.y.length;
  const oofLogits = new Float64Array(n);
  const foldRocAuc: number[] = [];
  const foldPrAuc: number[] = [];
  const foldFitSeconds: number[] = [];
  folds.forEach((test, k) => {
    const train = trainRowsOf(test, n);
    const t0 = performance.now();
    const model = fitEbm(data, train, ebm, { signal: hooks.signal, onProgress: (p) => hooks.onProgress?.(k, p) });
    foldFitSeconds.push((performance.now() - t0) / 1000);
    const logit = predictLogit(model, data.X, data.F, test);
    const y = Uint8Array.from(test, (r) => data.y[r]);
    test.forEach((r, i) => (oofLogits[r] = logit[i]));
    foldRocAuc.push(rocAuc(y, logit));
    foldPrAuc.push(prAuc(y, logit));
  });
  return { oofLogits, folds, foldRocAuc, foldPrAuc, foldFitSeconds };
}

/** The calibration map of `kind` fitted on `labels` and their `logits`. */
export function fitCalibration(kind: Calibration['kind'], labels: Uint8Array, logits: Float64Array): Calibration {
  if (kind === 'platt') return { kind: 'platt', ...fitPlatt(labels, logits) };
  if (kind === 'isotonic') return { kind: 'isotonic', ...fitIsotonic(labels, logits) };
  return { kind: 'none' };
}

/**
 * Calibrated held-out probabilities [N] where each fold's map was fitted on the other folds'
 * out-of-fold logits: an honest ECE / log loss of the calibrated model.
 */
export function crossFittedProbabilities(kind: Calibration['kind'], labels: Uint8Array, oof: Float64Array, folds: Int32Array[]): Float64Array {
  const out = new Float64Array(labels.length);
  const n = labels.length;
  for (const test of folds) {
    const train = trainRowsOf(test, n);
    const cal = fitCalibration(kind, Uint8Array.from(train, (r) => labels[r]), Float64Array.from(train, (r) => oof[r]));
    for (const r of test) out[r] = applyCalibration(cal, oof[r]);
  }
  return out;
}
