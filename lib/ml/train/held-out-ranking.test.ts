/**
 * The ranking figures read on held-out leads (the manifest's ROC and PR curves, the comparison with
 * the active model) rank them by their held-out logits, not through an isotonic calibration fitted
 * on those same logits: its ties, where it pooled leads found out of order, would lift them.
 */
import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_FEATURE_SPECS } from '../../crm/demo-data';
import type { FeatureSpec } from '../manifest';
import { trainModel } from './index';
import { prCurve, rocAuc } from './metrics';
import { syntheticLeads } from './synthetic';
import { runTrainingRequest, type TrainingHistory } from './training-job';
import { TrainingEventSchema, type TrainingEvent } from './worker-protocol';
import { demoHubspotLeads, demoHubspotTrainingData } from '@/test/fixtures/demo-hubspot-history';

// The training job's calibration is chosen ('auto'): made isotonic here, whatever these leads would choose.
vi.mock('./calibration', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./calibration')>();
  return {
    ...actual,
    chooseCalibration: (labels: Uint8Array, logits: Float64Array) => ({
      calibration: { kind: 'isotonic' as const, ...actual.fitIsotonic(labels, logits) },
      heldOutLogLoss: { platt: Number.NaN, isotonic: Number.NaN },
    }),
  };
});

/** The area under a ROC curve [fpr, tpr], by trapezoids (a tie's diagonal counts half, as ROC-AUC does). */
const areaUnder = (curve: readonly (readonly [number, number])[]) =>
  curve.reduce((area, [x, y], i) => (i === 0 ? 0 : area + ((x - curve[i - 1][0]) * (y + curve[i - 1][1])) / 2), 0);

describe('the manifest’s curves of a model calibrated by isotonic regression', () => {
  // 180 leads: the curves keep every threshold (at most 200 points), so their area is exact.
  const trained = trainModel({
    records: syntheticLeads(180, 1),
    target: 'converted',
    positive: '1',
    exclude: ['id'],
    options: { cv: 3, seed: 7, calibration: 'isotonic', ebm: { outerBags: 2, interactions: 3 } },
  });
  const { labels, manifest } = trained;

  it('are read from what ranks the held-out leads honestly: the ROC curve’s area is the pooled held-out ROC-AUC', () => {
    expect(manifest.calibration.kind).toBe('isotonic');
    const honest = manifest.metrics.holdoutRocAuc!;
    // What the tiers are cut on ranks higher: the isotonic map was fitted on these same leads.
    expect(rocAuc(labels, trained.heldOutProbabilities)).toBeGreaterThan(honest + 0.01);
    expect(manifest.metrics.roc).toHaveLength(labels.length + 1);
    expect(areaUnder(manifest.metrics.roc!)).toBeCloseTo(honest, 12);
    expect(rocAuc(labels, trained.heldOutLogits)).toBe(honest);
    expect(manifest.metrics.pr).toEqual(prCurve(labels, trained.heldOutLogits));
    // The hot tier's held-out confusion is still a point of the curve: a cut of the shipped probabilities is a cut of the logits.
    const { hot } = manifest.metrics.tierConfusion!;
    expect(manifest.metrics.roc).toContainEqual([hot.fp / (hot.fp + hot.tn), hot.tp / (hot.tp + hot.fn)]);
  });
});

