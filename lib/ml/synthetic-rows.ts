/**
 * Deterministic feature rows shaped by a manifest (codes inside each vocabulary, some
 * missing), for measuring scoring speed: the same rows in the browser and in Node.
 */
import type { Feature } from './manifest';
import { mulberry32 } from './random';
import { measureThroughput, type Throughput } from './throughput';

const MISSING_SHARE = 0.15;

/** [N * F] row-major, NaN = missing. */
export function syntheticRows(features: readonly Feature[], count: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const rows = new Float32Array(count * features.length);
  for (let i = 0; i < count; i++) {
    features.forEach((feature, f) => {
      rows[i * features.length + f] = random() < MISSING_SHARE ? Number.NaN : sampleValue(feature, random);
    });
  }
  return rows;
}

/** `run`'s throughput on each of `rowCounts` synthetic rows of `features` (`npm run bench`): in the engine's worker, and as the offscreen document runs it. */
export async function syntheticThroughput(
  features: readonly Feature[],
  rowCounts: readonly number[],
  seed: number,
  run: (rows: Float32Array, featureCount: number) => Promise<unknown>,
): Promise<Throughput[]> {
  const results: Throughput[] = [];
  for (const count of rowCounts) {
    const rows = syntheticRows(features, count, seed); // [count * F]
    results.push(await measureThroughput(() => run(rows, features.length), count));
  }
  return results;
}

function sampleValue(feature: Feature, random: () => number): number {
  if (feature.type === 'boolean') return random() < 0.5 ? 0 : 1;
  if (feature.type === 'categorical') return Math.floor(random() * (feature.vocabulary?.length ?? 1));
  return Math.round(10 ** (random() * 6)) - 1; // 0 … 10⁶, spread over orders of magnitude
}
