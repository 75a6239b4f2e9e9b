/**
 * The check an imported or newly trained model passes before it may be activated: it loads, and every run
 * on check rows gives float32 `probability` [N] in [0, 1] and finite float32 `contributions` [N, T] with
 * T = the manifest's terms, each probability the manifest's calibration of intercept + Σ contributions, as
 * the contract says (the explanations scale the reasons by that intercept and calibration).
 *
 * Every model runs on:
 *  - a batch of synthetic leads as large as production sends (`LARGEST_SCORING_BATCH`), so a model
 *    whose cost or failure grows with the batch meets it here, not in bulk scoring;
 *  - value rows (`valueRows`): every value featurization can give each feature (every code, the code
 *    of unseen levels, missing, 0 and a large number), so a model that cannot score one of them fails
 *    here, not on the first batch holding such a lead. They run in parts of at most that batch, so a
 *    long vocabulary makes the check longer, not larger.
 * As the model-check worker runs it (`checkModelWithinBudget`), every run must end within a budget of
 * seconds, and the model also runs once at each number of rows the engine runs it on (`RUN_SIZES`).
 *
 * When the manifest carries every term's shape function, the model also runs on one row per shape
 * cell (`checkRows`), and on rows at both sides of every bin edge (`edgeRows`), where it must be the
 * manifest's own model: each contribution is the shape's score for its bin (exact, see `shape.ts`)
 * and each probability the manifest's calibration of intercept + Σ contributions. Without this a
 * manifest.json paired with another model's model.onnx (same features and terms, e.g. two LeadLens
 * models trained for different outcomes) passes, and the extension shows one model's probabilities
 * with the other's tiers and explanations.
 */
import { DAY_NAMES, SENIORITY_RANK, URL_CATEGORIES } from './derive';
import type { EngineOutput, EngineRun } from './engine';
import { modelHasShapes } from './insights';
import type { Calibration, Derive, Feature, Manifest, TermShape } from './manifest';
import { mulberry32 } from './random';
import { recordedDecimal, termContribution, valueInBin, type ShapeAxis } from './shape';
import { LARGEST_SCORING_BATCH, RUN_BUDGET, RUN_SIZES, runBudgetMs } from './scoring-batch';
import { syntheticRows } from './synthetic-rows';
import { applyCalibration } from './train/calibration';
import { percentText } from '../presentation';

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
 * The check runs the model once on all the rows of its shape cells: one per cell (`checkRows`),
 * allocating rows [N × F] and contributions [N × T] as float32 and the expected contributions
 * [N × T] as float64. A manifest is little text for many cells (a pair of two 1,000-label axes
 * is a million cells in a few MB), so its size is capped before anything is allocated.
 * Models trained here have at most 256 cells per main effect (255 bins + missing) and 17 × 17
 * per pair; the bundled model has 4,355 cells, 17 features and 37 terms (0.24 M values).
 * 100,000 cells is ~390 features at the full 255 bins.
 */
export const MAX_CHECK_CELLS = 100_000;
/**
 * Rows × (features + terms) of the check's largest run (`checkSize`): 16 M values are 64 MB of
 * float32 (~190 MB at most with the float64 copy). A model trained here with 100 features and 20
 * pairs needs 6.9 M, with 150 features 14 M. Production's batch (1,000 rows) fits up to 16,000
 * features and terms together.
 */
export const MAX_CHECK_VALUES = 16_000_000;

/**
 * The most cells and values (`checkSize`) the check of a model trained here could need, before
 * training it: each main effect has at most one bin per distinct value (and at most `maxBins`)
 * plus one for missing; each pair at most (`maxPairBins` + 1)² cells. `distinctValues` [F]: per feature.
 */
export function trainedCheckBound(distinctValues: readonly number[], pairs: number, maxBins: number, maxPairBins: number): { cells: number; values: number } {
  const F = distinctValues.length;
  const cells = distinctValues.reduce((n, distinct) => n + Math.min(distinct, maxBins) + 1, 0) + pairs * (maxPairBins + 1) ** 2;
  return { cells, values: Math.max(cells, LARGEST_SCORING_BATCH) * (F + F + pairs) };
}

/**
 * The manifest's shape cells, and the rows and values (rows × (features + terms)) of the check's
 * largest run: the one over every shape cell (`checkRows`), or production's batch, which no part of
 * the value rows (`valueRows`) or the edge rows (`edgeRows`) exceeds. The check holds one run at a time.
 */