describe('the comparison of a model calibrated by isotonic regression with the active one', () => {
  const leads = demoHubspotLeads;
  const data = demoHubspotTrainingData;
  const converted = new Map(leads.map((lead) => [lead.key, ['opportunity', 'customer'].includes(String(lead.fields.lifecyclestage)) ? 1 : 0]));
  const labelsOf = (leadKeys: readonly string[]) => Uint8Array.from(leadKeys, (key) => converted.get(key)!);
  /** The training job's answer on these leads, the active model's scores read by `probabilitiesOf`. */
  const trained = async (request: { specs: FeatureSpec[]; activeModelId?: string }, probabilitiesOf: TrainingHistory['probabilitiesOf']) => {
    const events: TrainingEvent[] = [];
    const history = { leads: async (source: string) => (source === 'hubspot' ? leads : []), writtenBackFields: async () => [], probabilitiesOf };
    await runTrainingRequest({ type: 'train', data, cv: 2, ...request }, history, (event) => events.push(TrainingEventSchema.parse(event)));
    const done = events.at(-1);
    if (done?.type !== 'trained') throw new Error(JSON.stringify(done));
    return done;
  };

  it('gives the new model the ROC-AUC of its held-out logits, the pooled held-out figure, not that of its held-out probabilities', async () => {
    // The active model has a probability for every lead, at random.
    const coin = (key: string) => (key.split('').reduce((hash, c) => (hash * 31 + c.charCodeAt(0)) % 1009, 7) % 100) / 100;
    const probabilitiesOf = async (_modelId: string, leadKeys: readonly string[]) => ({ probabilities: Float64Array.from(leadKeys, coin), heldOut: true });
    const done = await trained({ specs: DEMO_FEATURE_SPECS.slice(0, 6), activeModelId: 'ebm-active' }, probabilitiesOf);
    if (done.comparison.kind !== 'compared') throw new Error(JSON.stringify(done.comparison));
    expect(done.manifest.calibration.kind).toBe('isotonic');
    expect(done.comparison.rows).toBe(done.summary.rows);
    const honest = done.manifest.metrics.holdoutRocAuc!;
    expect(done.comparison.newRocAuc).toBe(honest);
    // The held-out probabilities the tiers are previewed on would have said more.
    expect(rocAuc(labelsOf(done.heldOut.leadKeys), done.heldOut.probabilities)).toBeGreaterThan(honest + 0.005);
  });

  // The active model, trained here on these leads with four features, and its held-out leads as the page keeps them (`keepHeldOutScores`).
  let active: Awaited<ReturnType<typeof trained>>;
  beforeAll(async () => {
    const noProbabilities = async (_modelId: string, leadKeys: readonly string[]) => ({ probabilities: new Float64Array(leadKeys.length).fill(Number.NaN), heldOut: false });
    active = await trained({ specs: DEMO_FEATURE_SPECS.slice(0, 4) }, noProbabilities);
  });
  /** The active model's scores read from its kept held-out leads (`probabilitiesOf`), with their logits when `withLogits` (kept by this LeadLens). */
  const keptScoresOf = (withLogits: boolean) => {
    const { manifest, heldOut } = active;
    const rowOf = new Map(heldOut.leadKeys.map((key, row) => [key, row]));
    const atKeys = (values: Float64Array, leadKeys: readonly string[]) => Float64Array.from(leadKeys, (key) => (rowOf.has(key) ? values[rowOf.get(key)!] : Number.NaN));
    return async (modelId: string, leadKeys: readonly string[]) => {
      expect(modelId).toBe(manifest.modelId);
      return { probabilities: atKeys(heldOut.probabilities, leadKeys), heldOut: true, ...(withLogits && { heldOutLogits: atKeys(heldOut.logits, leadKeys) }) };
    };
  };

  it('keeps each held-out lead’s logit beside its probability, ranking the leads as the pooled held-out ROC-AUC says', () => {
    const { manifest, heldOut } = active;
    expect(manifest.calibration.kind).toBe('isotonic');
    expect(heldOut.leadKeys).toHaveLength(leads.length);
    expect(rocAuc(labelsOf(heldOut.leadKeys), heldOut.logits)).toBe(manifest.metrics.holdoutRocAuc);
  });

  it('ranks an active model trained here with isotonic calibration by its kept held-out logits, not by the probabilities its calibration tied', async () => {
    const done = await trained({ specs: DEMO_FEATURE_SPECS.slice(0, 6), activeModelId: active.manifest.modelId }, keptScoresOf(true));
    if (done.comparison.kind !== 'compared') throw new Error(JSON.stringify(done.comparison));
    expect(done.comparison).toMatchObject({ activeModelId: active.manifest.modelId, rows: leads.length, activeHeldOut: true });
    const labels = labelsOf(active.heldOut.leadKeys);
    const honest = rocAuc(labels, active.heldOut.logits);
    expect(done.comparison.activeRocAuc).toBeCloseTo(honest, 12);
    // Its held-out probabilities, through an isotonic map fitted on them, would have said more.
    expect(rocAuc(labels, active.heldOut.probabilities)).toBeGreaterThan(honest + 0.005);
    expect(done.comparison.newRocAuc).toBe(done.manifest.metrics.holdoutRocAuc);
  });

  it('still compares an active model kept by an older LeadLens, without logits, by its held-out probabilities', async () => {
    const done = await trained({ specs: DEMO_FEATURE_SPECS.slice(0, 6), activeModelId: active.manifest.modelId }, keptScoresOf(false));
    if (done.comparison.kind !== 'compared') throw new Error(JSON.stringify(done.comparison));
    expect(done.comparison).toMatchObject({ rows: leads.length, activeHeldOut: true, newRocAuc: done.manifest.metrics.holdoutRocAuc });
    expect(done.comparison.activeRocAuc).toBe(rocAuc(labelsOf(active.heldOut.leadKeys), active.heldOut.probabilities));
  });
});
