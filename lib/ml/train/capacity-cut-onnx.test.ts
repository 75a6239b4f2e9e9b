/**
 * A capacity policy's thresholds, chosen by the trainer on its own float32 probabilities, tier the
 * leads as the exported model scores them in ONNX Runtime (the extension's engine): the tiers the
 * trainer and its preview give them, though ONNX Runtime's sigmoid differs from the trainer's by a
 * float32 step or so.
 */
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { scoreAndTier, tierOf } from '../score';
import { previewPolicy } from '../tier-policy';
import { ranksNoLeads } from './calibration';
import { featurizeRecords, trainModel } from './index';

// One weak field and three of noise: on these 120 leads (18 converted) the model finds no signal,
// so every lead gets the (smoothed) base rate, and the default policy is a capacity one.
const random = mulberry32(2 * 104729);
const records = Array.from({ length: 120 }, () => {
  const s = Math.floor(random() * 4);
  const logit = -2 + 0.6 * (s - 1.5);
  return { signal: `s${s}`, n1: 'abcdef'[Math.floor(random() * 6)], n2: String(Math.floor(random() * 30)), n3: 'pqr'[Math.floor(random() * 3)], converted: random() < 1 / (1 + Math.exp(-logit)) ? '1' : '0' };
});
const trained = trainModel({ records, target: 'converted' });
const { manifest } = trained;

let session: ort.InferenceSession;
let onnxProbabilities: Float32Array;
beforeAll(async () => {
  session = await ort.InferenceSession.create(trained.onnx, { intraOpNumThreads: 1 });
  const F = manifest.features.length;
  const X = featurizeRecords(records, manifest.features, 'csv', new Date(manifest.provenance.referenceTime));
  const out = await session.run({ features: new ort.Tensor('float32', X, [records.length, F]) });
  onnxProbabilities = out.probability.data as Float32Array;
});
afterAll(() => session.release());

it('tiers the leads of a model without signal, scored by ONNX Runtime, as the trainer and its preview do', () => {
  expect(manifest.tiers.policy.kind).toBe('capacity');
  expect(ranksNoLeads(manifest.calibration)).toBe(true);
  // The premise: one probability for every lead, ONNX Runtime's a float32 step under the trainer's.
  const [trainers] = new Set(trained.heldOutProbabilities);
  const [onnx] = new Set(onnxProbabilities);
  expect(new Set(trained.heldOutProbabilities).size).toBe(1);
  expect(new Set(onnxProbabilities).size).toBe(1);
  expect(onnx).toBeLessThan(trainers);
  expect(trainers - onnx).toBeLessThan(1e-7);

  const trainersTiers = Array.from(trained.heldOutProbabilities, (p) => tierOf(p, manifest.tiers));
  expect(new Set(trainersTiers)).toEqual(new Set(['hot']));
  expect(Array.from(onnxProbabilities, (p) => tierOf(p, manifest.tiers))).toEqual(trainersTiers);

  const economics = { revenuePerConversion: 100, costPerContact: 10, leadsPerPeriod: 100 };
  const preview = previewPolicy(manifest.tiers.policy, trained.labels, trained.heldOutProbabilities, economics);
  expect(preview.thresholds).toEqual({ hot: manifest.tiers.hot, warm: manifest.tiers.warm });
  expect(preview.outcomes.hot.share).toBe(1);
  expect(Array.from(onnxProbabilities, (p) => tierOf(p, preview.thresholds))).toEqual(trainersTiers);
  // As a rep sees them: hot, each at the middle score of a model that tells no lead apart.
  expect(new Set(Array.from(onnxProbabilities, (p) => JSON.stringify(scoreAndTier(p, manifest))))).toEqual(new Set([JSON.stringify({ score: 50, tier: 'hot' })]));
});
