/**
 * ONNX round trip: the exported graph, run in onnxruntime-node and onnxruntime-web (WASM, in
 * Node), returns the trainer's own predictions on every row (|Δ| ≤ 1e-5), and
 * intercept + Σ contributions = logit.
 */
import { describe, expect, it } from 'vitest';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import onnxProto from 'onnx-proto';
import type { Calibration } from '../manifest';
import { trainModel } from '../train/index';
import { predictManifestModel } from '../train/predict';
import { syntheticLeads } from '../train/synthetic';
import { calibratedProbabilityF32, exportOnnx, isotonicSegments } from './export';
import { applyCalibration } from '../train/calibration';
import { fitEbm, predictLogit, type EbmModel } from '../train/ebm';

ortWeb.env.wasm.numThreads = 1;

type Ort = typeof ortNode | typeof ortWeb;

async function run(ort: Ort, bytes: Uint8Array, X: Float32Array, F: number) {
  const session = await (ort.InferenceSession as typeof ortNode.InferenceSession).create(bytes);
  const out = await session.run({ features: new (ort.Tensor as typeof ortNode.Tensor)('float32', X, [X.length / F, F]) });
  return { probability: out.probability.data as Float32Array, contributions: out.contributions.data as Float32Array, dims: out.contributions.dims };
}

const result = trainModel({
  records: syntheticLeads(2000, 11),
  target: 'converted',
  positive: '1',
  exclude: ['id'],
  options: { cv: 2, seed: 3, ebm: { outerBags: 2, interactions: 4 } },
});
const { model, X, manifest } = result;
const F = manifest.features.length;
const T = manifest.terms.length;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

const calibrations: Calibration[] = [
  manifest.calibration,
  { kind: 'none' },
  { kind: 'platt', a: 0.9, b: -0.1 },
  { kind: 'isotonic', logits: [-3, -1, 0, 0.5, 2], probabilities: [0.02, 0.1, 0.3, 0.45, 0.9] },
];

