/**
 * The check an imported or newly trained model passes before it may be activated: it loads, and one run on
 * check rows gives float32 `probability` [N] in [0, 1] and finite float32 `contributions` [N, T] with T = the
 * manifest's terms.
 *
 * When the manifest carries every term's shape function, the run must also be the manifest's
 * own model: each contribution is the shape's score for its bin (exact, see `shape.ts`) and
 * each probability the manifest's calibration of intercept + Σ contributions. Without this a
 * manifest.json paired with another model's model.onnx (same features and terms, e.g. two
 * LeadLens models trained for different outcomes) passes, and the extension shows one model's
 * probabilities with the other's tiers and explanations.
 *
 * Without shape functions the run must still mean what the contract says: each probability is the
 * manifest's calibration of intercept + Σ contributions, which the explanations rely on (they scale
 * the reasons by that intercept and calibration). And its check rows try every value featurization
 * can give each feature (every code, the code of unseen levels, missing, extreme numbers), so a
 * model that cannot score one of them fails here, not on the first batch holding such a lead.
 */
import { DAY_NAMES, SENIORITY_RANK, URL_CATEGORIES } from './derive';
import type { EngineOutput } from './engine';
import { modelHasShapes } from './insights';
import type { Calibration, Derive, Feature, Manifest, TermShape } from './manifest';
import { mulberry32 } from './random';
import { termContribution, valueInBin, type ShapeAxis } from './shape';
import { syntheticRows } from './synthetic-rows';
import { applyCalibration } from './train/calibration';

/** Synthetic leads in the rows of a model without shape functions (`shapelessCheckRows`). */
const SHAPELESS_CHECK_ROWS = 2;
/**
 * A large number a real lead's field can hold (a company's revenue, a count of page views): far
 * beyond a lookup table's indices, yet a model's log, square or product of two of them stays a
 * finite float32. Not -1 nor 1e30: a model may take log1p of a count or square it, and nothing
 * a lead holds would make it return no number (bulk scoring leaves such a lead unscored anyway).
 */
const LARGE_VALUE = 1e6;
/** A numeric feature's values tried besides missing, unless it only takes a few codes (`valuesToTry`). */
const NUMERIC_EDGE_VALUES = [0, LARGE_VALUE];
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

/** How many rows the check runs (`checkRows`, or `shapelessCheckRows` without shapes) and how many values it holds. */
export function checkSize(manifest: Manifest): { cells: number; rows: number; values: number } {
  const cells = manifest.terms.reduce((n, term) => n + (term.shape?.scores.length ?? 0), 0);
  // Without shapes: the synthetic rows, one with every feature missing, and the longest list of values to try.
  const rows = modelHasShapes(manifest) ? cells : SHAPELESS_CHECK_ROWS + 1 + longestValueList(manifest.features);
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
  assertFloat32('probability', output.probability);
  assertFloat32('contributions', output.contributions);
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
  else checkProbabilitiesAddUp(manifest, output);
}

/** What ONNX Runtime's typed array of an output says about the output's ONNX type. */
const ONNX_TYPE_OF_DATA: Record<string, string> = {
  Float64Array: 'double (float64)',
  Uint8Array: 'bool (yes/no) or uint8',
  Int8Array: 'int8',
  Uint16Array: 'float16 or uint16',
  Int16Array: 'int16',
  Int32Array: 'int32',
  Uint32Array: 'uint32',
  BigInt64Array: 'int64',
  BigUint64Array: 'uint64',
  Array: 'string',
};

/** Throws unless the output holds float32 numbers, as the contract says (a bool "probability" of 0 and 1 would pass the range check). */
function assertFloat32(output: 'probability' | 'contributions', data: unknown): void {
  if (data instanceof Float32Array) return;
  const held = ONNX_TYPE_OF_DATA[Object.getPrototypeOf(data)?.constructor?.name ?? ''] ?? 'other';
  const wanted = output === 'probability' ? 'one probability per lead' : 'log-odds per lead and term';
  throw new Error(`model.onnx's output "${output}" holds ${held} values, but LeadLens reads float32 numbers there (${wanted}). Export it as float.`);
}

/**
 * Rows for a model without shape functions [N * F]: a few synthetic leads, one with every feature
 * missing, then every feature's values to try (`valuesToTry`), all features cycled together: row r
 * gives feature f its value (r + f) mod count, so each feature is also missing while most others are
 * present. As many rows as the longest list (mostly the largest vocabulary, and missing), however many features.
 * Leads miss fields all the time, and bring levels no training lead had: a model that gives them no
 * probability or no contribution (an imported one without imputation returns NaN), or whose lookup
 * table knows fewer levels than the vocabulary (the run fails, and with it a whole batch of scoring),
 * fails here, not later.
 */
function shapelessCheckRows(manifest: Manifest): Float32Array {
  const F = manifest.features.length;
  const values = manifest.features.map(valuesToTry);
  const cycled = longestValueList(manifest.features);
  const some = syntheticRows(manifest.features, SHAPELESS_CHECK_ROWS, CHECK_SEED);
  const rows = new Float32Array(some.length + (1 + cycled) * F);
  rows.set(some);
  const base = some.length;
  rows.fill(Number.NaN, base, base + F); // every feature missing
  for (let r = 0; r < cycled; r++) {
    const at = base + (1 + r) * F;
    values.forEach((list, f) => (rows[at + f] = list[(r + f) % list.length]));
  }
  return rows;
}

