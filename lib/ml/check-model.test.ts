import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { LARGEST_SCORING_BATCH, RUN_BUDGET, RUN_SIZES } from './scoring-batch';
import {
  MAX_CHECK_CELLS,
  MAX_CHECK_VALUES,
  checkRows,
  checkModelOutputs,
  checkModelWithinBudget,
  checkSize,
  trainedCheckBound,
  withinRunBudget,
} from './check-model';
import type { EngineOutput } from './engine';
import { parseManifest, type Feature, type Manifest } from './manifest';
import { exportOnnx } from './onnx/export';
import { axisBin, scoreIndex } from './shape';
import { syntheticRows } from './synthetic-rows';
import { trainModel } from './train';
import { syntheticLeads } from './train/synthetic';
import { onnxModel } from '../../test/fixtures/onnx-models';

let manifest: Manifest;
const bundledBytes = readFileSync('models/model.onnx');

beforeAll(() => {
  const parsed = parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8')));
  if (!parsed.ok) throw new Error(parsed.error);
  manifest = parsed.manifest;
});

/** The engine's run, in onnxruntime-node, on a model given as bytes (as imported models are). */
function runOn(bytes: Uint8Array) {
  return async (rows: Float32Array, featureCount: number): Promise<EngineOutput> => {
    const session = await ort.InferenceSession.create(bytes);
    try {
      const n = rows.length / featureCount;
      const out = await session.run({ features: new ort.Tensor('float32', rows, [n, featureCount]) });
      const contributions = out.contributions.data as Float32Array; // [N * T]
      return { probability: out.probability.data as Float32Array, contributions, terms: contributions.length / n };
    } finally {
      await session.release();
    }
  };
}

/** The bundled model's run, with its output changed by `alter`. */
const alteredRun = (alter: (output: EngineOutput) => EngineOutput) => async (rows: Float32Array, featureCount: number) =>
  alter(await runOn(bundledBytes)(rows, featureCount));

/** The manifest as a model trained elsewhere may come: no shape functions. */
const withoutShapes = (m: Manifest): Manifest => ({ ...m, terms: m.terms.map(({ shape: _shape, ...term }) => term) });

const NOT_A_PAIR = /This manifest\.json and this model\.onnx do not belong together/;

it('passes the bundled model', async () => {
  await expect(checkModelOutputs(manifest, runOn(bundledBytes))).resolves.toBeUndefined();
});

it('fails a model whose bytes are corrupt, with the loader’s error', async () => {
  const corrupt = Uint8Array.from(bundledBytes.subarray(0, 4096));
  corrupt.fill(0xff, 16, 512);
  await expect(checkModelOutputs(manifest, runOn(corrupt))).rejects.toThrow();
  await expect(checkModelOutputs(manifest, runOn(new TextEncoder().encode('not an onnx model')))).rejects.toThrow();
});

it('fails a model whose manifest lists other terms than it computes', async () => {
  const fewerTerms = { ...manifest, terms: manifest.terms.slice(1) };
  await expect(checkModelOutputs(fewerTerms, runOn(bundledBytes))).rejects.toThrow(
    `The model returned ${manifest.terms.length} contributions per lead, but its manifest lists ${manifest.terms.length - 1} terms`,
  );
});

it('fails outputs that are not one probability in 0–1 per row', async () => {
  const logits = alteredRun((output) => ({ ...output, probability: output.probability.map((p) => Math.log(p / (1 - p))) }));
  await expect(checkModelOutputs(manifest, logits)).rejects.toThrow('The model returned probabilities outside 0–1');
  const missing = alteredRun((output) => ({ ...output, probability: output.probability.map(() => Number.NaN) }));
  await expect(checkModelOutputs(manifest, missing)).rejects.toThrow('outside 0–1');
  const oneRow = alteredRun((output) => ({ ...output, probability: output.probability.subarray(0, 1) }));
  const rowCount = checkRows(manifest, 1).length / manifest.features.length;
  await expect(checkModelOutputs(manifest, oneRow)).rejects.toThrow(`The model returned 1 probabilities for ${rowCount} rows`);
  // Without shapes the first run is production's largest batch of synthetic leads.
  await expect(checkModelOutputs(withoutShapes(manifest), oneRow)).rejects.toThrow(`The model returned 1 probabilities for ${LARGEST_SCORING_BATCH} rows`);
});