describe('ONNX export round trip', () => {
  it('has the contract: input features [N, F], outputs probability [N] and contributions [N, T], opsets', () => {
    const m = onnxProto.onnx.ModelProto.decode(result.onnx);
    expect(m.graph!.input!.map((i) => i.name)).toEqual(['features']);
    expect(m.graph!.output!.map((o) => o.name)).toEqual(['probability', 'contributions']);
    expect(Number(m.opsetImport!.find((o) => o.domain === 'ai.onnx.ml')!.version)).toBe(3);
    expect(m.graph!.node!.filter((n) => n.opType === 'TreeEnsembleRegressor').length).toBeGreaterThanOrEqual(1);
    expect(model.terms.some((t) => t.features.length === 2)).toBe(true);
  });

  for (const [name, ort] of [['onnxruntime-node', ortNode], ['onnxruntime-web', ortWeb]] as const) {
    for (const cal of calibrations) {
      it(`${name}, calibration ${cal.kind}: equals the trainer on every row`, async () => {
        const bytes = cal === manifest.calibration ? result.onnx : exportOnnx(model, { nFeatures: F, calibration: cal });
        const out = await run(ort, bytes, X, F);
        const mine = predictManifestModel(model, cal, X, F);
        expect(out.dims).toEqual([X.length / F, T]);
        expect(maxAbsDiff(out.contributions, mine.contributions)).toBeLessThanOrEqual(1e-6);
        expect(maxAbsDiff(out.probability, mine.probability)).toBeLessThanOrEqual(1e-5);
        // intercept + Σ contributions (from the ONNX run) = the trainer's float64 logit
        const logit64 = predictLogit(model, X, F);
        let d = 0;
        for (let i = 0; i < logit64.length; i++) {
          let s = manifest.intercept;
          for (let t = 0; t < T; t++) s += out.contributions[i * T + t];
          d = Math.max(d, Math.abs(s - logit64[i]));
        }
        expect(d).toBeLessThanOrEqual(1e-5);
      });
    }
  }

  // A trained isotonic map has steps a few 1e-5 logit wide: a logit one float32 step off (ReduceSum
  // adding in its own order) moved such rows' probabilities by up to 7.6e-5 here before the graph
  // added the terms in the trainer's order.
  const isotonic = trainModel({
    records: syntheticLeads(20_000, 1),
    target: 'converted',
    positive: '1',
    exclude: ['id'],
    options: { cv: 2, seed: 3, calibration: 'isotonic', ebm: { outerBags: 1, interactions: 4 } },
  });
  for (const [name, ort] of [['onnxruntime-node', ortNode], ['onnxruntime-web', ortWeb]] as const) {
    it(`${name}, isotonic calibration trained on 20,000 leads: equals the trainer on every row`, async () => {
      expect(isotonic.manifest.calibration.kind).toBe('isotonic');
      const features = isotonic.manifest.features.length;
      const out = await run(ort, isotonic.onnx, isotonic.X, features);
      const mine = predictManifestModel(isotonic.model, isotonic.manifest.calibration, isotonic.X, features);
      expect(maxAbsDiff(out.contributions, mine.contributions)).toBe(0);
      expect(maxAbsDiff(out.probability, mine.probability)).toBeLessThanOrEqual(1e-5);
    });
  }

  it('routes NaN to the missing bin and unseen extremes to the end bins', async () => {
    const rows = new Float32Array(3 * F);
    rows.fill(NaN, 0, F); // all missing
    rows.fill(-1e30, F, 2 * F);
    rows.fill(1e30, 2 * F, 3 * F);
    const out = await run(ortNode, result.onnx, rows, F);
    const mine = predictManifestModel(model, manifest.calibration, rows, F);
    expect(maxAbsDiff(out.contributions, mine.contributions)).toBe(0);
    expect(maxAbsDiff(out.probability, mine.probability)).toBeLessThanOrEqual(1e-6);
  });

  it('isotonic segments interpolate the knots and are flat outside', () => {
    const cal = { logits: [-1, 0, 2], probabilities: [0.1, 0.2, 0.6] };
    const seg = isotonicSegments(cal);
    const p = calibratedProbabilityF32(Float32Array.from([-5, -1, -0.5, 0, 1, 2, 9]), { kind: 'isotonic', ...cal });
    const want = [0.1, 0.1, 0.15, 0.2, 0.4, 0.6, 0.6];
    want.forEach((w, i) => expect(p[i]).toBeCloseTo(w, 6));
    expect(seg.rise.length).toBe(4);
  });

  /** A one-feature model whose logit for feature value i is `logits[i]` (float32): the calibration's input, set directly. */
  function logitModel(logits: Float32Array): EbmModel {
    const P = logits.length;
    const values = new Float32Array(P + 1); // bin 0: missing; value i falls in bin i + 1
    values.set(logits, 1);
    return {
      cuts: [Float32Array.from({ length: P - 1 }, (_, i) => i + 0.5)],
      categorical: [false],
      intercept: 0,
      terms: [{ features: [0], values }],
      counts: [new Float64Array(P + 1)],
      rounds: { mains: [], pairs: [] },
    };
  }

  /** Every float32 within `steps` float32 steps of each of `xs` (float32 rounded), ascending. */
  function float32sAround(xs: number[], steps: number): Float32Array {
    const bits = new Int32Array(1);
    const value = new Float32Array(bits.buffer);
    const around: number[] = [];
    for (const x of xs) {
      value[0] = x;
      const at = bits[0];
      for (let d = -steps; d <= steps; d++) {
        bits[0] = at + d; // same sign: one bit step is one float32 step away from zero
        around.push(value[0]);
      }
    }
    return Float32Array.from(new Set(around)).sort();
  }

  // The reviewer's knots: float32 makes -0.66936312 and -0.66936310 one step apart (a slope of ~1e6),
  // and two knots 4e-10 apart either side of the point where float32 rounds to -1 or to the float below.
  it.each([
    { logits: [-2, -0.66936312, -0.6693631, 1], probabilities: [0.1, 0.4, 0.465, 0.9] },
    { logits: [-2, -0.9999999702, -0.9999999698, 1], probabilities: [0.001, 0.5, 0.999, 0.999] },
  ])('isotonic knots a few float32 steps apart ($logits): onnxruntime-node stays within the knots and never decreases', async (knots) => {
    const cal: Calibration = { kind: 'isotonic', ...knots };
    const logits = float32sAround(knots.logits, 6);
    const out = await run(ortNode, exportOnnx(logitModel(logits), { nFeatures: 1, calibration: cal }), Float32Array.from(logits, (_, i) => i), 1);
    expect(Array.from(out.contributions)).toEqual(Array.from(logits)); // the logits reach the calibration as they are
    expect(Array.from(out.probability)).toEqual(Array.from(calibratedProbabilityF32(logits, cal))); // the trainer's own predictions
    const [lowest, highest] = [Math.fround(knots.probabilities[0]), Math.fround(knots.probabilities.at(-1)!)];
    for (let i = 0; i < logits.length; i++) {
      const p = out.probability[i];
      expect(p, `logit ${logits[i]}`).toBeGreaterThanOrEqual(lowest);
      expect(p, `logit ${logits[i]}`).toBeLessThanOrEqual(highest);
      if (i > 0) expect(p, `logit ${logits[i]} after ${logits[i - 1]}`).toBeGreaterThanOrEqual(out.probability[i - 1]);
      // the float64 map at the float32 logit, give or take the knots' own float32 rounding
      const [below, above] = [applyCalibration(cal, logits[i] - 1e-7), applyCalibration(cal, logits[i] + 1e-7)];
      expect(p, `logit ${logits[i]}`).toBeGreaterThanOrEqual(below - 1e-6);
      expect(p, `logit ${logits[i]}`).toBeLessThanOrEqual(above + 1e-6);
    }
  });

  it('a one-feature model with a single cut, and a model with a constant term, export', async () => {
    const Xs = Float32Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 1 : i % 5 === 0 ? NaN : 0));
    const y = Uint8Array.from({ length: 200 }, (_, i) => (i % 2 === 0 && i % 3 !== 0 ? 1 : i % 7 === 0 ? 1 : 0));
    const m = fitEbm({ X: Xs, F: 1, y, categorical: [false], levels: [0] }, null, { outerBags: 1, interactions: 0 });
    const bytes = exportOnnx(m, { nFeatures: 1, calibration: { kind: 'none' } });
    const out = await run(ortNode, bytes, Xs, 1);
    const mine = predictManifestModel(m, { kind: 'none' }, Xs, 1);
    expect(maxAbsDiff(out.probability, mine.probability)).toBeLessThanOrEqual(1e-6);
  });
});
