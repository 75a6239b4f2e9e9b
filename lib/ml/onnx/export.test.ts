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
import { predictManifestModel, trainModel } from '../train/index';
import { syntheticLeads } from '../train/synthetic';
import { calibratedProbabilityF32, exportOnnx, isotonicSegments } from './export';
import { fitEbm, predictLogit } from '../train/ebm';

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
    expect(seg.slopes.length).toBe(4);
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