/**
 * The values featurization (`featureValue`) can give `feature`, then missing (NaN): a categorical's
 * every code and the code of unseen levels (`otherCode`: the trainer's is the vocabulary's last,
 * another trainer's may lie beyond it); yes and no; a numeric feature's few codes when its derivation
 * makes codes (day of week, seniority, ...), else edge values (`NUMERIC_EDGE_VALUES`).
 */
function valuesToTry(feature: Feature): number[] {
  if (feature.type === 'categorical') {
    const codes = (feature.vocabulary ?? []).map((_, code) => code);
    if (feature.otherCode !== undefined && feature.otherCode >= codes.length) codes.push(feature.otherCode);
    return [...codes, Number.NaN];
  }
  if (feature.type === 'boolean') return [0, 1, Number.NaN];
  return [...(numericCodes(feature.derive) ?? NUMERIC_EDGE_VALUES), Number.NaN];
}

/** The codes `featureNumber` gives a numeric feature of `derive`, when it gives only codes. */
function numericCodes(derive: Derive): number[] | undefined {
  switch (derive.kind) {
    case 'dayOfWeek':
      return DAY_NAMES.map((_, day) => day);
    case 'titleSeniority':
      return [...new Set(Object.values(SENIORITY_RANK))];
    case 'urlCategory':
      return URL_CATEGORIES.map((_, code) => code);
    case 'emailDomainKind':
      return [0, 1];
    default:
      return undefined;
  }
}

/** The most values to try of one feature: the cycled rows of `shapelessCheckRows`. */
function longestValueList(features: readonly Feature[]): number {
  return features.reduce((longest, feature) => Math.max(longest, valuesToTry(feature).length), 0);
}

/**
 * Whether `probability` is what `calibration` gives `logit`, a sum of float32 numbers whose sizes
 * add up to `magnitude`. float32 rounds the graph's logit by up to ~1e-7 of the summands'
 * magnitude, and a steep calibration (an isotonic jump) magnifies that: accept what the calibration
 * gives anywhere within that rounding of the logit (calibrations are monotone, so the ends bound it).
 */
function calibrates(calibration: Calibration, logit: number, magnitude: number, probability: number): boolean {
  const slack = TOLERANCE * (1 + magnitude);
  const [a, b] = [applyCalibration(calibration, logit - slack), applyCalibration(calibration, logit + slack)];
  return probability >= Math.min(a, b) - TOLERANCE && probability <= Math.max(a, b) + TOLERANCE;
}

/**
 * Throws unless every probability is the manifest's calibration of its intercept + Σ contributions,
 * as the contract says: without shape functions this is what tells a probability of the other
 * outcome, contributions in another unit (probabilities) or order (transposed), or an intercept or
 * calibration that is not the model's, from the model the explanations describe.
 */
function checkProbabilitiesAddUp(manifest: Manifest, output: EngineOutput): void {
  const T = manifest.terms.length;
  const N = output.probability.length;
  const wanted = new Float64Array(N); // [N] the manifest's calibration of intercept + Σ contributions
  let firstWrong = -1;
  for (let i = 0; i < N; i++) {
    let logit = manifest.intercept;
    let magnitude = Math.abs(manifest.intercept);
    for (let t = 0; t < T; t++) {
      logit += output.contributions[i * T + t];
      magnitude += Math.abs(output.contributions[i * T + t]);
    }
    wanted[i] = applyCalibration(manifest.calibration, logit);
    if (firstWrong < 0 && !calibrates(manifest.calibration, logit, magnitude, output.probability[i])) firstWrong = i;
  }
  if (firstWrong < 0) return;
  const i = firstWrong;
  let added = 0;
  for (let t = 0; t < T; t++) added += output.contributions[i * T + t];
  const [got, want] = percents(output.probability[i], wanted[i]);
  // The probability of the other outcome follows 1 − what the contributions give more closely than it.
  let offDirect = 0;
  let offMirrored = 0;
  for (let k = 0; k < N; k++) {
    offDirect += Math.abs(output.probability[k] - wanted[k]);
    offMirrored += Math.abs(1 - output.probability[k] - wanted[k]);
  }
  const advice =
    offMirrored < offDirect
      ? "Is the model's probability that of the other outcome? Export the probability of the outcome the manifest scores, with contributions towards it."
      : "model.onnx's contributions must be log-odds per term, in manifest.json's order, that with manifest.json's intercept and calibration give its probability: import the manifest.json exported together with this model.onnx.";
  throw new Error(
    `model.onnx's probability is not what its contributions add up to: ${got} against ${want} for test lead ${i + 1} ` +
      `(its contributions add ${added >= 0 ? '+' : ''}${added.toFixed(2)} to the log-odds, which manifest.json's intercept and calibration make ${want}). ${advice}`,
  );
}

/** Two probabilities as percentages, with the fewest decimals that tell them apart (at most 6). */
function percents(a: number, b: number): [string, string] {
  for (let digits = 0; ; digits++) {
    const [x, y] = [(a * 100).toFixed(digits), (b * 100).toFixed(digits)];
    if (x !== y || digits === 6) return [`${x} %`, `${y} %`];
  }
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
    const got = output.probability[i];
    if (!calibrates(manifest.calibration, logit, magnitude, got)) {
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
