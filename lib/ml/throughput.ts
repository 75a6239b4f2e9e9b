/**
 * How many rows per second a scoring function handles, measured the same way in the
 * browser and in Node. Runs are timed in batches long enough for a coarse clock (pages
 * that are not cross-origin isolated get ~0.1 ms timers); the median batch counts,
 * because these machines are shared and noisy.
 */
import { z } from 'zod';

export const ThroughputSchema = z.object({
  rows: z.number(),
  /** Scoring calls made, over all batches. */
  runs: z.number(),
  /** Median time of one call. */
  medianSeconds: z.number(),
  rowsPerSecond: z.number(),
});
export type Throughput = z.infer<typeof ThroughputSchema>;

const BATCH_SECONDS = 0.02;

export async function measureThroughput(
  score: () => Promise<unknown>,
  rows: number,
  { minSeconds = 1, minBatches = 5, maxBatches = 200 } = {},
): Promise<Throughput> {
  // Warm-up (session creation, first allocation), then size the batch from one timed call.
  await score();
  let before = performance.now();
  await score();
  const oneCall = Math.max((performance.now() - before) / 1000, 1e-5);
  const callsPerBatch = Math.max(1, Math.ceil(BATCH_SECONDS / oneCall));

  const perCall: number[] = [];
  const start = performance.now();
  while (perCall.length < maxBatches && (perCall.length < minBatches || performance.now() - start < minSeconds * 1000)) {
    before = performance.now();
    for (let i = 0; i < callsPerBatch; i++) await score();
    perCall.push((performance.now() - before) / 1000 / callsPerBatch);
  }
  perCall.sort((a, b) => a - b);
  const medianSeconds = perCall[Math.floor(perCall.length / 2)];
  return { rows, runs: perCall.length * callsPerBatch, medianSeconds, rowsPerSecond: rows / medianSeconds };
}
