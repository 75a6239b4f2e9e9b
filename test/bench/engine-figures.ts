/**
 * The engine throughput figures `npm run bench` writes (test/bench/bench.ts), from rounds of
 * timings: each round times every row count in the engine's worker and as the offscreen document
 * runs it, back to back (entrypoints/offscreen/main.ts), then in onnxruntime-node.
 */
import type { Throughput } from '../../lib/ml/throughput';

/** One row count's timings in one round: in the engine's worker, through the offscreen document, and in onnxruntime-node. */
export interface EngineRound {
  inWorker: Throughput;
  throughDocument: Throughput;
  native: Throughput;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** The rounds' measures of the same rows as one: the median of their calls' median times. */
export function acrossRounds(measures: readonly Throughput[]): Throughput {
  const medianSeconds = median(measures.map((measure) => measure.medianSeconds));
  const rows = measures[0].rows;
  return { rows, runs: measures.reduce((sum, measure) => sum + measure.runs, 0), medianSeconds, rowsPerSecond: rows / medianSeconds };
}

/** The extension's engine (`side`) against onnxruntime-node: the median of the rounds' ratios of rows per second. */
export function ratioToNative(rounds: readonly EngineRound[], side: 'inWorker' | 'throughDocument'): number {
  return median(rounds.map((round) => round[side].rowsPerSecond / round.native.rowsPerSecond));
}

/**
 * What the hop to the worker and back adds to a call, in ms, as the table writes it: the median of
 * the rounds' differences when the document was slower in every round; otherwise the difference is
 * within what the timings vary by, and it says so (with the largest difference either way), never a
 * negative hop.
 */
export function hopPerCall(rounds: readonly Pick<EngineRound, 'inWorker' | 'throughDocument'>[]): string {
  const differences = rounds.map(({ inWorker, throughDocument }) => (throughDocument.medianSeconds - inWorker.medianSeconds) * 1000);
  if (differences.every((difference) => difference > 0)) {
    return `${median(differences).toFixed(2)} (rounds ${Math.min(...differences).toFixed(2)}–${Math.max(...differences).toFixed(2)})`;
  }
  return `within noise (±${Math.max(...differences.map(Math.abs)).toFixed(2)})`;
}

/**
 * Refuses figures of a model other than the one the repository bundles (models/manifest.json):
 * a stale build, or a profile with another model active, would write a section of another model.
 */
export function assertBundledModel(measuredModelId: string, bundledModelId: string): void {
  if (measuredModelId !== bundledModelId) {
    throw new Error(
      `The extension measured model ${measuredModelId}, but models/manifest.json bundles ${bundledModelId}: ` +
        'its build is stale (run `npm run bench`, which builds first) or another model is active. Nothing was written.',
    );
  }
}
