/**
 * A model trained here, from the training worker's result to the options page's policy preview:
 * the preview of the policy it was trained with gives the thresholds the trainer chose, and the
 * preview's and the report's counts are the trainer's, because the leads it trained on are read
 * with their held-out probabilities, not their stored scores by the final model (which saw them):
 * under a capacity policy through the shipped calibration, under a value or fixed one cross-fitted
 * (`countedLabelled`), as the model card counts them, each tier's size as well as its conversions.
 */
import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FEATURE_SPECS, generateDemoLeads } from '../crm/demo-data';
import { demoStoredLead } from '../crm/demo-leads';
import { db } from '../db/db';
import { labelledProbabilities, probabilitiesOf } from '../ui/stored-data';
import { deleteModel } from './model-store';
import { keepHeldOutScores } from './model-versions';
import { countedLabelled, previewLabelled, previewPolicy } from './tier-policy';
import { confusionAt } from './train/metrics';
import { runTrainingRequest } from './train/training-job';
import type { TrainingEvent } from './train/worker-protocol';
import type { Tiers } from './manifest';

const now = new Date('2026-11-01T00:00:00Z');
const leads = generateDemoLeads({ count: 900, seed: 11, now }).map((lead) => ({ ...demoStoredLead(lead, 'hubspot'), origin: 'sync' as const }));
const economics = { revenuePerConversion: 100, costPerContact: 10, leadsPerPeriod: 100 };
type Trained = Extract<TrainingEvent, { type: 'trained' }>;
let trained: Trained;

/** A model trained on `leads` by the training worker's job, by the policy of `tiers` (the default's without), and stored as the options page stores it. */
async function trainHere(tiers?: Tiers): Promise<Trained> {
  const events: TrainingEvent[] = [];
  const data = {
    source: 'hubspot' as const,
    window: { createdAfter: null, createdBefore: null },
    outcome: { field: 'lifecyclestage', positiveValues: ['opportunity', 'customer'] },
    now: now.toISOString(),
  };
  await runTrainingRequest({ type: 'train', data, specs: DEMO_FEATURE_SPECS.slice(0, 8), cv: 3, tiers }, { leads: async () => leads, writtenBackFields: async () => [], probabilitiesOf }, (event) =>
    events.push(event),
  );
  const last = events.at(-1);
  if (last?.type !== 'trained') throw new Error(JSON.stringify(last));
  await db.putLeads(leads);
  await db.models.put({ id: last.manifest.modelId, origin: 'trained', manifest: last.manifest, onnx: last.onnx, addedAt: 1, checked: true });
  return last;
}

beforeAll(async () => {
  trained = await trainHere();
  const { modelId } = trained.manifest;
  // Scores as the final model gives its own training leads: more confident than it is on new ones.
  await db.leadScores.bulkPut(
    leads.map((lead) => {
      const probability = lead.fields.lifecyclestage === 'opportunity' || lead.fields.lifecyclestage === 'customer' ? 0.95 : 0.02;
      return { key: `${modelId}|${lead.key}`, modelId, leadKey: lead.key, probability, score: 0, tier: 'cold', topReason: '', scoredAt: 1 };
    }),
  );
}, 60_000);

it('previews the policy a model was trained with as the thresholds it was given, on its held-out probabilities', async () => {
  const { manifest, heldOut } = trained;
  expect(heldOut.leadKeys).toEqual(leads.map((lead) => lead.key));
  const onStoredScores = await labelledProbabilities(manifest.modelId, manifest.outcomeRule);
  // Without the held-out probabilities, the in-sample scores move the thresholds.
  expect(previewPolicy(manifest.tiers.policy, onStoredScores.labels, onStoredScores.probabilities, economics).thresholds).not.toEqual({
    hot: manifest.tiers.hot,
    warm: manifest.tiers.warm,
  });

  await keepHeldOutScores(manifest.modelId, heldOut);
  const { labels, probabilities } = await labelledProbabilities(manifest.modelId, manifest.outcomeRule);
  expect(labels.length).toBe(leads.length);
  expect(previewPolicy(manifest.tiers.policy, labels, probabilities, economics).thresholds).toEqual({ hot: manifest.tiers.hot, warm: manifest.tiers.warm });
  for (const tier of ['hot', 'warm'] as const) {
    const { threshold, ...trainers } = manifest.metrics.tierConfusion![tier];
    expect(confusionAt(labels, probabilities, threshold)).toEqual(trainers);
  }
});

