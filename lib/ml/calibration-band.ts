/** The calibration bin a probability falls in, to show how leads scored like it actually converted. */
import type { Manifest } from './manifest';

/** The [mean predicted, observed] bin nearest to `probability`, or null when the manifest has no calibration curve. */
export function calibrationBand(manifest: Manifest, probability: number): { predicted: number; observed: number } | null {
  const bins = manifest.metrics.calibration;
  if (!bins || bins.length === 0) return null;
  const [predicted, observed] = bins.reduce((best, bin) => (Math.abs(bin[0] - probability) < Math.abs(best[0] - probability) ? bin : best));
  return { predicted, observed };
}
