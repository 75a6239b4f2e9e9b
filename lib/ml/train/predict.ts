/** The trainer's predictions as the exported model makes them. */
import { calibratedProbabilityF32 } from '../onnx/export';
import type { Calibration } from '../manifest';
import { predictEbm, type EbmModel } from './ebm';

/** The trainer's own calibrated probabilities [N] and contributions [N, T], computed as the ONNX graph does (float32). */
export function predictManifestModel(model: EbmModel, calibration: Calibration, X: Float32Array, F: number): { probability: Float32Array; contributions: Float32Array; logit: Float32Array } {
  const { contributions, logit } = predictEbm(model, X, F);
  return { probability: calibratedProbabilityF32(logit, calibration), contributions, logit };
}
