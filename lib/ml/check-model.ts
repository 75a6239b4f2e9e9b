/**
 * The check an imported or newly trained model passes before it may be activated: it loads, and one run on
 * check rows gives `probability` [N] in [0, 1] and finite `contributions` [N, T] with T = the
 * manifest's terms.
 *
 * When the manifest carries every term's shape function, the run must also be the manifest's
 * own model: each contribution is the shape's score for its bin (exact, see `shape.ts`) and
 * each probability the manifest's calibration of intercept + Σ contributions. Without this a
 * manifest.json paired with another model's model.onnx (same features and terms, e.g. two
 * LeadLens models trained for different outcomes) passes, and the extension shows one model's
 * probabilities with the other's tiers and explanations.
 */
import type { EngineOutput } from './engine';
import { modelHasShapes } from './insights';
import type { Manifest, TermShape } from './manifest';
import { mulberry32 } from './random';
import { termContribution, valueInBin, type ShapeAxis } from './shape';
import { syntheticRows } from './synthetic-rows';
import { applyCalibration } from './train/calibration';

/** Rows for a model without shape functions: there is nothing to compare them with. */
const SHAPELESS_CHECK_ROWS = 2;
const CHECK_SEED = 1;
/**
 * The ONNX graph computes in float32 (~7 significant digits); the manifest's numbers are
 * float64. Honest outputs agree to ~1e-7 per unit of magnitude; another model's do not.
 */
const TOLERANCE = 1e-5;

/**
 * The check runs the model once on all its check rows: one per shape cell (`checkRows`),
 * allocating rows [N × F] and contributions [N × T] as float32 and the expected contributions
 * [N × T] as float64. A manifest is little text for many cells (a pair of two 1,000-label axes
 * is a million cells in a few MB), so its size is capped before anything is allocated.
 * Models trained here have at most 256 cells per main effect (255 bins + missing) and 17 × 17
 * per pair; the bundled model has 5,281 cells, 17 features and 37 terms (0.3 M values).
 * 100,000 cells is ~390 features at the full 255 bins.
 */
export const MAX_CHECK_CELLS = 100_000;
/**
 * Rows × (features + terms): 16 M values are 64 MB of float32 (~190 MB at most with the float64
 * copy). A model trained here with 100 features and 20 pairs needs 6.9 M, with 150 features 14 M.
 */
export const MAX_CHECK_VALUES = 16_000_000;

/**
 * The most cells and values the check of a model trained here could need, before training it:
 * each main effect has at most one bin per distinct value (and at most `maxBins`) plus one for
 * missing; each pair at most (`maxPairBins` + 1)² cells. `distinctValues` [F]: per feature.
 */
export function trainedCheckBound(distinctValues: readonly number[], pairs: number, maxBins: number, maxPairBins: number): { cells: number; values: number } {
  const F = distinctValues.length;
  const cells = distinctValues.reduce((n, distinct) => n + Math.min(distinct, maxBins) + 1, 0) + pairs * (maxPairBins + 1) ** 2;
  return { cells, values: cells * (F + F + pairs) };
}

/** How many rows the check runs (`checkRows`, or a few synthetic rows without shapes) and how many values it holds. */
export function checkSize(manifest: Manifest): { cells: number; rows: number; values: number } {
  const cells = manifest.terms.reduce((n, term) => n + (term.shape?.scores.length ?? 0), 0);
  // Without shapes: the synthetic rows, one with every feature missing and one per feature missing (shapelessCheckRows).
  const rows = modelHasShapes(manifest) ? cells : SHAPELESS_CHECK_ROWS + 1 + manifest.features.length;
  return { cells, rows, values: rows * (manifest.features.length + manifest.terms.length) };
}

/** Throws, saying why, when `manifest` is too large for its check (see `MAX_CHECK_CELLS`). */
export function assertCheckable(manifest: Manifest): void {
  const { cells, values } = checkSize(manifest);
  if (cells > MAX_CHECK_CELLS) {
    throw new Error(
      `This model is too large to check: its shape functions have ${cells.toLocaleString('en-US')} bins in all, at most ${MAX_CHECK_CELLS.toLocaleString('en-US')} are allowed`,
    );
  }
  if (values > MAX_CHECK_VALUES) {
    throw new Error(
      `This model is too large to check: its check would hold ${values.toLocaleString('en-US')} values (rows × (features + terms)), at most ${MAX_CHECK_VALUES.toLocaleString('en-US')} are allowed`,
    );
  }
}

const NOT_A_PAIR = 'This manifest.json and this model.onnx do not belong together; they are files of two different models.';
const PAIR_ADVICE = 'Import the manifest.json that was exported together with this model.onnx.';

export async function checkModelOutputs(
  manifest: Manifest,
  run: (rows: Float32Array, featureCount: number) => Promise<EngineOutput>,
): Promise<void> {
  assertCheckable(manifest); // before allocating anything by the manifest's sizes
  const featureCount = manifest.features.length;
  const withShapes = modelHasShapes(manifest);
  const rows = withShapes ? checkRows(manifest, CHECK_SEED) : shapelessCheckRows(manifest); // [N * F]
  const rowCount = rows.length / featureCount;
  const output = await run(rows, featureCount);
  if (output.probability.length !== rowCount) {
    throw new Error(`The model returned ${output.probability.length} probabilities for ${rowCount} rows`);
  }
  if (!output.probability.every((p) => Number.isFinite(p) && p >= 0 && p <= 1)) {
    throw new Error('The model returned probabilities outside 0–1');
  }
  if (output.terms !== manifest.terms.length || output.contributions.length !== rowCount * manifest.terms.length) {
    throw new Error(`The model returned ${output.terms} contributions per lead, but its manifest lists ${manifest.terms.length} terms`);
  }
  // Before the shapes: a NaN there would read as "another model's" when the model itself cannot explain such a lead.
  const notFinite = output.contributions.findIndex((contribution) => !Number.isFinite(contribution));
  if (notFinite >= 0) {
    throw new Error(
      `The model returned no number (NaN or infinite) for the term "${manifest.terms[notFinite % output.terms].label}" of a test lead, ` +
        'so it could not explain or score such leads. Every term must give a number, also for a lead missing some fields.',
    );
  }
  if (withShapes) checkAgainstShapes(manifest, rows, output);
}