it('reads the stored score of a lead the model was not trained on, and the held-out probability of one not scored yet', async () => {
  const { manifest } = trained;
  await keepHeldOutScores(manifest.modelId, trained.heldOut);
  const later = { ...leads[0], key: 'hubspot|later', id: 'later', fields: { ...leads[0].fields, lifecyclestage: 'customer' } };
  await db.putLeads([later]);
  await db.leadScores.put({ key: `${manifest.modelId}|hubspot|later`, modelId: manifest.modelId, leadKey: later.key, probability: 0.4321, score: 43, tier: 'warm', topReason: '', scoredAt: 2 });
  await db.leadScores.delete(`${manifest.modelId}|${leads[1].key}`);
  const { labels, probabilities } = await labelledProbabilities(manifest.modelId, manifest.outcomeRule);
  expect(labels.length).toBe(leads.length + 1);
  expect(probabilities[1]).toBe(trained.heldOut.probabilities[1]);
  expect(probabilities.at(-1)).toBe(0.4321);
  expect(labels.at(-1)).toBe(1);
});

it('keeps held-out probabilities only for a stored model, and deletes them with it', async () => {
  const { manifest, heldOut } = trained;
  await expect(keepHeldOutScores('ebm-not-stored', heldOut)).rejects.toThrow('Model ebm-not-stored is not stored, so its held-out probabilities are not kept');
  await keepHeldOutScores(manifest.modelId, heldOut);
  await deleteModel(manifest.modelId);
  expect(await db.heldOutScores.count()).toBe(0);
});

describe('a model trained here with a value policy', () => {
  const value = { kind: 'value' as const, revenuePerConversion: 1000, costPerContact: 250 };
  let valueTrained: Trained;
  beforeAll(async () => {
    valueTrained = await trainHere({ policy: value, hot: 0.25, warm: 0.125 });
    await keepHeldOutScores(valueTrained.manifest.modelId, valueTrained.heldOut);
  }, 60_000);

  it('previews and reports the tiers of the leads it learnt from as its model card counts them, each tier\'s size and rate on the same cross-fitted probabilities', async () => {
    const { manifest } = valueTrained;
    expect(manifest.tiers.policy).toEqual(value);
    const labelled = await labelledProbabilities(manifest.modelId, manifest.outcomeRule);
    // Every lead it learnt from is stored, scored and of known outcome: the leads ranked are those counted.
    expect(labelled.heldOut).toBe(leads.length);
    expect(labelled.ranked.length).toBe(leads.length);
    // As the policy worker previews it.
    const preview = previewLabelled(labelled, manifest.tiers.policy, manifest.calibration, economics);
    expect(preview.thresholds).toEqual({ hot: manifest.tiers.hot, warm: manifest.tiers.warm });
    const cards = manifest.metrics.tierConfusion!;
    for (const tier of ['hot', 'warm'] as const) {
      const { threshold: _threshold, ...card } = cards[tier];
      expect(preview.markers[tier].confusion).toEqual(card);
    }
    // The hot tier holds the leads its rate is of: its share of the leads ranked is the card's hot leads, its rate the card's precision.
    const hotLeads = cards.hot.tp + cards.hot.fp;
    expect(preview.outcomes.hot.withOutcome).toBe(hotLeads);
    expect(preview.outcomes.hot.share * leads.length).toBeCloseTo(hotLeads, 9);
    expect(preview.outcomes.hot.conversionRate).toBe(cards.hot.precision);
    // As the Model report counts its confusion matrices.
    const counted = countedLabelled(labelled, manifest.tiers.policy, manifest.calibration);
    expect(counted.learntFromBy).toBe('cross-fitted');
    const { threshold: hot, ...cardHot } = cards.hot;
    expect(confusionAt(labelled.labels, counted.probabilities, hot)).toEqual(cardHot);
    // Through the shipped calibration (Platt's here, fitted on these same leads), the hot tier is counted otherwise.
    const shipped = previewPolicy(manifest.tiers.policy, labelled.labels, labelled.probabilities, economics, undefined, labelled.ranked);
    expect(shipped.outcomes.hot).not.toEqual(preview.outcomes.hot);
  });

  it('counts by the held-out probabilities the leads of a model whose cross-fitted ones were not kept (trained by an older LeadLens)', async () => {
    const { manifest, heldOut } = valueTrained;
    await db.heldOutScores.put({ modelId: manifest.modelId, leadKeys: heldOut.leadKeys, probabilities: heldOut.probabilities, logits: heldOut.logits });
    const labelled = await labelledProbabilities(manifest.modelId, manifest.outcomeRule);
    expect(labelled.crossFitted).toBeUndefined();
    expect(countedLabelled(labelled, manifest.tiers.policy, manifest.calibration)).toEqual({ probabilities: labelled.probabilities, ranked: labelled.ranked, learntFromBy: 'not-kept' });
  });
});
