/**
 * A model trained here, from the training worker's result to the options page's policy preview:
 * the preview of the policy it was trained with gives the thresholds the trainer chose, and the
 * report's confusion matrices are the trainer's under its capacity policy (a value or fixed one's
 * the trainer counts cross-fitted: `countedProbabilities`), because the leads it trained on are
 * read with their held-out probabilities, not their stored scores by the final model (which saw them).
 */
import 'fake-indexeddb/auto';
import { beforeAll, expect, it } from 'vitest';
import { DEMO_FEATURE_SPECS, generateDemoLeads } from '../crm/demo-data';
import { demoStoredLead } from '../crm/demo-leads';
import { db } from '../db/db';
import { labelledProbabilities, probabilitiesOf } from '../ui/stored-data';
import { deleteModel } from './model-store';
import { keepHeldOutScores } from './model-versions';
import { previewPolicy } from './tier-policy';
import { confusionAt } from './train/metrics';
import { runTrainingRequest } from './train/training-job';
import type { TrainingEvent } from './train/worker-protocol';

const now = new Date('2026-11-01T00:00:00Z');
const leads = generateDemoLeads({ count: 900, seed: 11, now }).map((lead) => ({ ...demoStoredLead(lead, 'hubspot'), origin: 'sync' as const }));
const economics = { revenuePerConversion: 100, costPerContact: 10, leadsPerPeriod: 100 };
let trained: Extract<TrainingEvent, { type: 'trained' }>;

beforeAll(async () => {
  const events: TrainingEvent[] = [];
  const data = {
    source: 'hubspot' as const,
    window: { createdAfter: null, createdBefore: null },
    outcome: { field: 'lifecyclestage', positiveValues: ['opportunity', 'customer'] },
    now: now.toISOString(),
  };
  await runTrainingRequest({ type: 'train', data, specs: DEMO_FEATURE_SPECS.slice(0, 8), cv: 3 }, { leads: async () => leads, writtenBackFields: async () => [], probabilitiesOf }, (event) =>
    events.push(event),
  );
  const last = events.at(-1);
  if (last?.type !== 'trained') throw new Error(JSON.stringify(last));
  trained = last;
  const { modelId } = trained.manifest;
  await db.putLeads(leads);
  await db.models.put({ id: modelId, origin: 'trained', manifest: trained.manifest, onnx: trained.onnx, addedAt: 1, checked: true });
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
