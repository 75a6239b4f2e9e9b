/** The calibration bin a probability falls in, to show how leads scored like it actually converted. */
import { FEW_LEADS_FOR_A_RATE, formatProbability, plural } from '../presentation';
import type { Manifest } from './manifest';

type Band = NonNullable<ReturnType<typeof calibrationBand>>;

/**
 * The [mean predicted, observed] bin nearest to `probability`, with how many held-out leads it
 * holds (unknown for older models), or null when the manifest has no calibration curve.
 */
export function calibrationBand(manifest: Manifest, probability: number): { predicted: number; observed: number; leads?: number } | null {
  const bins = manifest.metrics.calibration;
  if (!bins || bins.length === 0) return null;
  let nearest = 0;
  bins.forEach(([predicted], i) => {
    if (Math.abs(predicted - probability) < Math.abs(bins[nearest][0] - probability)) nearest = i;
  });
  const [predicted, observed] = bins[nearest];
  const leads = manifest.metrics.calibrationLeads?.[nearest];
  return leads === undefined ? { predicted, observed } : { predicted, observed, leads };
}

/** The band in a rep's words: how many such leads there were, and when too few to go by. */
export function describeCalibrationBand({ predicted, observed, leads }: Band): string {
  const which = leads === undefined ? 'the leads' : `the ${plural(leads, 'lead', 'leads')}`;
  const few = leads !== undefined && leads < FEW_LEADS_FOR_A_RATE ? ': too few to go by' : '';
  return `Of ${which} the model scored near ${formatProbability(predicted)}, ${formatProbability(observed)} converted (training data${few}).`;
}