describe('trainedCheckBound', () => {
  it('bounds main effects by distinct values (at most 255 bins) plus missing, and pairs by 17 × 17 cells', () => {
    // (3 + 1) + (255 + 1) + (1 + 1) main-effect cells and 2 pairs of 289: 840 cells; the largest run is production's
    // batch of 1,000 rows, each of 3 features + 5 terms.
    expect(trainedCheckBound([3, 10_000, 1], 2, 255, 16)).toEqual({ cells: 262 + 578, values: 1000 * 8 });
  });

  it('lets a model trained here with 150 full-bin features and 20 pairs pass its check, not one with 170', () => {
    const fits = trainedCheckBound(Array<number>(150).fill(1000), 20, 255, 16);
    expect(fits).toEqual({ cells: 150 * 256 + 20 * 289, values: (150 * 256 + 20 * 289) * 320 });
    expect(fits.cells).toBeLessThanOrEqual(MAX_CHECK_CELLS);
    expect(fits.values).toBeLessThanOrEqual(MAX_CHECK_VALUES);
    expect(trainedCheckBound(Array<number>(170).fill(1000), 20, 255, 16).values).toBeGreaterThan(MAX_CHECK_VALUES);
  });
});

describe('a manifest with shape functions must describe the very model.onnx it comes with', () => {
  // Two small LeadLens models with the same features and terms, trained for different outcomes;
  // A calibrated by isotonic regression, whose steep segments magnify float32 rounding.
  const fast = { cv: 2, ebm: { outerBags: 1, interactions: 2 } };
  const train = (seed: number, positiveShift: number, calibration: 'isotonic' | 'platt') =>
    trainModel({
      records: syntheticLeads(1000, seed, { positiveShift }),
      target: 'converted',
      positive: '1',
      exclude: ['id'],
      options: { ...fast, seed, calibration },
    });
  const a = train(1, 0, 'isotonic');
  const b = train(2, 1, 'platt');

  it('trains two models that the count checks alone cannot tell apart', () => {
    expect(b.manifest.features.length).toBe(a.manifest.features.length);
    expect(b.manifest.terms.length).toBe(a.manifest.terms.length);
    expect(b.manifest.modelId).not.toBe(a.manifest.modelId);
  });

  it('passes each model with its own manifest', async () => {
    await expect(checkModelOutputs(a.manifest, runOn(a.onnx))).resolves.toBeUndefined();
    await expect(checkModelOutputs(b.manifest, runOn(b.onnx))).resolves.toBeUndefined();
  });

  it('refuses manifest A with model.onnx B (and the other way round), naming the first term that disagrees', async () => {
    const error = await checkModelOutputs(a.manifest, runOn(b.onnx)).then(() => null, (e: Error) => e.message);
    expect(error).toMatch(NOT_A_PAIR);
    expect(error).toContain(`The first term where they disagree is "${a.manifest.terms[0].label}"`);
    await expect(checkModelOutputs(b.manifest, runOn(a.onnx))).rejects.toThrow(NOT_A_PAIR);
  });

  // Was: "keeps only the count checks for a manifest without shape functions" (B's model.onnx passed with A's manifest).
  it('refuses a manifest without shape functions with the other model.onnx: its probabilities are not what its contributions add up to', async () => {
    await expect(checkModelOutputs(withoutShapes(a.manifest), runOn(a.onnx))).resolves.toBeUndefined();
    await expect(checkModelOutputs(withoutShapes(b.manifest), runOn(b.onnx))).resolves.toBeUndefined();
    await expect(checkModelOutputs(withoutShapes(a.manifest), runOn(b.onnx))).rejects.toThrow(/model\.onnx's probability is not what its contributions add up to/);
    await expect(checkModelOutputs(withoutShapes(b.manifest), runOn(a.onnx))).rejects.toThrow(/is not what its contributions add up to/);
  });

  it('refuses a model without shape functions that gives a lead missing a field no probability (no imputation: NaN)', async () => {
    // NaN only when a field is missing that a few random leads happen to have: every lead missing it must be tried.
    const F = a.manifest.features.length;
    const sample = syntheticRows(a.manifest.features, 2, 1);
    const alwaysKnown = a.manifest.features.findIndex((_, f) => !Number.isNaN(sample[f]) && !Number.isNaN(sample[F + f]));
    expect(alwaysKnown).toBeGreaterThanOrEqual(0);
    const honest = runOn(a.onnx);
    const noImputation = async (rows: Float32Array, featureCount: number) => {
      const output = await honest(rows, featureCount);
      const probability = Float32Array.from(output.probability, (p, i) => (Number.isNaN(rows[i * featureCount + alwaysKnown]) ? Number.NaN : p));
      return { ...output, probability };
    };
    await expect(checkModelOutputs(withoutShapes(a.manifest), noImputation)).rejects.toThrow('The model returned probabilities outside 0–1');
  });

  it('refuses a model that gives a term of a lead missing a field no contribution (coefficient × missing value: NaN), naming the term', async () => {
    const F = a.manifest.features.length;
    const T = a.manifest.terms.length;
    const t = a.manifest.terms.findIndex((term) => term.features.length === 1);
    const f = a.manifest.terms[t].features[0];
    const honest = runOn(a.onnx);
    const noImputation = async (rows: Float32Array, featureCount: number) => {
      const output = await honest(rows, featureCount);
      const contributions = Float32Array.from(output.contributions, (c, k) => (k % T === t && Number.isNaN(rows[Math.floor(k / T) * F + f]) ? Number.NaN : c));
      return { ...output, contributions };
    };
    const refusal = `The model returned no number (NaN or infinite) for the term "${a.manifest.terms[t].label}" of a test lead`;
    await expect(checkModelOutputs(withoutShapes(a.manifest), noImputation)).rejects.toThrow(refusal);
    // With shape functions too, and said so rather than taken for another model's file.
    await expect(checkModelOutputs(a.manifest, noImputation)).rejects.toThrow(refusal);
    const infinite = async (rows: Float32Array, featureCount: number) => {
      const output = await honest(rows, featureCount);
      return { ...output, contributions: output.contributions.map((c, k) => (k === T + t ? Number.NEGATIVE_INFINITY : c)) };
    };
    await expect(checkModelOutputs(withoutShapes(a.manifest), infinite)).rejects.toThrow(refusal);
  });
});

it('refuses a manifest that differs from the model in a single bin of one term', async () => {
  const t = manifest.terms.findIndex((term) => term.label === 'Annual revenue');
  const shape = manifest.terms[t].shape!;
  const scores = [...shape.scores];
  scores[shape.axes[0].labels.length - 2] += 0.5; // above the last edge: one bin of 256
  const terms = manifest.terms.map((term, i) => (i === t ? { ...term, shape: { ...shape, scores } } : term));
  await expect(checkModelOutputs({ ...manifest, terms }, runOn(bundledBytes))).rejects.toThrow(
    /do not belong together.*The first term where they disagree is "Annual revenue"/,
  );
});

describe('a model.onnx must split every numeric feature where its manifest’s bin edges are, not only tell its bins apart', () => {
  // Revenue ($M): ≤ 10.5 → −1, 10.5 – 20.5 → +1, above → +0.5; page views ≤ 2.5 → −0.3, above → +0.4; missing 0.
  const numeric = (key: string, label: string): Feature => ({ key, label, type: 'numeric', derive: { kind: 'value', from: { csv: key } }, missingValues: [], actionable: true });
  const edgesManifest: Manifest = {
    ...manifest,
    features: [numeric('revenue_m', 'Revenue ($M)'), numeric('page_views', 'Page views')],
    terms: [
      { features: [0], label: 'Revenue', importance: 0.5, shape: { axes: [{ labels: ['≤ 10.5', '10.6 – 20.5', '> 20.5', 'missing'], edges: [10.5, 20.5] }], scores: [-1, 1, 0.5, 0] } },
      { features: [1], label: 'Page views', importance: 0.5, shape: { axes: [{ labels: ['≤ 2', '≥ 3', 'missing'], edges: [2.5] }], scores: [-0.3, 0.4, 0] } },
    ],
    intercept: -1.5,
    calibration: { kind: 'none' },
  };
  /** The manifest's model as its trainer exports it, revenue split at `revenueCuts`. */
  const splitAt = (revenueCuts: number[]) =>
    exportOnnx(
      {
        cuts: [Float32Array.from(revenueCuts), Float32Array.from([2.5])],
        categorical: [false, false],
        intercept: -1.5,
        terms: [
          { features: [0], values: Float32Array.from([0, -1, 1, 0.5]) }, // bin 0: missing
          { features: [1], values: Float32Array.from([0, -0.3, 0.4]) },
        ],
        counts: [],
        rounds: { mains: [], pairs: [] },
      },
      { nFeatures: 2, calibration: { kind: 'none' } },
    );

  it('passes the model split at its edges', async () => {
    await expect(checkModelOutputs(edgesManifest, runOn(splitAt([10.5, 20.5])))).resolves.toBeUndefined();
  });

  it('refuses one splitting a bin inside it, which a value in each bin cannot tell: a lead of 10.7 would score by another bin than its explanation says', async () => {
    await expect(checkModelOutputs(edgesManifest, runOn(splitAt([10.9, 20.5])))).rejects.toThrow(
      'This manifest.json and this model.onnx do not belong together; they are files of two different models. The first term where they disagree is "Revenue": ' +
        'for a test lead "Revenue ($M)" 10.500001 (just above the edge 10.5) model.onnx adds -1.0000 to the log-odds, manifest.json 1.0000. ' +
        "model.onnx's split points are not manifest.json's bin edges. Import the manifest.json that was exported together with this model.onnx.",
    );
  });

  it('refuses one splitting a float32 step off an edge, either way', async () => {
    const justAbove = new Float32Array([20.5]);
    new Int32Array(justAbove.buffer)[0] += 1;
    await expect(checkModelOutputs(edgesManifest, runOn(splitAt([10.5, justAbove[0]])))).rejects.toThrow(/"Revenue": for a test lead "Revenue \(\$M\)" 20\.500002 \(just above the edge 20\.5\)/);
    const justBelow = new Float32Array([10.5]);
    new Int32Array(justBelow.buffer)[0] -= 1;
    await expect(checkModelOutputs(edgesManifest, runOn(splitAt([justBelow[0], 20.5])))).rejects.toThrow(/"Revenue": for a test lead "Revenue \(\$M\)" 10\.5 \(at or just below the edge 10\.5\)/);
  });
});

it('refuses a manifest whose intercept or calibration is not the model’s', async () => {
  const everyTermAgrees = /do not belong together.*Every term agrees, but model\.onnx turns them into a probability/;
  const shifted = { ...manifest, intercept: manifest.intercept + 0.3 };
  await expect(checkModelOutputs(shifted, runOn(bundledBytes))).rejects.toThrow(everyTermAgrees);
  const uncalibrated: Manifest = { ...manifest, calibration: { kind: 'none' } };
  await expect(checkModelOutputs(uncalibrated, runOn(bundledBytes))).rejects.toThrow(everyTermAgrees);
});

it('check rows reach every cell of every term: each bin of a main effect, each bin pair of an interaction', () => {
  const rows = checkRows(manifest, 1);
  const F = manifest.features.length;
  for (const term of manifest.terms) {
    const shape = term.shape!;
    const cells = new Set<number>();
    for (let i = 0; i < rows.length / F; i++) {
      cells.add(scoreIndex(shape, shape.axes.map((axis, a) => axisBin(axis, rows[i * F + term.features[a]]))));
    }
    expect(cells.size, term.label).toBe(shape.scores.length);
  }
});

const { FLOAT, INT64 } = onnxProto.onnx.TensorProto.DataType;
const INT = onnxProto.onnx.AttributeProto.AttributeType.INT;

/**
 * A model of `features` features, one term each: a feature adds `weight` × its value (missing: 0), probability = Sigmoid(Σ).
 * With `leadSlots`, each lead also takes one of that many slots (Gather by its position in the run, adding 0), as a model
 * exported with a fixed most leads per run does: a run of more fails.
 */
function weightedSum(features: number, weight: number, leadSlots?: number): Uint8Array {
  const eachLeadsSlot = {
    node: [
      { opType: 'Shape', input: ['features'], output: ['dims'] },
      { opType: 'Gather', input: ['dims', 'zeroIndex'], output: ['leads'] },
      { opType: 'Range', input: ['zeroIndex', 'leads', 'oneIndex'], output: ['positions'] },
      { opType: 'Gather', input: ['slots', 'positions'], output: ['slot'] },
      { opType: 'Unsqueeze', input: ['slot', 'second'], output: ['slotColumn'] },
      { opType: 'Add', input: ['weighted', 'slotColumn'], output: ['contributions'] },
    ],
    initializer: [
      { name: 'zeroIndex', dataType: INT64, dims: [], int64Data: [0] },
      { name: 'oneIndex', dataType: INT64, dims: [], int64Data: [1] },
      { name: 'slots', dataType: FLOAT, dims: [leadSlots ?? 0], floatData: new Array<number>(leadSlots ?? 0).fill(0) },
    ],
  };
  const noSlots = { node: [{ opType: 'Identity', input: ['weighted'], output: ['contributions'] }], initializer: [] };
  const slots = leadSlots === undefined ? noSlots : eachLeadsSlot;
  return onnxModel(
    [
      { opType: 'IsNaN', input: ['features'], output: ['missing'] },
      { opType: 'Where', input: ['missing', 'zero', 'features'], output: ['known'] },
      { opType: 'Mul', input: ['known', 'weight'], output: ['weighted'] },
      ...slots.node,
      { opType: 'ReduceSum', input: ['contributions', 'second'], output: ['sum'], attribute: [{ name: 'keepdims', type: INT, i: 0 }] },
      { opType: 'Sigmoid', input: ['sum'], output: ['probability'] },
    ],
    {
      features,
      initializer: [
        { name: 'zero', dataType: FLOAT, dims: [], floatData: [0] },
        { name: 'weight', dataType: FLOAT, dims: [], floatData: [weight] },
        { name: 'second', dataType: INT64, dims: [1], int64Data: [1] },
        ...slots.initializer,
      ],
    },
  );
}

/** `weightedSum`'s manifest over `features`: one term each, no shapes, intercept 0, uncalibrated. */
const weightedSumManifest = (features: Manifest['features']): Manifest => ({
  ...manifest,
  features,
  terms: features.map((feature, f) => ({ features: [f], label: feature.label, importance: 0 })),
  intercept: 0,
  calibration: { kind: 'none' },
});

describe('the largest batch production sends', () => {
  it('is a run of the check: a model that takes at most 500 leads at a time fails there, not in bulk scoring', async () => {
    const F = manifest.features.length;
    await expect(checkModelOutputs(weightedSumManifest(manifest.features), runOn(weightedSum(F, 0.001, 500)))).rejects.toThrow(
      /indices element out of data bounds, idx=500|broadcast an axis by a dimension other than 1\. 500 by 1000/, // (or a Slice that stops at 500, when ONNX Runtime fuses the Gather of a Range into one)
    );
    await expect(checkModelOutputs(weightedSumManifest(manifest.features), runOn(weightedSum(F, 0.001, LARGEST_SCORING_BATCH)))).resolves.toBeUndefined();
  });
});

describe('a manifest too large to check', () => {
  /** One pair term over two axes of `bins` bins each: bins² check rows, from little manifest text. */
  const withPair = (m: Manifest, bins: number): Manifest => {
    const labels = Array.from({ length: bins }, (_, i) => `b${i}`);
    const shape = { axes: [{ labels, edges: [] }, { labels, edges: [] }], scores: new Array<number>(bins * bins).fill(0) };
    return { ...m, terms: [...m.terms, { features: [0, 1], label: 'huge', importance: 0, shape }] };
  };
  const notRun = async (): Promise<EngineOutput> => {
    throw new Error('the model must not be run');
  };

  it('is refused before its check rows are made or the model is run', async () => {
    const huge = withPair(manifest, 400); // 160,000 cells
    expect(checkSize(huge).cells).toBeGreaterThan(MAX_CHECK_CELLS);
    await expect(checkModelOutputs(huge, notRun)).rejects.toThrow(
      `This model is too large to check: its shape functions have ${checkSize(huge).cells.toLocaleString('en-US')} bins in all, at most 100,000 are allowed`,
    );
    // Fewer cells, but so many features that the rows would hold too many values.
    const feature = manifest.features.find((f) => f.type === 'numeric')!;
    const wide: Manifest = { ...manifest, features: [...manifest.features, ...Array.from({ length: 4000 }, (_, i) => ({ ...feature, key: `extra_${i}` }))] };
    expect(checkSize(wide).cells).toBeLessThanOrEqual(MAX_CHECK_CELLS);
    expect(checkSize(wide).values).toBeGreaterThan(MAX_CHECK_VALUES);
    await expect(checkModelOutputs(wide, notRun)).rejects.toThrow(/too large to check: its check would hold [\d,]+ values/);
  });

  it('counts a model without shape functions by its largest run, production’s batch, however long its vocabularies', async () => {
    const numeric = manifest.features.find((f) => f.type === 'numeric' && f.derive.kind === 'value')!;
    const features = Array.from({ length: 30_000 }, (_, i) => ({ ...numeric, key: `extra_${i}` }));
    const wide: Manifest = { ...manifest, features, terms: [{ features: [0], label: 'one', importance: 0 }] };
    expect(checkSize(wide)).toEqual({ cells: 0, rows: LARGEST_SCORING_BATCH, values: LARGEST_SCORING_BATCH * 30_001 });
    await expect(checkModelOutputs(wide, notRun)).rejects.toThrow(/too large to check: its check would hold 30,001,000 values/);
    const categorical = manifest.features.find((f) => f.type === 'categorical')!;
    const vocabulary = Array.from({ length: 1_000_000 }, (_, i) => `level ${i}`);
    const longVocabulary: Manifest = { ...wide, features: [{ ...categorical, vocabulary, otherCode: 0 }, ...features.slice(0, 19)] };
    expect(checkSize(longVocabulary)).toEqual({ cells: 0, rows: LARGEST_SCORING_BATCH, values: LARGEST_SCORING_BATCH * 21 });
  });

  it('checks a 10,000-level pick-list over 1,700 features in runs of at most production’s batch, trying every level', async () => {
    const categorical = manifest.features.find((f) => f.type === 'categorical')!;
    const numeric = manifest.features.find((f) => f.type === 'numeric' && f.derive.kind === 'value')!;
    const vocabulary = Array.from({ length: 10_000 }, (_, i) => `level ${i}`);
    const features = [{ ...categorical, vocabulary, otherCode: 9_999 }, ...Array.from({ length: 1_699 }, (_, i) => ({ ...numeric, key: `extra_${i}` }))];
    const pickList = weightedSumManifest(features);
    // Its 10,002 value rows (every feature missing, each level and missing) would hold 34 M values in one run.
    expect(10_002 * (1_700 + 1_700)).toBeGreaterThan(MAX_CHECK_VALUES);
    const rowCounts: number[] = [];
    const levels = new Set<number>();
    const honest = runOn(weightedSum(1_700, 1e-9));
    await checkModelOutputs(pickList, async (rows, featureCount) => {
      rowCounts.push(rows.length / featureCount);
      for (let k = 0; k < rows.length; k += featureCount) levels.add(rows[k]);
      return honest(rows, featureCount);
    });
    // Production's batch, then the value rows in parts.
    expect(rowCounts).toEqual([1000, ...Array<number>(10).fill(1000), 2]);
    expect(levels).toEqual(new Set([...Array.from({ length: 10_000 }, (_, code) => code), Number.NaN]));
  });

  it('leaves room for the models trained here: the bundled one is far below both caps', () => {
    const { cells, values } = checkSize(manifest);
    expect(cells).toBe(4355);
    expect(cells * 10).toBeLessThan(MAX_CHECK_CELLS);
    expect(values * 10).toBeLessThan(MAX_CHECK_VALUES);
  });
});

const INTERCEPT = -3;

/**
 * A scorecard over the bundled manifest's 17 features, one term each: lead source (feature 0) scores by a lookup table of
 * `tableSize` entries (Gather by its code), every other feature adds `weight` × its value, missing adds 0. probability =
 * Sigmoid(intercept + Σ contributions), or of its negative (the probability of the other outcome) when `inverted`.
 */
function scorecard({ tableSize, inverted = false, weight = 0.001 }: { tableSize: number; inverted?: boolean; weight?: number }): Uint8Array {
  const F = manifest.features.length;
  return onnxModel(
    [
      { opType: 'IsNaN', input: ['features'], output: ['missing'] },
      { opType: 'Where', input: ['missing', 'zero', 'features'], output: ['known'] },
      { opType: 'Mul', input: ['known', 'weights'], output: ['linear'] },
      { opType: 'Slice', input: ['known', 'first', 'second', 'second'], output: ['leadSource'] },
      { opType: 'Cast', input: ['leadSource'], output: ['code'], attribute: [{ name: 'to', type: INT, i: INT64 }] },
      { opType: 'Gather', input: ['table', 'code'], output: ['looked'] },
      { opType: 'Mul', input: ['looked', 'firstColumn'], output: ['lookedColumn'] },
      { opType: 'Add', input: ['linear', 'lookedColumn'], output: ['contributions'] },
      { opType: 'ReduceSum', input: ['contributions', 'second'], output: ['sum'], attribute: [{ name: 'keepdims', type: INT, i: 0 }] },
      { opType: 'Add', input: ['sum', 'intercept'], output: ['logit'] },
      { opType: inverted ? 'Neg' : 'Identity', input: ['logit'], output: ['scored'] },
      { opType: 'Sigmoid', input: ['scored'], output: ['probability'] },
    ],
    {
      features: F,
      initializer: [
        { name: 'zero', dataType: FLOAT, dims: [], floatData: [0] },
        { name: 'first', dataType: INT64, dims: [1], int64Data: [0] },
        { name: 'second', dataType: INT64, dims: [1], int64Data: [1] },
        { name: 'weights', dataType: FLOAT, dims: [1, F], floatData: Array.from({ length: F }, (_, f) => (f === 0 ? 0 : weight)) },
        { name: 'firstColumn', dataType: FLOAT, dims: [1, F], floatData: Array.from({ length: F }, (_, f) => (f === 0 ? 1 : 0)) },
        { name: 'table', dataType: FLOAT, dims: [tableSize], floatData: Array.from({ length: tableSize }, (_, code) => (code - 10) / 10) },
        { name: 'intercept', dataType: FLOAT, dims: [], floatData: [INTERCEPT] },
      ],
    },
  );
}

/** The scorecard's manifest: the bundled one's features (lead source: 19 levels, otherCode 18), one term each, no shapes. */
const scorecardManifest = (otherCode = 18): Manifest => ({
  ...manifest,
  features: manifest.features.map((feature, f) => (f === 0 ? { ...feature, otherCode } : feature)),
  terms: manifest.features.map((feature, f) => ({ features: [f], label: feature.label, importance: 0 })),
  intercept: INTERCEPT,
  calibration: { kind: 'none' },
});

describe('a model without shape functions must mean what the contract says, for every value a lead can have', () => {
  it('passes the scorecard whose table knows every level, and the bundled model without its shape functions', async () => {
    expect(manifest.features[0]).toMatchObject({ key: 'lead_source', otherCode: 18 });
    expect(manifest.features[0].vocabulary).toHaveLength(19);
    await expect(checkModelOutputs(scorecardManifest(), runOn(scorecard({ tableSize: 19 })))).resolves.toBeUndefined();
    await expect(checkModelOutputs(withoutShapes(manifest), runOn(bundledBytes))).resolves.toBeUndefined();
  });

  it('refuses a model whose probability is that of the other outcome, saying so', async () => {
    const error = await checkModelOutputs(scorecardManifest(), runOn(scorecard({ tableSize: 19, inverted: true }))).then(() => null, (e: Error) => e.message);
    expect(error).toMatch(/^model\.onnx's probability is not what its contributions add up to: \d+% against \d+% for test lead 1 /);
    expect(error).toContain("Is the model's probability that of the other outcome?");
  });

  it('refuses contributions transposed or in probabilities, an intercept or calibration not the model’s, and a bool probability', async () => {
    const shapeless = withoutShapes(manifest);
    const T = manifest.terms.length;
    const addsUp = /is not what its contributions add up to/;
    const transposed = alteredRun((output) => {
      const N = output.probability.length;
      return { ...output, contributions: output.contributions.map((_, k) => output.contributions[(k % N) * T + Math.floor(k / N)]) };
    });
    await expect(checkModelOutputs(shapeless, transposed)).rejects.toThrow(addsUp);
    const inProbabilities = alteredRun((output) => ({ ...output, contributions: output.contributions.map((c) => 1 / (1 + Math.exp(-c))) }));
    await expect(checkModelOutputs(shapeless, inProbabilities)).rejects.toThrow(addsUp);
    await expect(checkModelOutputs({ ...shapeless, intercept: manifest.intercept + 0.3 }, runOn(bundledBytes))).rejects.toThrow(addsUp);
    await expect(checkModelOutputs({ ...shapeless, calibration: { kind: 'none' } }, runOn(bundledBytes))).rejects.toThrow(addsUp);
    const yesNo = alteredRun((output) => ({ ...output, probability: Uint8Array.from(output.probability, (p) => (p > 0.5 ? 1 : 0)) as unknown as Float32Array }));
    await expect(checkModelOutputs(shapeless, yesNo)).rejects.toThrow(`model.onnx's output "probability" holds bool (yes/no) or uint8 values, but LeadLens reads float32 numbers there`);
  });

  it('tries every code of a categorical feature and the code of unseen levels: a lookup table that knows fewer fails at the check', async () => {
    // 16 of lead source's 19 levels: old check rows tried two codes.
    await expect(checkModelOutputs(scorecardManifest(), runOn(scorecard({ tableSize: 16 })))).rejects.toThrow(/indices element out of data bounds/);
    // Every level of the vocabulary, but not the code unseen levels get (beyond the vocabulary, as another trainer may write it).
    await expect(checkModelOutputs(scorecardManifest(19), runOn(scorecard({ tableSize: 19 })))).rejects.toThrow(/indices element out of data bounds, idx=19/);
    await expect(checkModelOutputs(scorecardManifest(19), runOn(scorecard({ tableSize: 20 })))).resolves.toBeUndefined();
  });

  it('tries a numeric feature at 0, a large number and missing', async () => {
    const tried = new Map<number, Set<number>>(); // feature → values
    const honest = runOn(scorecard({ tableSize: 19 }));
    await checkModelOutputs(scorecardManifest(), async (rows, featureCount) => {
      rows.forEach((value, k) => tried.set(k % featureCount, (tried.get(k % featureCount) ?? new Set()).add(value)));
      return honest(rows, featureCount);
    });
    const revenue = manifest.features.findIndex((f) => f.key === 'annual_revenue');
    expect([...tried.get(revenue)!]).toEqual(expect.arrayContaining([0, 1e6, Number.NaN]));
    expect(tried.get(0)).toEqual(new Set([...Array.from({ length: 19 }, (_, code) => code), Number.NaN]));
  });
});

describe('a model with shape functions is tried at every value a lead can have too, beyond its shapes’ bins', () => {
  /**
   * The scorecard's manifest (`weight` 0: only lead source scores) with a shape function per term, the scorecard's own:
   * lead source's codes score their table entry, missing table[0] (its code when missing); every other feature 0.
   */
  const withScorecardShapes = (m: Manifest): Manifest => ({
    ...m,
    terms: m.terms.map((term, t) => {
      if (t > 0) return { ...term, shape: { axes: [{ labels: ['known', 'missing'], edges: [] }], scores: [0, 0] } };
      const labels = [...m.features[0].vocabulary!, 'missing'];
      return { ...term, shape: { axes: [{ labels, edges: [] }], scores: labels.map((_, code) => (code < labels.length - 1 ? (code - 10) / 10 : -1)) } };
    }),
  });

  it('tries the code of unseen levels beyond the vocabulary: a lookup table that does not know it fails at the check', async () => {
    await expect(checkModelOutputs(withScorecardShapes(scorecardManifest()), runOn(scorecard({ tableSize: 19, weight: 0 })))).resolves.toBeUndefined();
    // The shapes' bins hold lead source's 19 levels and missing; the code unseen levels get, 19, is in none of them.
    const beyondVocabulary = withScorecardShapes(scorecardManifest(19));
    await expect(checkModelOutputs(beyondVocabulary, runOn(scorecard({ tableSize: 19, weight: 0 })))).rejects.toThrow(/indices element out of data bounds, idx=19/);
    await expect(checkModelOutputs(beyondVocabulary, runOn(scorecard({ tableSize: 20, weight: 0 })))).resolves.toBeUndefined();
  });

  it('tries a numeric feature at 0, a large number and missing (the bundled model)', async () => {
    const revenue = manifest.features.findIndex((f) => f.key === 'annual_revenue');
    const tried = new Set<number>();
    const honest = runOn(bundledBytes);
    await checkModelOutputs(manifest, async (rows, featureCount) => {
      for (let k = revenue; k < rows.length; k += featureCount) tried.add(rows[k]);
      return honest(rows, featureCount);
    });
    expect([...tried]).toEqual(expect.arrayContaining([0, 1e6, Number.NaN]));
  });
});

describe('a run of the check', () => {
  const output: EngineOutput = { probability: new Float32Array(0), contributions: new Float32Array(0), terms: 0 };
  /** A model that takes `loadMs` to load at its first run and `msPerLead` for each lead, by a clock the test moves; `runs`: the leads of each run. */
  const model = ({ loadMs = 0, msPerLead }: { loadMs?: number; msPerLead: number }) => {
    let clock = 0;
    const runs: number[] = [];
    const run = withinRunBudget(async (rows, featureCount) => {
      const leads = rows.length / featureCount;
      clock += (runs.length === 0 ? loadMs : 0) + leads * msPerLead;
      runs.push(leads);
      return output;
    }, () => clock);
    return { check: (leads: number) => run(new Float32Array(leads * 2), 2), runs };
  };

  it('loads the model on one lead alone, allowed 10 s, then may take 5 s per 1,000 leads of each batch, at least 1 s', async () => {
    expect(RUN_BUDGET).toEqual({ loadMs: 10_000, msPer1000Leads: 5_000, minimumMs: 1_000 });
    const atTheLimit = model({ loadMs: 10_000 - 5, msPerLead: 5 });
    await expect(atTheLimit.check(1_000)).resolves.toBe(output);
    await expect(atTheLimit.check(4_000)).resolves.toBe(output);
    await expect(atTheLimit.check(10)).resolves.toBe(output); // 50 ms
    expect(atTheLimit.runs).toEqual([1, 1_000, 4_000, 10]);
    await expect(model({ msPerLead: 100 }).check(10)).resolves.toBe(output); // 1 s for a batch of a few
  });

  it('refuses a model taking 9.5 s per 1,000 leads: loading is not counted against its first batch', async () => {
    const slow = model({ loadMs: 500, msPerLead: 9.5 });
    await expect(slow.check(1_000)).rejects.toThrow(
      'model.onnx took 9.5 seconds to score 1,000 check leads, where a lead-scoring model takes a fraction of one: each batch of bulk scoring would hold up every badge as long.',
    );
    // Nor a later batch of a few leads at that pace.
    const later = model({ msPerLead: 9.5 });
    await later.check(1);
    await expect(later.check(200)).rejects.toThrow(/took 1\.9 seconds to score 200 check leads/);
  });

  it('fails past it, saying what it would do to badges', async () => {
    await expect(model({ msPerLead: 5.001 }).check(1_000)).rejects.toThrow(/took 5\.0 seconds to score 1,000 check leads/);
    await expect(model({ msPerLead: 5.025 }).check(4_000)).rejects.toThrow(/took 20\.1 seconds to score 4,000 check leads/);
    await expect(model({ msPerLead: 101 }).check(10)).rejects.toThrow(/took 1\.0 seconds to score 10 check leads/);
    await expect(model({ loadMs: 10_001, msPerLead: 0 }).check(1_000)).rejects.toThrow(
      'model.onnx took 10.0 seconds to load and score 1 check lead, where a lead-scoring model takes a fraction of one: each batch of bulk scoring would hold up every badge as long.',
    );
  });
});

describe('the check as the model-check worker runs it', () => {
  it('runs the model at every number of rows the engine runs it on, powers of two up to production’s largest batch', async () => {
    expect(RUN_SIZES).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, LARGEST_SCORING_BATCH]);
    const rowCounts: number[] = [];
    const honest = runOn(bundledBytes);
    await checkModelWithinBudget(manifest, async (rows, featureCount) => {
      rowCounts.push(rows.length / featureCount);
      return honest(rows, featureCount);
    });
    // The model loads on one lead; then checkModelOutputs' runs: the shape cells, the rows beside every bin edge (both sides
    // of the 254 edges of a feature of 256 bins), production's batch and the value rows (every feature missing, then the 24
    // codes of the largest vocabulary and missing); then one at each other size.
    expect(rowCounts).toEqual([1, checkSize(manifest).cells, 2 * 254, LARGEST_SCORING_BATCH, 26, ...RUN_SIZES.slice(0, -1)]);
  });

  it('refuses a model slow only at numbers of rows that checkModelOutputs does not run, naming the first', async () => {
    // As the review's model: 1.5 s at any number of rows between 99 and 1,000, at once at every other.
    let clock = 0;
    const honest = runOn(bundledBytes);
    const slowBetween = async (rows: Float32Array, featureCount: number) => {
      const leads = rows.length / featureCount;
      if (leads > 99 && leads < 1000) clock += 1500;
      return honest(rows, featureCount);
    };
    await expect(checkModelOutputs(manifest, withinRunBudget(slowBetween, () => clock))).resolves.toBeUndefined();
    await expect(checkModelWithinBudget(manifest, slowBetween, () => clock)).rejects.toThrow(
      'model.onnx took 1.5 seconds to score 128 check leads, where a lead-scoring model takes a fraction of one: each batch of bulk scoring would hold up every badge as long.',
    );
  });
});
