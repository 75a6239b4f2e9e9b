/**
 * The check an imported model passes before it may be activated: it loads, and one run on
 * synthetic rows gives `probability` [N] in [0, 1] and `contributions` [N, T] with T = the
 * manifest's terms.
 */
import type { EngineOutput } from './engine';
import type { Manifest } from './manifest';
import { syntheticRows } from './synthetic-rows';

const CHECK_ROWS = 2;
const CHECK_SEED = 1;

export async function checkModelOutputs(
  manifest: Manifest,
  run: (rows: Float32Array, featureCount: number) => Promise<EngineOutput>,
): Promise<void> {
  const rows = syntheticRows(manifest.features, CHECK_ROWS, CHECK_SEED); // [N * F]
  const output = await run(rows, manifest.features.length);
  if (output.probability.length !== CHECK_ROWS) {
    throw new Error(`The model returned ${output.probability.length} probabilities for ${CHECK_ROWS} rows`);
  }
  if (!output.probability.every((p) => Number.isFinite(p) && p >= 0 && p <= 1)) {
    throw new Error('The model returned probabilities outside 0–1');
  }
  if (output.terms !== manifest.terms.length || output.contributions.length !== CHECK_ROWS * manifest.terms.length) {
    throw new Error(`The model returned ${output.terms} contributions per lead, but its manifest lists ${manifest.terms.length} terms`);
  }
}