export function checkSize(manifest: Manifest): { cells: number; rows: number; values: number } {
  const cells = manifest.terms.reduce((n, term) => n + (term.shape?.scores.length ?? 0), 0);
  const rows = Math.max(modelHasShapes(manifest) ? cells : 0, LARGEST_SCORING_BATCH);
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

/** Throws, saying why, unless `run` (the engine's, on the model being checked) passes the check described at the top of this file. */
export async function checkModelOutputs(manifest: Manifest, run: EngineRun): Promise<void> {
  assertCheckable(manifest); // before allocating anything by the manifest's sizes
  if (modelHasShapes(manifest)) {
    const rows = checkRows(manifest, CHECK_SEED);
    checkAgainstShapes(manifest, rows, await runChecked(manifest, run, rows));
    for (const part of edgeRows(manifest)) checkAgainstShapes(manifest, part, await runChecked(manifest, run, part), true);
  }
  checkProbabilitiesAddUp(manifest, await runChecked(manifest, run, syntheticRows(manifest.features, LARGEST_SCORING_BATCH, CHECK_SEED)));
  for (const rows of valueRows(manifest.features)) checkProbabilitiesAddUp(manifest, await runChecked(manifest, run, rows));
}

/**
 * The check as the model-check worker runs it (check-worker.ts): `checkModelOutputs`, then one run of synthetic
 * leads at each of `RUN_SIZES` (the only numbers of rows the engine runs a model on), every run within
 * `RUN_BUDGET` (`withinRunBudget`, by `now`). Constant sizes can make a model's work depend on the number of
 * rows alone (a Slice of the rows from −500 to 500 is empty at 1,000 rows): one as fast as the bundled model on
 * the other runs of the check may take hours at another size, and hold up every badge as long.
 */
export async function checkModelWithinBudget(manifest: Manifest, run: EngineRun, now?: () => number): Promise<void> {
  const timed = withinRunBudget(run, now);
  await checkModelOutputs(manifest, timed);
  // The largest, LARGEST_SCORING_BATCH, `checkModelOutputs` ran already on the same leads.
  for (const size of RUN_SIZES.filter((runSize) => runSize !== LARGEST_SCORING_BATCH)) {
    checkProbabilitiesAddUp(manifest, await runChecked(manifest, timed, syntheticRows(manifest.features, size, CHECK_SEED)));
  }
}

/** `run` on `rows` [N * F], its output checked as every run's is (`assertContractOutput`). */
async function runChecked(manifest: Manifest, run: EngineRun, rows: Float32Array): Promise<EngineOutput> {
  const output = await run(rows, manifest.features.length);
  assertContractOutput(manifest, rows.length / manifest.features.length, output);
  return output;
}

/**
 * Throws unless `output` of a run on `rowCount` rows is what the contract says every run gives:
 * float32 probabilities, one per row, in 0–1, and a finite float32 contribution per row and term.
 */
function assertContractOutput(manifest: Manifest, rowCount: number, output: EngineOutput): void {
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
 * Value rows [N * F], in parts of at most `LARGEST_SCORING_BATCH` rows, each made only when the one
 * before has run: one row with every feature missing, then every feature's values to try
 * (`valuesToTry`), all features cycled together: row r gives feature f its value (r + f) mod count,
 * so each feature is also missing while most others are present. As many rows as the longest list
 * (mostly the largest vocabulary, and missing) and one, however many features.
 * Leads miss fields all the time, and bring levels no training lead had and numbers no shape's bin
 * was fitted to: a model that gives them no probability or no contribution (an imported one without
 * imputation returns NaN), or whose lookup table knows fewer levels than featurization gives (the run
 * fails, and with it a whole batch of scoring), fails here, not later.
 */
function* valueRows(features: readonly Feature[]): Generator<Float32Array> {
  const F = features.length;
  const values = features.map(valuesToTry);
  const rowCount = 1 + values.reduce((longest, list) => Math.max(longest, list.length), 0);
  for (let first = 0; first < rowCount; first += LARGEST_SCORING_BATCH) {
    const part = new Float32Array(Math.min(LARGEST_SCORING_BATCH, rowCount - first) * F);
    for (let i = 0; i < part.length / F; i++) {
      const r = first + i - 1; // -1: the row with every feature missing
      values.forEach((list, f) => (part[i * F + f] = r < 0 ? Number.NaN : list[(r + f) % list.length]));
    }
    yield part;
  }
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
 * calibration that is not the model's, from the model the explanations describe; with them, on rows
 * that are no shape cell, it is what can be checked.
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
    if (x !== y || digits === 6) return [percentText(x), percentText(y)];
  }
}

/**
 * Throws, naming the first term (in manifest order) whose ONNX contribution is not its shape's score; of `edgeRows`
 * (`atEdges`), with the value and the edge it lies beside.
 */
function checkAgainstShapes(manifest: Manifest, rows: Float32Array, output: EngineOutput, atEdges = false): void {
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
        const lead = atEdges ? `a test lead ${valuesBesideEdges(manifest, term, rows.subarray(i * F, (i + 1) * F))}` : 'the same test lead';
        const splits = atEdges ? " model.onnx's split points are not manifest.json's bin edges." : '';
        throw new Error(
          `${NOT_A_PAIR} The first term where they disagree is "${term.label}": for ${lead} model.onnx adds ${got.toFixed(4)} ` +
            `to the log-odds, manifest.json ${want.toFixed(4)}.${splits} ${PAIR_ADVICE}`,
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
 * count (4,355 for the bundled model; the whole check takes a fraction of a second).
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

/**
 * The float32 numbers on either side of `edge` as `axisBin` reads them: the greatest at most the edge, and the least above
 * it; those that are no finite float32 (beside an edge past float32's range) left out. An imported edge need not be a
 * float32 itself; a trained one is.
 */
function float32sBeside(edge: number): number[] {
  const nearest = Math.fround(edge);
  const atMost = nearest <= edge ? nearest : nextFloat32(nearest, false);
  const above = nearest > edge ? nearest : nextFloat32(nearest, true);
  return [atMost, above].filter(Number.isFinite);
}

/** The float32 next to `x` (a float32) upwards or downwards. */
function nextFloat32(x: number, up: boolean): number {
  if (x === 0) return up ? FLOAT32_TINIEST : -FLOAT32_TINIEST;
  const float = new Float32Array([x]);
  // A float32's bits, read as an integer, step through its magnitudes in order.
  new Int32Array(float.buffer)[0] += (x > 0) === up ? 1 : -1;
  return float[0];
}

/** The least positive float32 (subnormal). */
const FLOAT32_TINIEST = 2 ** -149;

/**
 * Edge rows [N * F], in parts of at most `LARGEST_SCORING_BATCH` rows as `valueRows`: row r gives each feature the r-th
 * (cycling) of the float32 numbers beside its shapes' edges (`float32sBeside`), missing for a feature without edges. The
 * check rows try one value inside each bin; a model.onnx splitting a bin elsewhere than its edges (10.9 where the
 * manifest says 10.5) agrees with them all, yet scores a lead of 10.7 by another bin than its explanation says. Beside
 * every edge, it must split where the manifest does. As many rows as the most edges of a feature, twice, however many
 * features (508 for a feature of 256 bins).
 */
function* edgeRows(manifest: Manifest): Generator<Float32Array> {
  const F = manifest.features.length;
  const edgesOf = manifest.features.map(() => new Set<number>()); // [F] a feature's edges over every term reading it
  for (const term of manifest.terms) term.shape?.axes.forEach((axis, a) => axis.edges.forEach((edge) => edgesOf[term.features[a]]?.add(edge)));
  const values = edgesOf.map((edges) => [...edges].flatMap(float32sBeside));
  const rowCount = values.reduce((most, list) => Math.max(most, list.length), 0);
  for (let first = 0; first < rowCount; first += LARGEST_SCORING_BATCH) {
    const part = new Float32Array(Math.min(LARGEST_SCORING_BATCH, rowCount - first) * F);
    for (let i = 0; i < part.length / F; i++) values.forEach((list, f) => (part[i * F + f] = list.length === 0 ? Number.NaN : list[(first + i) % list.length]));
    yield part;
  }
}

/** `term`'s values in `row` [F] of `edgeRows` in words, each with the edge it lies beside: `"Revenue" 10.500001 (just above the edge 10.5)`. */
function valuesBesideEdges(manifest: Manifest, term: Manifest['terms'][number], row: Float32Array): string {
  const axes = term.shape?.axes ?? [];
  return term.features
    .map((f, a) => {
      const value = row[f];
      const edge = axes[a]?.edges.find((e) => float32sBeside(e).includes(value));
      const where = edge === undefined ? '' : ` (${Math.fround(value) > edge ? 'just above' : 'at or just below'} the edge ${edge})`;
      return `"${manifest.features[f].label}" ${Number.isNaN(value) ? 'missing' : recordedDecimal(value)}${where}`;
    })
    .join(' and ');
}

/**
 * `run`, failing any run that takes longer than `RUN_BUDGET` allows for its leads (by `now`, in
 * ms). Its first call runs the batch's first lead alone before the batch, so that the batch's
 * time per lead is the model's, without its loading: else a model as slow as 10 s per 1,000 leads
 * would pass within the load's allowance on the check's first batch.
 */
export function withinRunBudget(run: EngineRun, now: () => number = () => performance.now()): EngineRun {
  let loaded = false;
  return async (rows, featureCount) => {
    if (!loaded) {
      await timedRun(run, rows.slice(0, featureCount), featureCount, RUN_BUDGET.loadMs, now, 'load and score');
      loaded = true;
    }
    const leads = rows.length / featureCount;
    return timedRun(run, rows, featureCount, runBudgetMs(leads), now, 'score');
  };
}

/** `run` on `rows`, failing when it took longer than `budgetMs`; `what` it did, in the failure's words. */
async function timedRun(run: EngineRun, rows: Float32Array, featureCount: number, budgetMs: number, now: () => number, what: string) {
  const started = now();
  const output = await run(rows, featureCount);
  const ms = now() - started;
  if (ms > budgetMs) {
    const leads = rows.length / featureCount;
    throw new Error(
      `model.onnx took ${(ms / 1000).toFixed(1)} seconds to ${what} ${leads.toLocaleString('en-US')} check ${leads === 1 ? 'lead' : 'leads'}, where a lead-scoring model takes a fraction of one: ` +
        'each batch of bulk scoring would hold up every badge as long.',
    );
  }
  return output;
}
