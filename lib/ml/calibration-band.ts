/** The calibration bin a probability falls in, to show how leads scored like it actually converted. */
import { FEW_LEADS_FOR_A_RATE, formatDistinctRates, formatProbability, formatRate, plural } from '../presentation';
import type { Manifest } from './manifest';

/** A calibration bin as the side panel reads it: its [lowest, highest] probability, and its lead count, when the model recorded them. */
export interface CalibrationBand {
  predicted: number;
  observed: number;
  leads?: number;
  range?: [number, number];
}

/**
 * The [mean predicted, observed] bin of `probability`, with how many held-out leads it holds and
 * the probabilities it spans (each unknown for older models), or null when the manifest has no
 * calibration curve. The bin is the one whose range holds the probability (between two, the
 * nearer; past either end, the end bin): an equal-count top bin spans 22%–80% around a mean of
 * 34%, and a lead at 73% belongs to it, not to the bin whose mean is nearest. Older models,
 * without ranges: the bin whose mean is nearest.
 */
export function calibrationBand(manifest: Manifest, probability: number): CalibrationBand | null {
  const bins = manifest.metrics.calibration;
  if (!bins || bins.length === 0) return null;
  const ranges = manifest.metrics.calibrationRanges;
  const distance = ranges
    ? (i: number) => Math.max(0, ranges[i][0] - probability, probability - ranges[i][1])
    : (i: number) => Math.abs(bins[i][0] - probability);
  let nearest = 0;
  bins.forEach((_, i) => {
    if (distance(i) < distance(nearest)) nearest = i;
  });
  const [predicted, observed] = bins[nearest];
  const leads = manifest.metrics.calibrationLeads?.[nearest];
  const range = ranges?.[nearest];
  return { predicted, observed, ...(leads !== undefined && { leads }), ...(range && { range }) };
}

/**
 * The band in a rep's words: how many such leads there were, what they were scored, and when too
 * few to go by. What share converted is a rate (`formatRate`): "100%" when all did, "0%" when
 * none did, never a lead's ">99%" or "<0.1%".
 */
export function describeCalibrationBand({ predicted, observed, leads, range }: CalibrationBand): string {
  const which = leads === undefined ? 'the leads' : `the ${plural(leads, 'lead', 'leads')}`;
  const few = leads !== undefined && leads < FEW_LEADS_FOR_A_RATE ? ': too few to go by' : '';
  return `Of ${which} the model scored ${range ? rangeInWords(range) : `near ${formatProbability(predicted)}`}, ${formatRate(observed)} converted (training data${few}).`;
}

/** "22%–80%", its ends never reading the same; one figure when the bin's leads all scored it. */
function rangeInWords([lowest, highest]: [number, number]): string {
  if (lowest === highest) return formatRate(lowest);
  const [from, to] = formatDistinctRates([lowest, highest]);
  return from === to ? from : `${from}–${to}`;
}