/**
 * Rows for a model without shape functions [N * F]: a few synthetic leads, one with every feature
 * missing, and one per feature with only that one missing. Leads miss fields all the time: a
 * model that gives them no probability or no contribution (an imported one without imputation
 * returns NaN) fails here, not later as leads without a score.
 */
function shapelessCheckRows(manifest: Manifest): Float32Array {
  const F = manifest.features.length;
  const some = syntheticRows(manifest.features, SHAPELESS_CHECK_ROWS, CHECK_SEED);
  const rows = new Float32Array(some.length + (1 + F) * F);
  rows.set(some);
  const base = some.length;
  rows.fill(Number.NaN, base, base + F); // every feature missing
  for (let f = 0; f < F; f++) {
    const at = base + (1 + f) * F;
    rows.set(some.subarray(0, F), at);
    rows[at + f] = Number.NaN;
  }
  return rows;
}

/** Throws, naming the first term (in manifest order) whose ONNX contribution is not its shape's score. */
function checkAgainstShapes(manifest: Manifest, rows: Float32Array, output: EngineOutput): void {
  const F = manifest.features.length;
  const T = manifest.terms.length;
  const N = output.probability.length;
  const expected = new Float64Array(N * T); // [N * T]
  manifest.terms.forEach((term, t) => {
    const shape = term.shape as TermShape; // modelHasShapes
    for (let i = 0; i < N; i++) {
      const want = termContribution(shape, term.features.map((f) => rows[i * F + f]));
      const got = output.contributions[i * T + t];
      if (!(Math.abs(got - want) <= TOLERANCE * Math.max(1, Math.abs(want)))) {
        throw new Error(
          `${NOT_A_PAIR} The first term where they disagree is "${term.label}": for the same test lead model.onnx adds ${got.toFixed(4)} ` +
            `to the log-odds, manifest.json ${want.toFixed(4)}. ${PAIR_ADVICE}`,
        );
      }
      expected[i * T + t] = want;
    }
  });
  for (let i = 0; i < N; i++) {
    let logit = manifest.intercept;
    let magnitude = Math.abs(manifest.intercept);
    for (let t = 0; t < T; t++) {
      logit += expected[i * T + t];
      magnitude += Math.abs(expected[i * T + t]);
    }
    // float32 rounds the graph's logit by up to ~1e-7 of the summands' magnitude, and a steep
    // calibration (an isotonic jump) magnifies that: accept what the calibration gives anywhere
    // within that rounding of the logit (calibrations are monotone, so the ends bound it).
    const slack = TOLERANCE * (1 + magnitude);
    const [a, b] = [applyCalibration(manifest.calibration, logit - slack), applyCalibration(manifest.calibration, logit + slack)];
    const got = output.probability[i];
    if (!(got >= Math.min(a, b) - TOLERANCE && got <= Math.max(a, b) + TOLERANCE)) {
      const want = applyCalibration(manifest.calibration, logit);
      throw new Error(
        `${NOT_A_PAIR} Every term agrees, but model.onnx turns them into a probability of ${got.toFixed(4)} for a test lead ` +
          `where manifest.json's intercept and calibration give ${want.toFixed(4)}. ${PAIR_ADVICE}`,
      );
    }
  }
}

/**
 * Check rows [N * F]: for every term, one row per cell of its shape (each bin of a main
 * effect, each pair of bins of an interaction) with the term's features inside that cell and
 * the other features at seeded random bins. A model.onnx that is not the manifest's then
 * disagrees on some row even if it differs in a single cell. Rows = the manifest's score
 * count (about 5,300 for the bundled model; the whole check takes a fraction of a second).
 */
export function checkRows(manifest: Manifest, seed: number): Float32Array {
  const F = manifest.features.length;
  const axesOver = manifest.features.map(() => [] as ShapeAxis[]);
  for (const term of manifest.terms) term.shape?.axes.forEach((axis, a) => axesOver[term.features[a]]?.push(axis));
  const anyValue = axesOver.map((axes) => axes.flatMap((axis) => axis.labels.map((_, bin) => valueInBin(axis, bin))));
  const random = mulberry32(seed);
  const rows = new Float32Array(manifest.terms.reduce((n, term) => n + (term.shape?.scores.length ?? 0), 0) * F);
  let i = 0;
  for (const term of manifest.terms) {
    const axes = term.shape?.axes ?? [];
    for (let cell = 0; cell < (term.shape?.scores.length ?? 0); cell++, i++) {
      anyValue.forEach((values, f) => (rows[i * F + f] = values.length === 0 ? Number.NaN : values[Math.floor(random() * values.length)]));
      // Row-major cell index → the bin on each axis.
      let rest = cell;
      for (let a = axes.length - 1; a >= 0; a--) {
        const bins = axes[a].labels.length;
        rows[i * F + term.features[a]] = valueInBin(axes[a], rest % bins);
        rest = Math.floor(rest / bins);
      }
    }
  }
  return rows;
}
